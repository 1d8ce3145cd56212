package loadgen

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// levelRec is a recSink that also keeps capacity levels.
type levelRec struct {
	*recSink
	lmu    sync.Mutex
	levels []*results.CapacityLevel
}

func (s *levelRec) RecordCapacityLevel(l *results.CapacityLevel) {
	s.lmu.Lock()
	s.levels = append(s.levels, l)
	s.lmu.Unlock()
}

// runCapacityFake runs one capacity scenario in a synctest bubble.
func runCapacityFake(t *testing.T, sc func(c *bubble) Scenario) (*Outcome, *levelRec, time.Duration) {
	t.Helper()
	sink := &levelRec{recSink: newRecSink()}
	var out *Outcome
	var took time.Duration
	synctest.Test(t, func(t *testing.T) {
		c := &bubble{done: make(chan struct{})}
		start := time.Now()
		var err error
		out, err = Run(context.Background(), plan1(sc(c)), sink, Options{NoHealth: true, Start: start})
		took = time.Since(start)
		close(c.done)
		if err != nil {
			t.Fatal(err)
		}
	})
	return out, sink, took
}

// fifoServer is an op that models one server, first come first served,
// taking d per request: at most 1/d requests a second. (A channel, not a
// mutex: a goroutine blocked on a mutex does not let a synctest bubble's
// clock advance.)
func fifoServer(c *bubble, d time.Duration) Op {
	sem := make(chan struct{}, 1)
	return OpFunc(func(ctx context.Context, _ *Iteration) error {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-sem }()
		return c.sleep(ctx, d)
	})
}

func mustRule(t *testing.T, key, expr string) results.Rule {
	t.Helper()
	th, err := results.ParseThreshold(expr)
	if err != nil {
		t.Fatal(err)
	}
	return results.Rule{Key: key, Expr: expr, T: th}
}

func rates(ls []*results.CapacityLevel) []float64 {
	out := make([]float64, len(ls))
	for i, l := range ls {
		out[i] = l.Rate
	}
	return out
}

func TestCapacityBisection(t *testing.T) {
	slo := []results.Rule{mustRule(t, "*", "p(99) < 30ms")}
	_, sink, took := runCapacityFake(t, func(c *bubble) Scenario {
		return Scenario{
			Name: "cap",
			Executor: Executor{Kind: Capacity, Rate: 20, Capacity: &CapacitySearch{
				Step: 5 * time.Second, MaxRate: 1000, Cooldown: time.Second, SLO: slo}},
			Steps: []Step{{Name: "serve", Op: fifoServer(c, 10*ms)}},
		}
	})
	// One server of 10 ms serves 100/s. Up by 1.5× from 20/s until
	// 101.25/s fails (the queue grows 0.12 ms an iteration: p99 ≈ 71 ms),
	// then halves the bracket above 67.5/s until it is within 5%
	// (97.03/s to 101.25/s: 4.2%).
	want := []float64{20, 30, 45, 67.5, 101.25, 84.375, 92.8125, 97.03125}
	got := rates(sink.levels)
	if len(got) != len(want) {
		t.Fatalf("levels %v, want %v", got, want)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Fatalf("levels %v, want %v", got, want)
		}
	}
	for i, l := range sink.levels {
		pass, why := l.Stats.Judge(slo, l.Step.Seconds())
		if pass != (l.Rate < 100) {
			t.Errorf("level %d (%g/s): pass %v (%s)", i, l.Rate, pass, why)
		}
		if l.Limited != "" || l.Cut != "" {
			t.Errorf("level %d (%g/s): limited %q, cut %q", i, l.Rate, l.Limited, l.Cut)
		}
		if i > 0 && l.Start < sink.levels[i-1].End+time.Second {
			t.Errorf("level %d starts at %v, before the cool-down after %v", i, l.Start, sink.levels[i-1].End)
		}
	}
	// Eight levels of 5 s, each drained, with 1 s cool-downs between.
	if took < 8*5*time.Second+7*time.Second || took > 8*5*time.Second+7*time.Second+2*time.Second {
		t.Errorf("the search took %v", took)
	}
	sum := summarize(t, sink.levels)
	if sum.MaxRatePerS != 97.03125 || sum.FirstFailingRatePerS == nil || *sum.FirstFailingRatePerS != 101.25 || sum.LimitedBy != "slo" {
		t.Errorf("verdict %+v", sum)
	}
	if sum.Verdict != "sustains 97/s at p(99) < 30ms; fails at 101/s: p99 71.9 ms" {
		t.Errorf("verdict %q", sum.Verdict)
	}
}

