package loadgen

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// TestSteps runs three steps where the second fails on odd iterations:
// the third then does not run and the iteration is Failed. Vars start empty
// each iteration; WorkerState persists; phases and status reach the Sample.
func TestSteps(t *testing.T) {
	t.Parallel()
	errOdd := errors.New("odd")
	var dirty, counted int
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		first := OpFunc(func(ctx context.Context, it *Iteration) error {
			if len(it.Vars) != 0 {
				dirty++
			}
			it.Vars["n"] = it.N
			it.Worker.Values["count"], _ = it.Worker.Values["count"].(int)
			it.Worker.Values["count"] = it.Worker.Values["count"].(int) + 1
			start := c.Now()
			if err := c.sleep(ctx, 10*ms); err != nil {
				return err
			}
			it.Phase("crypto:work", start, c.Now())
			it.SetStatus(201)
			return nil
		})
		second := OpFunc(func(ctx context.Context, it *Iteration) error {
			if it.Vars["n"] != it.N {
				t.Errorf("Vars[n] = %v in iteration %d", it.Vars["n"], it.N)
			}
			if err := c.sleep(ctx, 5*ms); err != nil {
				return err
			}
			if it.N%2 == 1 {
				return errOdd
			}
			return nil
		})
		third := OpFunc(func(ctx context.Context, it *Iteration) error {
			counted = it.Worker.Values["count"].(int)
			return nil
		})
		return plan1(Scenario{
			Name:     "s",
			Executor: Executor{Kind: PerWorkerIterations, Workers: 1, Iterations: 4},
			Steps:    []Step{{Name: "first", Op: first}, {Name: "second", Op: second}, {Name: "third", Op: third}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if dirty != 0 {
		t.Errorf("Vars not empty at the start of %d iterations", dirty)
	}
	if counted != 3 {
		t.Errorf("worker count at the last third step %d; want 3", counted)
	}
	if sc := out.Scenarios[0]; sc.Started != 4 || sc.Completed != 4 || sc.Failed != 2 {
		t.Errorf("outcome %+v; want 4 started and completed, 2 failed", sc)
	}
	if n := [3]int{len(sink.sorted("first")), len(sink.sorted("second")), len(sink.sorted("third"))}; n != [3]int{4, 4, 2} {
		t.Errorf("samples per step %v; want [4 4 2]", n)
	}
	for i, s := range sink.sorted("first") {
		want := []results.Phase{{Name: "crypto:work", Start: 0, End: 10 * ms}}
		if len(s.Phases) != 1 || s.Phases[0] != want[0] || s.Status != 201 || !s.OK() {
			t.Errorf("first step %d: phases %v status %d ok %v; want %v, 201, ok", i, s.Phases, s.Status, s.OK(), want)
		}
	}
	for i, s := range sink.sorted("second") {
		if odd := i%2 == 1; odd != errors.Is(s.Err, errOdd) || odd != (s.Class != "") || len(s.Phases) != 0 {
			t.Errorf("second step %d: err %v class %q phases %v", i, s.Err, s.Class, s.Phases)
		}
		if s.Latency != 5*ms || s.Start != time.Duration(i)*15*ms+10*ms {
			t.Errorf("second step %d: start %v latency %v; want %v, 5ms", i, s.Start, s.Latency, time.Duration(i)*15*ms+10*ms)
		}
	}
	for i, it := range sink.iters {
		if it.Failed != (i%2 == 1) || it.ServiceTime != 15*ms {
			t.Errorf("iteration record %d: %+v", i, it)
		}
	}
}

// TestMix checks that weighted picks follow the weights and depend only on
// the seed and the iteration number.
func TestMix(t *testing.T) {
	t.Parallel()
	picks := func(seed int64) (map[string]int, []string) {
		sc := Scenario{Name: "mix", Mix: []Step{{Name: "a", Op: nop, Weight: 8}, {Name: "b", Op: nop, Weight: 2}}}
		r := newScenarioRun(&sc, Executor{}, seed)
		count := map[string]int{}
		var seq []string
		for n := range int64(10000) {
			st := r.steps(n)
			if len(st) != 1 {
				t.Fatalf("iteration %d: %d steps picked", n, len(st))
			}
			count[st[0].Name]++
			seq = append(seq, st[0].Name)
		}
		return count, seq
	}
	c1, s1 := picks(1)
	_, s1again := picks(1)
	_, s2 := picks(2)
	// 10000 draws at p = 0.8: sd 40, so ±200 is 5 sd.
	if c1["a"] < 7800 || c1["a"] > 8200 {
		t.Errorf("weights 8:2 gave %v", c1)
	}
	same, diff := true, 0
	for i := range s1 {
		same = same && s1[i] == s1again[i]
		if s1[i] != s2[i] {
			diff++
		}
	}
	if !same {
		t.Error("the same seed picked differently")
	}
	if diff < 1000 {
		t.Errorf("seeds 1 and 2 differ in %d of 10000 picks; want them independent", diff)
	}
}

// TestMixRun checks that a run with a mix records one sample per iteration
// under the picked step's name, the same for the same seed.
func TestMixRun(t *testing.T) {
	t.Parallel()
	run := func() []string {
		_, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
			opts.Seed = 42
			return plan1(Scenario{
				Name:     "mix",
				Executor: Executor{Kind: ConstantRate, Rate: 100, Duration: time.Second},
				Mix:      []Step{{Name: "a", Op: nop, Weight: 1}, {Name: "b", Op: nop, Weight: 1}, {Name: "c", Op: nop, Weight: 2}},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range sink.sorted("") {
			names = append(names, s.Op)
		}
		return names
	}
	a, b := run(), run()
	if len(a) != 100 || len(b) != 100 {
		t.Fatalf("%d and %d samples; want 100", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("pick %d: %s then %s with the same seed", i, a[i], b[i])
		}
	}
}

// TestIterationAllocs holds the hot path to no allocation per iteration
// with a no-op op and a sink that keeps nothing.
func TestIterationAllocs(t *testing.T) {
	sc := Scenario{Name: "a", Steps: []Step{{Name: "nop", Op: nop}, {Name: "nop2", Op: nop}}}
	r := newScenarioRun(&sc, Executor{Kind: ConstantWorkers, Workers: 1}, 0)
	r.sink, r.runStart = discard{}, time.Now()
	w := r.newWorker(0)
	ctx := context.Background()
	intended := time.Now()
	if a := testing.AllocsPerRun(1000, func() { w.iterate(ctx, 1, intended, true) }); a != 0 {
		t.Errorf("%v allocations per iteration; want 0", a)
	}
}

// discard is a Sink that keeps nothing.
type discard struct{}

func (discard) RecordSample(*results.Sample)       {}
func (discard) RecordIteration(*results.Iteration) {}
func (discard) AddLate(string, int64)              {}
func (discard) AddDropped(string, int64)           {}
func (discard) RecordWorkerCap(results.WorkerCap)  {}
func (discard) RecordHealth(results.Health)        {}

// TestStartLagHealthSkipsQueued keeps iterations that waited for a worker
// out of the generator's start-lag health: their lateness is the target's.
func TestStartLagHealthSkipsQueued(t *testing.T) {
	sc := Scenario{Name: "a", Steps: []Step{{Name: "nop", Op: nop}}}
	r := newScenarioRun(&sc, Executor{Kind: ConstantRate, Rate: 1, Duration: time.Second}, 0)
	r.sink, r.runStart = discard{}, time.Now()
	r.gauges = &gauges{}
	w := r.newWorker(0)
	total := func() (n int64) {
		for i := range r.gauges.lag.counts {
			n += r.gauges.lag.counts[i].Load()
		}
		return n
	}
	w.iterate(context.Background(), 0, time.Now().Add(-time.Second), false)
	if n := total(); n != 0 {
		t.Fatalf("a queued iteration counted in start-lag health (%d)", n)
	}
	w.iterate(context.Background(), 1, time.Now(), true)
	if n := total(); n != 1 {
		t.Fatalf("an iteration that found a worker ready: %d lag records, want 1", n)
	}
}
