package loadgen

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSetupTeardown checks the order of setup, scenarios and teardown, that
// a failed setup starts no scenario but still tears down, and that a
// graceful stop leaves their context alone.
func TestSetupTeardown(t *testing.T) {
	t.Parallel()
	errSetup := errors.New("no users")
	for _, tc := range []struct {
		name     string
		setupErr error
		want     string
	}{
		{"ok", nil, "setup op teardown"},
		{"setup fails", errSetup, "setup teardown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var log []string
			var teardownErr error
			out, _, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
				stop := make(chan struct{})
				opts.Stop = stop
				c.at(50*ms, func() { close(stop) })
				p := plan1(Scenario{
					Name:     "s",
					Executor: Executor{Kind: ConstantWorkers, Workers: 1, Duration: time.Second},
					Steps: []Step{{Name: "op", Op: OpFunc(func(ctx context.Context, _ *Iteration) error {
						if len(log) == 1 {
							log = append(log, "op")
						}
						return c.sleep(ctx, 20*ms)
					})}},
				})
				p.Setup = func(ctx context.Context) error {
					log = append(log, "setup")
					return tc.setupErr
				}
				p.Teardown = func(ctx context.Context) error {
					log = append(log, "teardown")
					teardownErr = ctx.Err()
					return nil
				}
				return p
			})
			if got := strings.Join(log, " "); got != tc.want {
				t.Errorf("calls %q; want %q", got, tc.want)
			}
			if !errors.Is(err, tc.setupErr) || (tc.setupErr == nil) != (err == nil) {
				t.Errorf("Run error %v; want %v", err, tc.setupErr)
			}
			if teardownErr != nil {
				t.Errorf("teardown context: %v", teardownErr)
			}
			if out == nil || len(out.Scenarios) != 1 {
				t.Fatalf("outcome %+v", out)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	step := []Step{{Name: "nop", Op: nop}}
	for _, tc := range []struct {
		name string
		plan Plan
		want []string // substrings of the error; none for a valid plan
	}{
		{"valid", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: ConstantRate, Rate: 1, Duration: time.Second}, Steps: step}}}, nil},
		{"no scenarios", Plan{}, []string{"no scenarios"}},
		{"every problem", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: ConstantRate, Rate: -1}}}},
			[]string{`scenario "a"`, "rate -1", "duration 0s", "steps or mix"}},
		{"unknown kind", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: "sometimes"}, Steps: step}}}, []string{`executor "sometimes": unknown`}},
		{"both steps and mix", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: ConstantWorkers, Workers: 1, Duration: time.Second}, Steps: step, Mix: []Step{{Name: "m", Op: nop, Weight: 1}}}}}, []string{"only one"}},
		{"zero weight", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: ConstantWorkers, Workers: 1, Duration: time.Second}, Mix: []Step{{Name: "m", Op: nop}}}}}, []string{"weight 0"}},
		{"nil op", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: SharedIterations, Workers: 1, Iterations: 1}, Steps: []Step{{Name: "x"}}}}}, []string{"step 0 (x): no op"}},
		{"duplicate names", Plan{Scenarios: []Scenario{
			{Name: "a", Executor: Executor{Kind: SharedIterations, Workers: 1, Iterations: 1}, Steps: step},
			{Name: "a", Executor: Executor{Kind: SharedIterations, Workers: 1, Iterations: 1}, Steps: step},
		}}, []string{"used twice"}},
		{"ramping rate", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: RampingRate, Stages: []Stage{{time.Second, -3}}}, Steps: step}}}, []string{"target -3"}},
		{"ramping workers no stages", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: RampingWorkers}, Steps: step}}}, []string{"stages"}},
		{"workers over max", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: ConstantRate, Rate: 1, Duration: time.Second, Workers: 5, MaxWorkers: 2}, Steps: step}}}, []string{"workers 5, max_workers 2"}},
		{"negative times", Plan{Scenarios: []Scenario{{Name: "a", Executor: Executor{Kind: SharedIterations, Workers: 1, Iterations: 1}, Steps: step, ThinkTime: -1}}}, []string{"must be >= 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.plan.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil; want an error with %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q; want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestRunRefusesTooManyWorkers checks Plan.MaxWorkers against what the
// scenarios reserve.
func TestRunRefusesTooManyWorkers(t *testing.T) {
	t.Parallel()
	p := &Plan{Name: "big", MaxWorkers: 5, Scenarios: []Scenario{
		{Name: "a", Executor: Executor{Kind: ConstantWorkers, Workers: 4, Duration: time.Second}, Steps: []Step{{Name: "nop", Op: nop}}},
		{Name: "b", Executor: Executor{Kind: ConstantRate, Rate: 1, Duration: time.Second, Workers: 2}, Steps: []Step{{Name: "nop", Op: nop}}},
	}}
	_, err := Run(context.Background(), p, discard{}, Options{NoHealth: true})
	if err == nil || !strings.Contains(err.Error(), "need 6 workers, more than max_workers 5") {
		t.Errorf("Run error %v; want one about 6 workers over 5", err)
	}
}

func TestPlanned(t *testing.T) {
	t.Parallel()
	s := time.Second
	for _, tc := range []struct {
		name  string
		exec  Executor
		iters int64
		rate  float64
		peak  int
	}{
		{"constant rate", Executor{Kind: ConstantRate, Rate: 50, Duration: 10 * s, MaxWorkers: 20}, 500, 50, 20},
		{"constant rate default max", Executor{Kind: ConstantRate, Rate: 50, Duration: 10 * s}, 500, 50, 500},
		{"ramping rate", Executor{Kind: RampingRate, Rate: 0, Stages: []Stage{{10 * s, 10}, {10 * s, 10}}, MaxWorkers: 7}, 150, 10, 7},
		{"constant workers", Executor{Kind: ConstantWorkers, Workers: 4, Duration: s}, -1, 0, 4},
		{"ramping workers", Executor{Kind: RampingWorkers, Workers: 2, Stages: []Stage{{s, 9}, {s, 3}}}, -1, 0, 9},
		{"shared", Executor{Kind: SharedIterations, Workers: 3, Iterations: 10}, 10, 0, 3},
		{"per worker", Executor{Kind: PerWorkerIterations, Workers: 3, Iterations: 4}, 12, 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n, r, w := tc.exec.Planned()
			if n != tc.iters || r != tc.rate || w != tc.peak {
				t.Errorf("Planned() = %d, %v, %d; want %d, %v, %d", n, r, w, tc.iters, tc.rate, tc.peak)
			}
		})
	}
}

func TestOpenWorkers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		exec     Executor
		pre, max int
	}{
		{Executor{Kind: ConstantRate, Rate: 5, Duration: time.Second}, 1, 100},
		{Executor{Kind: ConstantRate, Rate: 400, Duration: time.Second}, 40, 4000},
		{Executor{Kind: ConstantRate, Rate: 400, Duration: time.Second, MaxWorkers: 10}, 10, 10},
		{Executor{Kind: ConstantRate, Rate: 400, Duration: time.Second, Workers: 3}, 3, 4000},
		// 3000/s: ~150 in flight at 50ms; the default allows 10s of it.
		{Executor{Kind: ConstantRate, Rate: 3000, Duration: time.Second}, 300, 30000 / 3},
		{Executor{Kind: ConstantRate, Rate: 3000, Duration: time.Second, Workers: 20000}, 20000, 20000},
		{Executor{Kind: RampingRate, Rate: 0, Stages: []Stage{{time.Second, 50}}}, 5, 500},
	} {
		if pre, max := tc.exec.OpenWorkers(); pre != tc.pre || max != tc.max {
			t.Errorf("%+v: OpenWorkers() = %d, %d; want %d, %d", tc.exec, pre, max, tc.pre, tc.max)
		}
	}
}

