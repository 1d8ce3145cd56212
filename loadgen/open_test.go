package loadgen

import (
	"context"
	"github.com/ironcorelabs/loadgen/results"
	"math"
	"testing"
	"time"
)

// TestConstantRateSpacing checks that intended starts are exactly 1/rate
// apart and that, with an instant op, latency is zero.
func TestConstantRateSpacing(t *testing.T) {
	t.Parallel()
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		return plan1(Scenario{
			Name:     "s",
			Executor: Executor{Kind: ConstantRate, Rate: 40, Duration: time.Second},
			Steps:    []Step{{Name: "nop", Op: nop}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.sorted("")
	if len(got) != 40 {
		t.Fatalf("%d samples; want 40", len(got))
	}
	for i, s := range got {
		if want := time.Duration(i) * 25 * ms; s.Start != want || s.Latency != 0 || s.ServiceTime != 0 {
			t.Errorf("sample %d: start %v latency %v service %v; want start %v and 0, 0", i, s.Start, s.Latency, s.ServiceTime, want)
		}
	}
	sc := out.Scenarios[0]
	if sc.Started != 40 || sc.Completed != 40 || sc.Late != 0 || sc.Dropped != 0 || sc.Workers != 4 {
		t.Errorf("outcome %+v; want 40 started and completed, 0 late and dropped, 4 workers (40/s ÷ 10)", sc)
	}
}

// TestRampingRateStarts checks the starts of a 0→10/s ramp over 10s
// against At(n) = sqrt(2n).
func TestRampingRateStarts(t *testing.T) {
	t.Parallel()
	_, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		return plan1(Scenario{
			Name:     "ramp",
			Executor: Executor{Kind: RampingRate, Rate: 0, Stages: []Stage{{10 * time.Second, 10}}},
			Steps:    []Step{{Name: "nop", Op: sleepOp(c, 10*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.sorted("")
	if len(got) != 50 {
		t.Fatalf("%d samples; want 50", len(got))
	}
	for n, s := range got {
		want := time.Duration(math.Round(math.Sqrt(2*float64(n)) * 1e9))
		if s.Start != want || s.Latency != 10*ms {
			t.Errorf("iteration %d: start %v latency %v; want %v, 10ms", n, s.Start, s.Latency, want)
		}
	}
}

// TestOpenGrowsWorkers checks that a rate executor starts workers up to
// its maximum rather than running late.
func TestOpenGrowsWorkers(t *testing.T) {
	t.Parallel()
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		return plan1(Scenario{
			Name:         "s",
			Executor:     Executor{Kind: ConstantRate, Rate: 10, Duration: time.Second, Workers: 1, MaxWorkers: 5},
			GracefulStop: time.Second,
			Steps:        []Step{{Name: "slow", Op: sleepOp(c, 250*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	sc := out.Scenarios[0]
	if sc.Started != 10 || sc.Late != 0 || sc.Dropped != 0 || sc.Workers != 3 || sc.MaxActiveWorkers != 3 {
		t.Errorf("outcome %+v; want 10 started, none late or dropped, 3 workers, 3 active at most", sc)
	}
	for _, s := range sink.samples {
		if s.Latency != 250*ms || s.ServiceTime != 250*ms {
			t.Errorf("sample at %v: latency %v service %v; want 250ms both", s.Start, s.Latency, s.ServiceTime)
		}
	}
}

// TestConstantRateLateAndDropped follows one worker that cannot keep up:
// 10/s for 1s, 230ms per op, max_lateness 300ms. Iterations queue in order,
// latency runs from the intended start, and those that would start more than
// 300ms late are dropped. Iterations due before the end at 1s may still
// start late after it, in the graceful window.
func TestConstantRateLateAndDropped(t *testing.T) {
	t.Parallel()
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		return plan1(Scenario{
			Name:         "s",
			Executor:     Executor{Kind: ConstantRate, Rate: 10, Duration: time.Second, Workers: 1, MaxWorkers: 1},
			MaxLateness:  300 * ms,
			GracefulStop: time.Second,
			Steps:        []Step{{Name: "slow", Op: sleepOp(c, 230*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ start, latency time.Duration }{
		{0, 230 * ms},         // n0, on time
		{230 * ms, 360 * ms},  // n1, due 100ms
		{460 * ms, 490 * ms},  // n2, due 200ms
		{690 * ms, 520 * ms},  // n4, due 400ms (n3, due 300ms, dropped at 600ms)
		{920 * ms, 450 * ms},  // n7, due 700ms (n5, n6 dropped at 800, 900ms)
		{1150 * ms, 480 * ms}, // n9, due 900ms (n8, due 800ms, dropped at 1100ms)
	}
	got := sink.sorted("")
	if len(got) != len(want) {
		t.Fatalf("%d samples; want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Start != w.start || got[i].Latency != w.latency || got[i].ServiceTime != 230*ms {
			t.Errorf("sample %d: start %v latency %v service %v; want %v, %v, 230ms", i, got[i].Start, got[i].Latency, got[i].ServiceTime, w.start, w.latency)
		}
	}
	sc := out.Scenarios[0]
	if sc.Started != 6 || sc.Completed != 6 || sc.Late != 5 || sc.Dropped != 4 || sc.Workers != 1 || sc.MaxActiveWorkers != 1 {
		t.Errorf("outcome %+v; want 6 started and completed, 5 late, 4 dropped, 1 worker", sc)
	}
	if sink.late["s"] != 5 || sink.dropped["s"] != 4 {
		t.Errorf("sink: late %d, dropped %d; want 5, 4", sink.late["s"], sink.dropped["s"])
	}
	if d := out.End.Sub(out.Start); d != 1380*ms {
		t.Errorf("run took %v; want 1.38s", d)
	}
	for i, it := range sink.iters {
		if it.ServiceTime != 230*ms || it.Latency < it.ServiceTime {
			t.Errorf("iteration record %d: %+v", i, it)
		}
	}
}

// TestPlanMaxWorkersBudget checks that Plan.MaxWorkers stops an open
// scenario from growing: with room for one worker only, it runs late.
func TestPlanMaxWorkersBudget(t *testing.T) {
	t.Parallel()
	out, _, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		p := plan1(Scenario{
			Name:         "s",
			Executor:     Executor{Kind: ConstantRate, Rate: 10, Duration: time.Second, Workers: 1, MaxWorkers: 10},
			GracefulStop: 10 * time.Second,
			Steps:        []Step{{Name: "slow", Op: sleepOp(c, 150*ms)}},
		})
		p.MaxWorkers = 1
		return p
	})
	if err != nil {
		t.Fatal(err)
	}
	// One worker at 150ms per op: iterations start at 0, 150, …, 1350ms,
	// all but the first late, none later than 10s.
	if sc := out.Scenarios[0]; sc.Workers != 1 || sc.Started != 10 || sc.Late != 9 || sc.Dropped != 0 {
		t.Errorf("outcome %+v; want 1 worker, 10 started, 9 late, none dropped", sc)
	}
}

// TestPlanMaxRate checks that MaxRate scales every open scenario by the
// same factor.
func TestPlanMaxRate(t *testing.T) {
	t.Parallel()
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		return &Plan{Name: "capped", MaxRate: 20, Scenarios: []Scenario{
			{Name: "a", Executor: Executor{Kind: ConstantRate, Rate: 10, Duration: time.Second}, Steps: []Step{{Name: "a", Op: nop}}},
			{Name: "b", Executor: Executor{Kind: RampingRate, Rate: 30, Stages: []Stage{{time.Second, 30}}}, Steps: []Step{{Name: "b", Op: nop}}},
		}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.RateScale != 0.5 || out.Scenarios[0].Started != 5 || out.Scenarios[1].Started != 15 {
		t.Errorf("scale %v, started %d and %d; want 0.5, 5 and 15", out.RateScale, out.Scenarios[0].Started, out.Scenarios[1].Started)
	}
	if b := sink.sorted("b"); len(b) != 15 || b[1].Start != time.Duration(math.Round(1e9/15)) {
		t.Errorf("b: %d samples, second at %v; want 15 at 1/15 s", len(b), b[1].Start)
	}
}

// TestLateBehindAWait checks that every iteration that came due while the
// dispatcher waited for a free worker counts late, whichever way it then
// got a worker: 20/s for 1s on 10 workers, the first 10 iterations all
// ending at 1.05s, so iterations 10-19 (due 0.5-0.95s) all start late, after
// 1.05s, when 10 workers come free at once.
func TestLateBehindAWait(t *testing.T) {
	t.Parallel()
	for range 5 {
		out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
			return plan1(Scenario{
				Name:         "s",
				Executor:     Executor{Kind: ConstantRate, Rate: 20, Duration: time.Second, Workers: 10, MaxWorkers: 10},
				GracefulStop: 10 * time.Second,
				Steps: []Step{{Name: "op", Op: OpFunc(func(ctx context.Context, it *Iteration) error {
					if it.N < 10 {
						return c.sleep(ctx, 1050*ms-time.Duration(it.N)*50*ms)
					}
					return nil
				})}},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if sc := out.Scenarios[0]; sc.Started != 20 || sc.Late != 10 || sc.Dropped != 0 || sink.late["s"] != 10 {
			t.Fatalf("outcome %+v, sink late %d; want 20 started, 10 late, none dropped", sc, sink.late["s"])
		}
		for _, s := range sink.sorted("")[10:] {
			if s.Start != 1050*ms {
				t.Errorf("late sample started at %v; want 1.05s", s.Start)
			}
		}
	}
}

// TestDroppedWhenDispatcherBehind checks that an iteration more than
// MaxLateness past its intended start is dropped even when a worker is
// free: the run's start lies 20s back, so iterations due at 0-10s are
// dropped and those due at 11-19s start at once (late by start lag only).
func TestDroppedWhenDispatcherBehind(t *testing.T) {
	t.Parallel()
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
		opts.Start = c.Now().Add(-20 * time.Second)
		return plan1(Scenario{
			Name:        "s",
			Executor:    Executor{Kind: ConstantRate, Rate: 1, Duration: 30 * time.Second},
			MaxLateness: 10 * time.Second,
			Steps:       []Step{{Name: "op", Op: sleepOp(c, 10*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Iterations 0-10 are 10 s or more overdue: dropped. Of the 9 overdue
	// ones left (11-19), the first takes the pre-allocated worker and the
	// other 8 wait for it in turn (the dispatcher is more than 100 ms
	// behind, so it adds no worker): late. Iteration 20, due while the
	// last of them waited, is late too. (The op takes 10 ms so that a
	// worker is busy when the next is dispatched, whatever the scheduler
	// does: with an instant op the count of late ones was a race.)
	if sc := out.Scenarios[0]; sc.Started != 19 || sc.Dropped != 11 || sc.Late != 9 || sink.dropped["s"] != 11 {
		t.Errorf("outcome %+v; want 19 started, 11 dropped, 9 late", sc)
	}
	for _, s := range sink.sorted("") {
		if late := s.Latency - s.ServiceTime; late >= 10*time.Second {
			t.Errorf("sample at %v started %v late; want less than 10s", s.Start, late)
		}
	}
}

// TestDefaultWorkersHoldTheRate runs 3000/s for 2s of 50ms iterations
// with the engine's default workers: ~150 must be in flight, and the
// default lets them start, so every iteration starts on time and none
// waits for loadgen's own cap.
func TestDefaultWorkersHoldTheRate(t *testing.T) {
	t.Parallel()
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		return plan1(Scenario{
			Name:         "s",
			Executor:     Executor{Kind: ConstantRate, Rate: 3000, Duration: 2 * time.Second},
			GracefulStop: time.Second,
			Steps:        []Step{{Name: "op", Op: sleepOp(c, 50*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	sc := out.Scenarios[0]
	// Starts are rounded to the nanosecond, so one ending and one starting
	// may overlap at an instant: 150 or 151 active.
	if sc.Started != 6000 || sc.Completed != 6000 || sc.Late != 0 || sc.Dropped != 0 || sc.WorkersCappedS != 0 || sc.MaxActiveWorkers > 151 {
		t.Errorf("outcome %+v; want 6000 started and completed, none late or dropped, the cap never reached, ~150 active at most", sc)
	}
	if len(sink.caps) != 0 {
		t.Errorf("worker cap reported: %+v", sink.caps)
	}
	for _, s := range sink.samples {
		if s.Latency != 50*ms {
			t.Fatalf("sample at %v: latency %v; want 50ms", s.Start, s.Latency)
		}
	}
	if d := out.End.Sub(out.Start); d < 2*time.Second || d > 2050*ms {
		t.Errorf("run took %v; want 2s and the last iterations' 50ms", d)
	}
}

// TestWorkerCapReported runs 10/s for 3s of 300ms iterations under
// max_workers 2: 3 must be in flight, so the cap binds in every second,
// and the Sink hears of it with the cap and the rate. The 30 iterations
// take 4.5s on 2 workers, so the backlog keeps the cap reached in the
// graceful window's seconds 3 and 4 too.
func TestWorkerCapReported(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		maxWorkers int
		budget     int // Plan.MaxWorkers, 0 = none
		wantBudget bool
	}{
		{"max_workers", 2, 0, false},
		{"target.max_workers", 5, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
				p := plan1(Scenario{
					Name:         "s",
					Executor:     Executor{Kind: ConstantRate, Rate: 10, Duration: 3 * time.Second, Workers: 1, MaxWorkers: tc.maxWorkers},
					GracefulStop: 10 * time.Second,
					Steps:        []Step{{Name: "op", Op: sleepOp(c, 300*ms)}},
				})
				p.MaxWorkers = tc.budget
				return p
			})
			if err != nil {
				t.Fatal(err)
			}
			sc := out.Scenarios[0]
			if sc.WorkersCappedS != 5 || sc.Late != 28 || sc.MaxActiveWorkers != 2 {
				t.Errorf("outcome %+v; want the cap reached in 5 s, 28 late, 2 active at most", sc)
			}
			want := results.WorkerCap{Scenario: "s", MaxWorkers: 2, Budget: tc.wantBudget, PeakRate: 10, Seconds: 5}
			if got := sink.caps["s"]; got != want {
				t.Errorf("worker cap %+v; want %+v", got, want)
			}
		})
	}
}

// TestNoWorkerBurstWhenBehind starts a 100/s scenario of 20ms iterations
// half a second late (as a dispatcher the machine did not schedule would
// be): the iterations it finds more than 100ms overdue wait for its 10
// pre-allocated workers rather than each getting a new worker (and
// connection), which would feed the starvation that made it late; once it
// is within 100ms of the schedule it may add workers again, so at most
// 10 + 100/s × (100ms + 20ms) ≈ 22 (it was 44). The worker cap is not what
// held them.
func TestNoWorkerBurstWhenBehind(t *testing.T) {
	t.Parallel()
	out, _, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
		opts.Start = c.Now().Add(-500 * ms)
		return plan1(Scenario{
			Name:         "s",
			Executor:     Executor{Kind: ConstantRate, Rate: 100, Duration: 2 * time.Second},
			GracefulStop: time.Second,
			Steps:        []Step{{Name: "op", Op: sleepOp(c, 20*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	sc := out.Scenarios[0]
	if sc.Started != 200 || sc.Dropped != 0 || sc.Workers > 22 || sc.WorkersCappedS != 0 || sc.Late == 0 {
		t.Errorf("outcome %+v; want all 200 started on at most 22 workers, the late ones counted late, the cap never reached", sc)
	}
}

// TestBehindStillGrows starts a 100/s scenario of 200ms iterations half a
// second late: ~20 must be in flight, and its 10 pre-allocated workers
// carry only 50/s. Waiting for them alone, the dispatcher would never
// come back within 100ms of its schedule, so it would never add a worker:
// every iteration late, the run twice its length, and no cap to name. It
// must add workers (slowly, not one per overdue iteration) until it keeps
// up again.
func TestBehindStillGrows(t *testing.T) {
	t.Parallel()
	var took time.Duration
	out, _, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
		opts.Start = c.Now().Add(-500 * ms)
		return plan1(Scenario{
			Name:         "s",
			Executor:     Executor{Kind: ConstantRate, Rate: 100, Duration: 4 * time.Second},
			GracefulStop: 10 * time.Second,
			Steps:        []Step{{Name: "op", Op: sleepOp(c, 200*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	sc := out.Scenarios[0]
	took = out.End.Sub(out.Start)
	t.Logf("took %v: %+v", took, sc)
	if sc.Started != 400 || sc.Dropped != 0 || sc.WorkersCappedS != 0 || took > 4500*ms || sc.Workers < 20 || sc.Workers > 60 {
		t.Errorf("took %v, outcome %+v; want all 400 started on 20 to 60 workers within about the 4s asked, the cap never reached", took, sc)
	}
}

// TestDispatcherBehind checks when a dispatcher behind its schedule may
// add workers: not on falling behind, yes after 100ms without catching up
// half of it, no when it caught up that much, and a stale judgment (none
// for over 200ms, as across a capacity level's cool-down) starts afresh.
func TestDispatcherBehind(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, tc := range []struct {
		name         string
		since        time.Duration // ago; 0: not behind before
		was, lag     time.Duration
		behind       bool
		wantGrowMore bool
	}{
		{"on time", 0, 0, 50 * ms, false, false},
		{"falls behind", 0, 0, 150 * ms, true, false},
		{"within the window", 50 * ms, 150 * ms, 300 * ms, true, false},
		{"not catching up", 120 * ms, 150 * ms, 300 * ms, false, true},
		{"catching up", 120 * ms, 400 * ms, 300 * ms, true, false},
		{"stale", time.Second, 150 * ms, 300 * ms, true, false},
	} {
		d := &dispatcher{spawned: 30, behindLag: tc.was}
		if tc.since > 0 {
			d.behindSince = now.Add(-tc.since)
		}
		got := d.behind(job{intended: now.Add(-tc.lag)}, now)
		if got != tc.behind || (d.grow > 0) != tc.wantGrowMore || tc.wantGrowMore && d.grow != 3 {
			t.Errorf("%s: behind %v, grow %d; want %v, growing: %v (by a tenth of 30)", tc.name, got, d.grow, tc.behind, tc.wantGrowMore)
		}
	}
}
