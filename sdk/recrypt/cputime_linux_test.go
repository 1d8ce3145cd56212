//go:build linux

package recrypt

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// threadCPU locks the benchmark to its OS thread and returns a function,
// to defer, that reports the thread's CPU time per op as cpu-ns/op: on a
// shared machine it counts only this benchmark's own work, where ns/op also
// counts the time other processes held the core. bench/recrypt.sh compares
// it with its peers' same metric.
func threadCPU(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadNanos()
	return func() {
		used := threadNanos() - start
		runtime.UnlockOSThread()
		if b.N > 0 {
			b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
		}
	}
}

func threadNanos() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}
