//go:build unix

package results

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// BenchmarkLiveSecond measures what a dashboard adds to a run: nothing per
// sample (RecordSample is unchanged), and once a second the live view's
// roll (each op's second kept, the run's percentiles and spectrum, the
// flame graph's sums, the event encoded). ns/op is per second of the run;
// divided by the run's rate it is the CPU added per request. Samples have
// 3 phases; each op's second holds 300 samples over 1–20 ms. cpu-ns/op is
// the process's CPU time per second rolled (getrusage), which a busy
// machine does not inflate as it does ns/op.
func BenchmarkLiveSecond(b *testing.B) {
	for _, ops := range []int{1, 10, 30} {
		b.Run(fmt.Sprintf("ops=%d", ops), func(b *testing.B) {
			r := testRecorder(2)
			s := benchSample(3)
			sec := make(map[opKey]*secAgg)
			for k := 0; k < ops; k++ {
				s.Op = fmt.Sprintf("op%02d", k)
				a := &secAgg{h: hdrhistogram.NewPacked(lowestUS, highestUS, secSigFigs)}
				for i := 0; i < 300; i++ {
					s.Latency = time.Duration(1000+i*63) * time.Microsecond
					r.RecordSample(s)
					a.n++
					a.h.RecordValue(s.Latency.Microseconds())
				}
				sec[opKey{s.Scenario, s.Op}] = a
			}
			r.keepLive()
			now := testStart
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				now = now.Add(time.Second)
				r.rollLive(int64(i), now, sec, false)
			}
			b.StopTimer()
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(len(r.live.Load().eventAt(int64(b.N-1)))), "event-bytes")
		})
	}
}

// cpuTime returns the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