// summarize draws the verdict through a Recorder, as a run does.
func summarize(t *testing.T, levels []*results.CapacityLevel) *results.CapacitySummary {
	t.Helper()
	rec, err := results.NewRecorder(results.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	for _, l := range levels {
		rec.RecordCapacityLevel(l)
	}
	for _, sc := range rec.Summary().Scenarios {
		if sc.Capacity != nil {
			return sc.Capacity
		}
	}
	t.Fatal("no capacity in the summary")
	return nil
}

func TestCapacityAbort(t *testing.T) {
	fail := errors.New("503")
	_, sink, took := runCapacityFake(t, func(c *bubble) Scenario {
		return Scenario{
			Name: "cap",
			// 47.5/s: no iteration is due at the check's instant.
			Executor: Executor{Kind: Capacity, Rate: 47.5, Capacity: &CapacitySearch{
				Step: 10 * time.Second, MaxRate: 1000, SLO: []results.Rule{mustRule(t, "*", "error_rate < 1%")},
				Abort: []results.Rule{mustRule(t, "*", "error_rate > 20%")}}},
			Steps: []Step{{Name: "x", Op: OpFunc(func(context.Context, *Iteration) error { return fail })}},
		}
	})
	if len(sink.levels) != 1 {
		t.Fatalf("levels %v, want the first only", rates(sink.levels))
	}
	l := sink.levels[0]
	if !strings.HasPrefix(l.Cut, "abort: error_rate 100% (abort: error_rate > 20%)") {
		t.Errorf("cut %q", l.Cut)
	}
	// The first check, a tenth of the step in, ends it.
	if took != time.Second {
		t.Errorf("the search took %v, want 1s", took)
	}
	if n := len(sink.samples); n != 48 {
		t.Errorf("%d samples, want the 48 of the first second", n)
	}
	sum := summarize(t, sink.levels)
	if sum.LimitedBy != "abort" || sum.MaxRatePerS != 0 || sum.FirstFailingRatePerS == nil {
		t.Errorf("verdict %+v", sum)
	}
}

func TestCapacityGeneratorLimited(t *testing.T) {
	// Five workers of 100 ms drive at most 50/s; the target never fails.
	_, sink, _ := runCapacityFake(t, func(c *bubble) Scenario {
		return Scenario{
			Name: "cap",
			Executor: Executor{Kind: Capacity, Rate: 20, MaxWorkers: 5, Capacity: &CapacitySearch{
				Step: 4 * time.Second, MaxRate: 1000, SLO: []results.Rule{mustRule(t, "*", "p(99) < 1s")}}},
			Steps: []Step{{Name: "x", Op: sleepOp(c, 100*ms)}},
		}
	})
	var limited int
	for _, l := range sink.levels {
		if l.Limited != "" {
			limited++
			if l.Rate <= 50 {
				t.Errorf("%g/s limited: %s", l.Rate, l.Limited)
			}
		}
	}
	if limited == 0 {
		t.Fatalf("no level limited: %v", rates(sink.levels))
	}
	sum := summarize(t, sink.levels)
	if sum.LimitedBy != "generator" || sum.FirstFailingRatePerS != nil || sum.MaxRatePerS < 45 || sum.MaxRatePerS > 50 {
		t.Errorf("verdict %+v", sum)
	}
	if !strings.Contains(sum.Verdict, "not the target's limit") {
		t.Errorf("verdict %q", sum.Verdict)
	}
}

func TestCapacityMaxDuration(t *testing.T) {
	_, sink, took := runCapacityFake(t, func(c *bubble) Scenario {
		return Scenario{
			Name: "cap",
			Executor: Executor{Kind: Capacity, Rate: 10, Duration: 7 * time.Second, Capacity: &CapacitySearch{
				Step: 3 * time.Second, MaxRate: 1000, SLO: []results.Rule{mustRule(t, "*", "p(99) < 1s")}}},
			Steps: []Step{{Name: "x", Op: nop}},
		}
	})
	got := rates(sink.levels)
	if len(got) != 3 || sink.levels[2].Cut != "max_duration" || sink.levels[1].Cut != "" {
		t.Fatalf("levels %v, last cut %q", got, sink.levels[len(got)-1].Cut)
	}
	if took != 7*time.Second {
		t.Errorf("took %v", took)
	}
	if sum := summarize(t, sink.levels); sum.LimitedBy != "max_duration" || sum.MaxRatePerS != 15 {
		t.Errorf("verdict %+v", sum)
	}
}

func TestSearchNext(t *testing.T) {
	s := newSearch(&CapacitySearch{Step: time.Second, MaxRate: 100, Factor: 2})
	steps := []struct {
		rate float64
		o    levelOutcome
		next float64
		ok   bool
	}{
		{10, levelPass, 20, true},
		{20, levelPass, 40, true},
		{40, levelPass, 80, true},
		{80, levelPass, 100, true}, // capped at max_rate
		{100, levelPass, 0, false}, // max_rate passed: over
	}
	for _, st := range steps {
		n, ok := s.next(st.rate, st.o)
		if n != st.next || ok != st.ok {
			t.Fatalf("after %g: %g %v, want %g %v", st.rate, n, ok, st.next, st.ok)
		}
	}
	// A failing first level bisects down towards zero, but not below
	// capacityMinIterations a step.
	s = newSearch(&CapacitySearch{Step: time.Second, MaxRate: 100})
	var got []float64
	r, o := 100.0, levelFail
	for {
		n, ok := s.next(r, o)
		if !ok {
			break
		}
		got = append(got, n)
		r = n
	}
	if len(got) != 3 || got[0] != 50 || got[1] != 25 || got[2] != 12.5 {
		t.Errorf("bisected down to %v, want [50 25 12.5]", got)
	}
}

func TestLevelLimits(t *testing.T) {
	r := &scenarioRun{exec: Executor{Kind: Capacity}}
	lv := &results.CapacityLevel{Start: time.Second, End: 5 * time.Second}
	sat := func(cause string) { noteHealth([]*scenarioRun{r}, results.Health{Saturated: true, Cause: cause}) }
	if why := r.levelLimits(lv, 10, 0, 0, 0, true); why != "" {
		t.Errorf("nothing happened: %q", why)
	}
	sat(results.CauseCrypto)
	sat(results.CauseService) // the embedded target's own CPU: its capacity, not a limit
	noteHealth([]*scenarioRun{r}, results.Health{Cause: results.CauseCPU})
	if why := r.levelLimits(lv, 10, 0, 0, 0, true); why != "" {
		t.Errorf("one saturated second of four: %q", why)
	}
	sat(results.CauseCPU)
	if why := r.levelLimits(lv, 10, 0, 0, 0, true); why != "generator saturated 2 s (cpu)" {
		t.Errorf("two of four: %q", why)
	}
	r.capped.Store(3)
	r.dropped.Store(7)
	if why := r.levelLimits(lv, 10, 1, 0, 2, false); why != "every one of its 10 workers busy in 2 s (max_workers)" {
		t.Errorf("capped, drops of a stop: %q", why)
	}
	if why := r.levelLimits(lv, 10, 3, 0, 2, true); why != "7 iterations dropped" {
		t.Errorf("dropped: %q", why)
	}
}
