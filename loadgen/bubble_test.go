package loadgen

import (
	"context"
	"sort"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// bubble runs a test's plan inside a testing/synctest bubble, where the
// time package's clock is fake: it stands still while any goroutine of the
// bubble can run and jumps to the next timer when all are blocked, so runs
// are exact and instant. Its methods are the tests' shorthand for the time
// package in the bubble.
type bubble struct {
	done chan struct{} // closed when Run has returned
}

// Now is time.Now (fake in the bubble).
func (*bubble) Now() time.Time { return time.Now() }

// sleep blocks for d, or until ctx is done.
func (*bubble) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// at runs f once d has passed, unless the run is over by then.
func (b *bubble) at(d time.Duration, f func()) {
	t := time.NewTimer(d)
	go func() {
		select {
		case <-t.C:
			f()
		case <-b.done:
			t.Stop()
		}
	}()
}

// runFake runs a plan in a fresh synctest bubble, without generator health
// (the process's CPU does not follow fake time). setup is called in the
// bubble first to make the plan and fill in options; cancel cancels Run's
// context.
func runFake(t *testing.T, setup func(c *bubble, cancel context.CancelFunc, opts *Options) *Plan) (*Outcome, *recSink, error) {
	t.Helper()
	var (
		out  *Outcome
		sink = newRecSink()
		err  error
	)
	synctest.Test(t, func(t *testing.T) {
		c := &bubble{done: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		opts := Options{NoHealth: true}
		plan := setup(c, cancel, &opts)
		out, err = Run(ctx, plan, sink, opts)
		close(c.done)
		sink.start = out.Start
	})
	return out, sink, err
}

// recSink keeps copies of everything it is given.
type recSink struct {
	mu      sync.Mutex
	start   time.Time
	samples []results.Sample
	iters   []results.Iteration
	late    map[string]int64
	dropped map[string]int64
	health  []results.Health
	caps    map[string]results.WorkerCap
}

var _ Sink = (*recSink)(nil)

func newRecSink() *recSink {
	return &recSink{late: map[string]int64{}, dropped: map[string]int64{}, caps: map[string]results.WorkerCap{}}
}

func (s *recSink) RecordSample(x *results.Sample) {
	c := *x
	c.Phases = append([]results.Phase(nil), x.Phases...)
	s.mu.Lock()
	s.samples = append(s.samples, c)
	s.mu.Unlock()
}

func (s *recSink) RecordIteration(x *results.Iteration) {
	s.mu.Lock()
	s.iters = append(s.iters, *x)
	s.mu.Unlock()
}

func (s *recSink) AddLate(sc string, n int64) {
	s.mu.Lock()
	s.late[sc] += n
	s.mu.Unlock()
}

func (s *recSink) AddDropped(sc string, n int64) {
	s.mu.Lock()
	s.dropped[sc] += n
	s.mu.Unlock()
}

func (s *recSink) RecordWorkerCap(c results.WorkerCap) {
	s.mu.Lock()
	if c.Seconds <= s.caps[c.Scenario].Seconds {
		panic("RecordWorkerCap: seconds did not grow")
	}
	s.caps[c.Scenario] = c
	s.mu.Unlock()
}

func (s *recSink) RecordHealth(h results.Health) {
	s.mu.Lock()
	s.health = append(s.health, h)
	s.mu.Unlock()
}

// sorted returns the samples of op (all if op is empty) ordered by start.
func (s *recSink) sorted(op string) []results.Sample {
	var out []results.Sample
	for _, x := range s.samples {
		if op == "" || x.Op == op {
			out = append(out, x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// nop is an op that does nothing.
var nop = OpFunc(func(context.Context, *Iteration) error { return nil })

// sleepOp takes d, or fails when its context is canceled.
func sleepOp(c *bubble, d time.Duration) Op {
	return OpFunc(func(ctx context.Context, _ *Iteration) error { return c.sleep(ctx, d) })
}

// plan1 wraps one scenario in a plan.
func plan1(sc Scenario) *Plan { return &Plan{Name: "test", Scenarios: []Scenario{sc}} }

const ms = time.Millisecond
