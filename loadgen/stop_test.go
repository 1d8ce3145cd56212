package loadgen

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestGracefulStop covers the two-stage end: two workers of 300ms
// iterations for 1s start their fourth iterations at 900ms; those finish at
// 1.2s if the graceful window allows, else are canceled when it closes.
func TestGracefulStop(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		grace       time.Duration
		completed   int64
		interrupted int64
		end         time.Duration
	}{
		{"finish within window", 500 * ms, 8, 0, 1200 * ms},
		{"canceled after window", 100 * ms, 6, 2, 1100 * ms},
		{"no window", 0, 6, 2, 1000 * ms},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
				return plan1(Scenario{
					Name:         "g",
					Executor:     Executor{Kind: ConstantWorkers, Workers: 2, Duration: time.Second},
					GracefulStop: tc.grace,
					Steps:        []Step{{Name: "op", Op: sleepOp(c, 300*ms)}, {Name: "after", Op: nop}},
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			sc := out.Scenarios[0]
			if sc.Started != 8 || sc.Completed != tc.completed || sc.Interrupted != tc.interrupted || sc.Failed != 0 || sc.Stopped {
				t.Errorf("outcome %+v; want 8 started, %d completed, %d interrupted", sc, tc.completed, tc.interrupted)
			}
			if d := out.End.Sub(out.Start); d != tc.end {
				t.Errorf("run took %v; want %v", d, tc.end)
			}
			var canceled int
			for _, s := range sink.samples {
				if s.Class == "canceled" {
					canceled++
					if !errors.Is(s.Err, context.Canceled) || s.Latency != tc.end-900*ms {
						t.Errorf("canceled sample %+v: want context.Canceled after %v", s, tc.end-900*ms)
					}
				}
			}
			if int64(canceled) != tc.interrupted || len(sink.sorted("after")) != int(tc.completed) {
				t.Errorf("%d canceled samples, %d of the second step; want %d, %d", canceled, len(sink.sorted("after")), tc.interrupted, tc.completed)
			}
			// The iterations cut off are interrupted, not failed: not the
			// target's doing.
			var cut int64
			for _, it := range sink.iters {
				if it.Failed {
					t.Errorf("iteration %+v failed; want it interrupted or ok", it)
				}
				if it.Interrupted {
					cut++
				}
			}
			if cut != tc.interrupted {
				t.Errorf("%d iterations interrupted; want %d", cut, tc.interrupted)
			}
		})
	}
}

