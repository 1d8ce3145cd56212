package loadgen

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// threadTimes returns, per OS thread of the process, the time it ran on a
// CPU and the time it waited, runnable, for one (from
// /proc/self/task/*/schedstat, in nanoseconds).
func threadTimes() (map[int]threadTime, bool) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, false
	}
	out := make(map[int]threadTime, len(ents))
	var buf [128]byte
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, err := os.Open("/proc/self/task/" + e.Name() + "/schedstat")
		if err != nil {
			continue // the thread exited
		}
		n, _ := f.Read(buf[:])
		f.Close()
		fields := bytes.Fields(buf[:n])
		if len(fields) < 2 {
			continue
		}
		run, err1 := strconv.ParseUint(string(fields[0]), 10, 64)
		wait, err2 := strconv.ParseUint(string(fields[1]), 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out[tid] = threadTime{run: time.Duration(run), wait: time.Duration(wait)}
	}
	return out, len(out) > 0
}
