package loadgen

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkConstantRateOverhead measures the engine's cost per iteration of
// an open executor: a schedule so fast (10⁹/s) that every iteration is due
// at once, a no-op op and a discarding sink, so what remains is the
// dispatcher, the hand-off to a worker and the recording calls. A trailing
// hour at rate 0 keeps the regular end away, so no iteration is dropped
// however far behind the dispatcher runs; the run ends with its last
// iteration.
func BenchmarkConstantRateOverhead(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			p := plan1(Scenario{
				Name: "bench",
				Executor: Executor{Kind: RampingRate, Rate: 1e9, Workers: workers, MaxWorkers: workers,
					Stages: []Stage{{time.Duration(b.N), 1e9}, {0, 0}, {time.Hour, 0}}},
				MaxLateness: time.Hour,
				Steps:       []Step{{Name: "nop", Op: nop}},
			})
			b.ReportAllocs()
			b.ResetTimer()
			out, err := Run(context.Background(), p, discard{}, Options{NoHealth: true})
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if got := out.Scenarios[0].Started; got != int64(b.N) {
				b.Fatalf("%d iterations; want %d", got, b.N)
			}
		})
	}
}

// BenchmarkClosedLoop measures the engine's cost per iteration of a
// closed executor with a no-op op and a discarding sink.
func BenchmarkClosedLoop(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			p := plan1(Scenario{
				Name:     "bench",
				Executor: Executor{Kind: SharedIterations, Workers: workers, Iterations: int64(b.N)},
				Steps:    []Step{{Name: "nop", Op: nop}},
			})
			b.ReportAllocs()
			b.ResetTimer()
			out, err := Run(context.Background(), p, discard{}, Options{NoHealth: true})
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if got := out.Scenarios[0].Started; got != int64(b.N) {
				b.Fatalf("%d iterations; want %d", got, b.N)
			}
		})
	}
}

// BenchmarkScheduleAt measures one intended start on a piecewise ramp.
func BenchmarkScheduleAt(b *testing.B) {
	s := RampingSchedule(0, []Stage{{time.Minute, 1000}, {time.Minute, 1000}, {time.Minute, 10}})
	n := s.Count()
	b.ReportAllocs()
	var sink time.Duration
	for i := 0; b.Loop(); i++ {
		at, _ := s.At(int64(i) % n)
		sink += at
	}
	_ = sink
}