// TestStopChannel closes Options.Stop at 450ms into a 10/s scenario of
// 1s iterations: five have started, no more start, and those five finish in
// the graceful window. A scenario due to start later never starts.
func TestStopChannel(t *testing.T) {
	t.Parallel()
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
		stop := make(chan struct{})
		opts.Stop = stop
		c.at(450*ms, func() { close(stop) })
		return &Plan{Name: "p", Scenarios: []Scenario{
			{
				Name:         "rate",
				Executor:     Executor{Kind: ConstantRate, Rate: 10, Duration: 10 * time.Second},
				GracefulStop: 2 * time.Second,
				Steps:        []Step{{Name: "op", Op: sleepOp(c, time.Second)}},
			},
			{
				Name:         "closed",
				Executor:     Executor{Kind: ConstantWorkers, Workers: 1, Duration: 10 * time.Second},
				GracefulStop: 2 * time.Second,
				Steps:        []Step{{Name: "closed", Op: sleepOp(c, 200*ms)}},
			},
			{
				Name:       "later",
				Executor:   Executor{Kind: ConstantWorkers, Workers: 1, Duration: time.Second},
				StartAfter: time.Second,
				Steps:      []Step{{Name: "later", Op: nop}},
			},
		}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Stopped {
		t.Error("Outcome.Stopped = false; want true")
	}
	want := []ScenarioOutcome{
		{Name: "rate", Started: 5, Completed: 5, Workers: 5, MaxActiveWorkers: 5, Stopped: true},
		{Name: "closed", Started: 3, Completed: 3, Workers: 1, MaxActiveWorkers: 1, Stopped: true}, // 0, 200, 400ms
		{Name: "later", Stopped: true},
	}
	for i, w := range want {
		if out.Scenarios[i] != w {
			t.Errorf("scenario %d: %+v; want %+v", i, out.Scenarios[i], w)
		}
	}
	if d := out.End.Sub(out.Start); d != 1400*ms {
		t.Errorf("run took %v; want 1.4s", d)
	}
	if n := len(sink.sorted("op")); n != 5 {
		t.Errorf("%d samples; want 5", n)
	}
}

// TestContextCancel cancels Run's context at 450ms: in-flight ops see it at
// once, Run returns at 450ms with an error wrapping context.Canceled, and
// teardown still runs.
func TestContextCancel(t *testing.T) {
	t.Parallel()
	var tornDown bool
	out, sink, err := runFake(t, func(c *bubble, cancel context.CancelFunc, _ *Options) *Plan {
		c.at(450*ms, cancel)
		p := plan1(Scenario{
			Name:         "rate",
			Executor:     Executor{Kind: ConstantRate, Rate: 10, Duration: 10 * time.Second},
			GracefulStop: 2 * time.Second,
			Steps:        []Step{{Name: "op", Op: sleepOp(c, time.Second)}},
		})
		p.Teardown = func(context.Context) error { tornDown = true; return nil }
		return p
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run error %v; want one wrapping context.Canceled", err)
	}
	if !tornDown {
		t.Error("teardown did not run")
	}
	if d := out.End.Sub(out.Start); d != 450*ms {
		t.Errorf("run took %v; want 450ms", d)
	}
	sc := out.Scenarios[0]
	if sc.Started != 5 || sc.Interrupted != 5 || sc.Completed != 0 || sc.Stopped || out.Stopped {
		t.Errorf("outcome %+v; want 5 started and interrupted, not stopped by Stop", sc)
	}
	for _, s := range sink.samples {
		if s.Class != "canceled" {
			t.Errorf("sample %+v: want class canceled", s)
		}
	}
}

// TestStopInGracefulWindow closes Options.Stop at 1.55s, in the graceful
// window of a 10/s, 1s scenario whose one worker fell behind (300ms per
// op): the iteration in flight (n5, 1.5-1.8s) finishes, and the overdue ones
// (n6-n9) are dropped rather than started.
func TestStopInGracefulWindow(t *testing.T) {
	t.Parallel()
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
		stop := make(chan struct{})
		opts.Stop = stop
		c.at(1550*ms, func() { close(stop) })
		return plan1(Scenario{
			Name:         "s",
			Executor:     Executor{Kind: ConstantRate, Rate: 10, Duration: time.Second, Workers: 1, MaxWorkers: 1},
			GracefulStop: 10 * time.Second,
			Steps:        []Step{{Name: "op", Op: sleepOp(c, 300*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ScenarioOutcome{Name: "s", Started: 6, Completed: 6, Late: 5, Dropped: 4, Workers: 1, MaxActiveWorkers: 1, WorkersCappedS: 2, Stopped: true}
	if sc := out.Scenarios[0]; sc != want || !out.Stopped {
		t.Errorf("outcome %+v, stopped %v; want %+v, stopped", sc, out.Stopped, want)
	}
	if d := out.End.Sub(out.Start); d != 1800*ms {
		t.Errorf("run took %v; want 1.8s", d)
	}
	if n := len(sink.samples); n != 6 {
		t.Errorf("%d samples; want 6", n)
	}
}

// TestStoppedBeforeStart closes Options.Stop before Run: no scenario
// starts an iteration, open or closed, and none counts one dropped.
func TestStoppedBeforeStart(t *testing.T) {
	t.Parallel()
	for range 20 {
		out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
			stop := make(chan struct{})
			close(stop)
			opts.Stop = stop
			return &Plan{Name: "p", Scenarios: []Scenario{
				{Name: "rate", Executor: Executor{Kind: ConstantRate, Rate: 10, Duration: time.Second}, Steps: []Step{{Name: "a", Op: sleepOp(c, 10*ms)}}},
				{Name: "closed", Executor: Executor{Kind: ConstantWorkers, Workers: 3, Duration: time.Second}, Steps: []Step{{Name: "b", Op: sleepOp(c, 10*ms)}}},
				{Name: "iters", Executor: Executor{Kind: SharedIterations, Workers: 3, Iterations: 5}, Steps: []Step{{Name: "c", Op: sleepOp(c, 10*ms)}}},
			}}
		})
		if err != nil {
			t.Fatal(err)
		}
		if !out.Stopped || len(sink.samples) != 0 {
			t.Fatalf("stopped %v, %d samples; want stopped, none", out.Stopped, len(sink.samples))
		}
		for _, sc := range out.Scenarios {
			if sc.Started != 0 || sc.Dropped != 0 || !sc.Stopped {
				t.Fatalf("scenario %+v; want none started or dropped, stopped", sc)
			}
		}
	}
}

// TestStopAtAnyRate runs 10¹²/s with 50 workers of 1ms iterations and
// stops it: the run ends within the graceful window, having counted every
// iteration due by the stop as started or dropped, in closed form (one at a
// time, 10¹⁰ drops would take this test hours). With a max_lateness of 5ms
// the dispatcher also skips what it fell behind in closed form.
func TestStopAtAnyRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		maxLate time.Duration
		stopAt  time.Duration
	}{
		{"stop", 0, 10 * ms},
		{"behind and stop", 5 * ms, 20 * ms},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sched *Schedule
			out, _, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
				stop := make(chan struct{})
				opts.Stop = stop
				c.at(tc.stopAt, func() { close(stop) })
				e := Executor{Kind: ConstantRate, Rate: 1e12, Duration: time.Hour, MaxWorkers: 50}
				sched = e.Schedule()
				return plan1(Scenario{
					Name:         "huge",
					Executor:     e,
					MaxLateness:  tc.maxLate,
					GracefulStop: time.Second,
					Steps:        []Step{{Name: "op", Op: sleepOp(c, ms)}},
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			sc := out.Scenarios[0]
			if d := out.End.Sub(out.Start); d > tc.stopAt+time.Second {
				t.Errorf("run took %v; want at most the stop at %v plus the 1s graceful window", d, tc.stopAt)
			}
			if due := sched.Due(tc.stopAt); sc.Started+sc.Dropped != due {
				t.Errorf("started %d + dropped %d = %d; want the %d due by the stop", sc.Started, sc.Dropped, sc.Started+sc.Dropped, due)
			}
			if sc.Started == 0 || sc.Started > 50*int64(tc.stopAt/ms+1) || sc.Dropped < 1e9 || !sc.Stopped {
				t.Errorf("outcome %+v; want some started (50 per ms at most), over 10⁹ dropped, stopped", sc)
			}
		})
	}
}