// TestNoGoroutineOutlivesRun runs on the real clock, with health and
// progress on, through a graceful stop, and checks that the goroutine
// count comes back. (The fake-clock tests check the same through synctest,
// which fails a test whose goroutines outlive it.)
func TestNoGoroutineOutlivesRun(t *testing.T) {
	before := runtime.NumGoroutine()
	// Stopped once an iteration is in flight (a fixed delay could pass
	// before a loaded machine starts the scenario, which then never runs).
	stop := make(chan struct{})
	var once sync.Once
	block := OpFunc(func(ctx context.Context, _ *Iteration) error {
		once.Do(func() { time.AfterFunc(20*ms, func() { close(stop) }) })
		<-ctx.Done()
		return ctx.Err()
	})
	p := &Plan{Name: "leak", Scenarios: []Scenario{
		{Name: "rate", Executor: Executor{Kind: ConstantRate, Rate: 200, Duration: time.Minute}, GracefulStop: 10 * ms,
			Steps: []Step{{Name: "block", Op: block}}},
		{Name: "ramp", Executor: Executor{Kind: RampingWorkers, Workers: 3, Stages: []Stage{{time.Minute, 0}}}, ThinkTime: time.Second,
			Steps: []Step{{Name: "nop", Op: nop}}},
	}}
	var progress int
	out, err := Run(context.Background(), p, discard{}, Options{Stop: stop, Progress: func(Progress) { progress++ }})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Stopped || out.Scenarios[0].Interrupted == 0 || progress == 0 {
		t.Errorf("outcome %+v, %d progress calls; want stopped with interrupted iterations and a final progress call", out, progress)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(ms)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Run, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// TestProgress checks that the progress hook runs on every whole second of
// the run's clock and once more at the end.
func TestProgress(t *testing.T) {
	t.Parallel()
	var got []time.Duration
	var last Progress
	_, _, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
		opts.Progress = func(p Progress) {
			got = append(got, p.Elapsed)
			last = p
		}
		return plan1(Scenario{
			Name:     "p",
			Executor: Executor{Kind: ConstantWorkers, Workers: 1, Duration: 3500 * ms},
			Steps:    []Step{{Name: "op", Op: sleepOp(c, 300*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3500 * ms} // no graceful window
	if len(got) != len(want) {
		t.Fatalf("progress at %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("progress at %v; want %v", got, want)
		}
	}
	if len(last.Scenarios) != 1 || last.Scenarios[0].Completed != 11 || last.Scenarios[0].Interrupted != 1 {
		t.Errorf("last progress %+v; want 11 iterations completed, 1 interrupted at 3.5s", last)
	}
}

// TestOutcomeEndBeforeTeardown checks that Outcome.End is when the
// scenarios ended, as Outcome.Start is when Setup returned: a slow
// Teardown does not lengthen the run.
func TestOutcomeEndBeforeTeardown(t *testing.T) {
	t.Parallel()
	out, _, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		p := plan1(Scenario{
			Name:     "s",
			Executor: Executor{Kind: ConstantWorkers, Workers: 1, Duration: time.Second},
			Steps:    []Step{{Name: "op", Op: sleepOp(c, 250*ms)}},
		})
		p.Setup = func(ctx context.Context) error { return c.sleep(ctx, 3*time.Second) }
		p.Teardown = func(ctx context.Context) error { return c.sleep(ctx, 5*time.Second) }
		return p
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := out.End.Sub(out.Start); d != time.Second {
		t.Errorf("run took %v; want 1s (setup and teardown left out)", d)
	}
}

// TestShortRunMeasured checks that a run shorter than a second still gets a
// health record (its last part of a second), so its figures are measured,
// not zeros.
func TestShortRunMeasured(t *testing.T) {
	sink := newRecSink()
	p := plan1(Scenario{Name: "short", Executor: Executor{Kind: ConstantRate, Rate: 20, Duration: 300 * ms}, Steps: []Step{{Name: "nop", Op: nop}}})
	if _, err := Run(context.Background(), p, sink, Options{}); err != nil {
		t.Fatal(err)
	}
	if len(sink.health) != 1 {
		t.Fatalf("%d health records; want 1 for the 300ms run", len(sink.health))
	}
	h := sink.health[0]
	if h.Second != 0 || h.Goroutines == 0 || h.HeapBytes == 0 || (runtime.GOOS != "windows" && math.IsNaN(h.CPUPercent)) || h.StartLags == 0 {
		t.Errorf("health %+v; want second 0 with goroutines, heap, CPU and start lags measured", h)
	}
}
