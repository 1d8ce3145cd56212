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

// fakeClock is a Clock whose time moves only when advance is called. Driven
// by drive inside a synctest bubble, it jumps straight to the next timer
// whenever every goroutine is blocked, so runs are exact and instant.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*fakeTimer]struct{}
	done   chan struct{} // closed by drive when the run is over
}

var _ Clock = (*fakeClock)(nil)

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 27, 3, 16, 8, 0, time.UTC), timers: map[*fakeTimer]struct{}{}, done: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	t := &fakeTimer{c: c, ch: make(chan time.Time, 1)}
	t.Reset(d)
	return t
}

// advance moves the clock to the earliest pending timer and fires every
// timer due by then. It reports false if no timer is pending.
func (c *fakeClock) advance() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return false
	}
	var next time.Time
	for t := range c.timers {
		if next.IsZero() || t.when.Before(next) {
			next = t.when
		}
	}
	if next.After(c.now) {
		c.now = next
	}
	for t := range c.timers {
		if !t.when.After(c.now) {
			c.fireLocked(t)
		}
	}
	return true
}

func (c *fakeClock) fireLocked(t *fakeTimer) {
	delete(c.timers, t)
	select {
	case t.ch <- c.now:
	default:
	}
}

type fakeTimer struct {
	c    *fakeClock
	ch   chan time.Time
	when time.Time
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	_, active := t.c.timers[t]
	delete(t.c.timers, t)
	t.drainLocked()
	return active
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	_, active := t.c.timers[t]
	t.drainLocked()
	t.when = t.c.now.Add(d)
	t.c.timers[t] = struct{}{}
	if d <= 0 {
		t.c.fireLocked(t)
	}
	return active
}

func (t *fakeTimer) drainLocked() {
	select {
	case <-t.ch:
	default:
	}
}

// sleep blocks for d of fake time, or until ctx is done.
func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// at runs f once the fake clock reaches d from now, unless the run is
// over by then.
func (c *fakeClock) at(d time.Duration, f func()) {
	t := c.NewTimer(d)
	go func() {
		select {
		case <-t.C():
			f()
		case <-c.done:
			t.Stop()
		}
	}()
}

// drive runs f (a call of Run) and advances the clock whenever every other
// goroutine of the bubble is blocked, until f returns. It must be called
// inside synctest.Test.
func (c *fakeClock) drive(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	for {
		synctest.Wait()
		select {
		case <-done:
			close(c.done)
			return
		default:
		}
		if !c.advance() {
			t.Fatal("deadlock: every goroutine is blocked and no timer is pending")
		}
	}
}

// runFake runs a plan on a fresh fake clock in a synctest bubble. setup is
// called in the bubble first to make the plan and fill in options; cancel
// cancels Run's context.
func runFake(t *testing.T, setup func(c *fakeClock, cancel context.CancelFunc, opts *Options) *Plan) (*Outcome, *recSink, error) {
	t.Helper()
	var (
		out  *Outcome
		sink = newRecSink()
		err  error
	)
	synctest.Test(t, func(t *testing.T) {
		c := newFakeClock()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		opts := Options{Clock: c}
		plan := setup(c, cancel, &opts)
		c.drive(t, func() { out, err = Run(ctx, plan, sink, opts) })
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
}

var _ Sink = (*recSink)(nil)

func newRecSink() *recSink {
	return &recSink{late: map[string]int64{}, dropped: map[string]int64{}}
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

// sleepOp takes d of fake time, or fails when its context is canceled.
func sleepOp(c *fakeClock, d time.Duration) Op {
	return OpFunc(func(ctx context.Context, _ *Iteration) error { return c.sleep(ctx, d) })
}

// plan1 wraps one scenario in a plan.
func plan1(sc Scenario) *Plan { return &Plan{Name: "test", Scenarios: []Scenario{sc}} }

const ms = time.Millisecond
