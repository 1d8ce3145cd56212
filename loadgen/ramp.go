package loadgen

import (
	"math"
	"sync"
	"time"
)

// workerStep is a change of a ramping-workers scenario's worker count: from
// offset at (from the scenario's start) on, n workers may run.
type workerStep struct {
	at time.Duration
	n  int
}

// workerSteps turns stages into the instants at which a ramping-workers
// count changes. Targets are rounded to whole workers. Within a stage the
// count follows the line from the previous target to this one and changes
// each time the line crosses a whole number, so a ramp from 0 to 10 over 10s
// adds one worker at 1s, 2s, …, 10s, and one from 10 to 0 removes one at the
// same instants; a stage of zero duration jumps at once.
func workerSteps(start int, stages []Stage) []workerStep {
	var steps []workerStep
	add := func(at time.Duration, n int) {
		if k := len(steps); k > 0 && steps[k-1].at == at {
			steps[k-1].n = n
			return
		}
		steps = append(steps, workerStep{at, n})
	}
	a := start
	var t0 time.Duration
	for _, st := range stages {
		b := int(math.Round(st.Target))
		switch {
		case st.Duration <= 0:
			if b != a {
				add(t0, b)
			}
		case b > a:
			for k := a + 1; k <= b; k++ {
				add(t0+time.Duration(float64(st.Duration)*float64(k-a)/float64(b-a)), k)
			}
		case b < a:
			for k := a - 1; k >= b; k-- {
				add(t0+time.Duration(float64(st.Duration)*float64(a-k)/float64(a-b)), k)
			}
		}
		t0 += max(st.Duration, 0)
		a = b
	}
	return steps
}

// rampPeak returns the most workers a ramping-workers scenario runs at once.
func rampPeak(start int, stages []Stage) int {
	p := start
	for _, s := range workerSteps(start, stages) {
		p = max(p, s.n)
	}
	return p
}

// gate lets workers with an index below a changing limit run; the others
// park until the limit rises. Its zero value is not usable; see newGate.
type gate struct {
	mu      sync.Mutex
	limit   int
	changed chan struct{} // closed and replaced at every change
}

func newGate(limit int) *gate { return &gate{limit: limit, changed: make(chan struct{})} }

// set changes the limit and wakes every parked worker.
func (g *gate) set(limit int) {
	g.mu.Lock()
	g.limit = limit
	close(g.changed)
	g.changed = make(chan struct{})
	g.mu.Unlock()
}

// open reports whether worker i may start an iteration, and if not, a
// channel closed at the next change of the limit.
func (g *gate) open(i int) (bool, <-chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return i < g.limit, g.changed
}
