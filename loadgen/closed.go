package loadgen

import (
	"context"
	"sync"
	"time"
)

// runClosed runs a worker executor: each worker starts its next iteration
// as soon as the previous one (and its think time) is over, until the
// regular end or, for the iteration executors, until the iterations are used
// up. Closed executors have no intended start: latency is service time.
func (r *scenarioRun) runClosed(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	e := r.exec
	switch e.Kind {
	case ConstantWorkers:
		for i := range e.Workers {
			w := r.newWorker(i)
			wg.Go(func() { w.loop(ctx, nil, r.nextIteration) })
		}
	case SharedIterations:
		next := func() (int64, bool) {
			n := r.nextN.Add(1) - 1
			return n, n < e.Iterations
		}
		for i := range e.Workers {
			w := r.newWorker(i)
			wg.Go(func() { w.loop(ctx, nil, next) })
		}
	case PerWorkerIterations:
		for i := range e.Workers {
			w := r.newWorker(i)
			var done int64
			next := func() (int64, bool) {
				if done >= e.Iterations {
					return 0, false
				}
				done++
				return r.nextIteration()
			}
			wg.Go(func() { w.loop(ctx, nil, next) })
		}
	case RampingWorkers:
		r.rampWorkers(ctx, &wg)
	}
}

// nextIteration numbers the scenario's iterations in the order they start.
func (r *scenarioRun) nextIteration() (int64, bool) { return r.nextN.Add(1) - 1, true }

// loop runs iterations until next says there are none left, the regular
// end comes or ctx is done. With a gate, it runs only while the gate is open
// for this worker's index and parks otherwise.
func (w *worker) loop(ctx context.Context, g *gate, next func() (int64, bool)) {
	for {
		if g != nil && !w.waitGate(ctx, g) {
			return
		}
		if w.r.ended() || ctx.Err() != nil {
			return
		}
		n, ok := next()
		if !ok {
			return
		}
		w.iterate(ctx, n, time.Time{}, false)
		if !w.think(ctx) {
			return
		}
	}
}

// waitGate parks until g lets this worker run, and reports false if the
// regular end came or ctx was canceled first.
func (w *worker) waitGate(ctx context.Context, g *gate) bool {
	for {
		ok, changed := g.open(w.state.Index)
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-w.r.ending:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// rampWorkers runs ramping-workers: it moves the gate along workerSteps,
// starting each worker the first time the count reaches it. A worker above
// the count finishes its current iteration and parks until the count rises
// again or the scenario ends.
func (r *scenarioRun) rampWorkers(ctx context.Context, wg *sync.WaitGroup) {
	steps := workerSteps(r.exec.Workers, r.exec.Stages)
	// Steps at the very start (stages of zero duration) set the count
	// before any worker starts, so none runs an iteration it should not.
	n := r.exec.Workers
	for len(steps) > 0 && steps[0].at <= 0 {
		n, steps = steps[0].n, steps[1:]
	}
	g := newGate(n)
	spawned := 0
	grow := func(n int) {
		for ; spawned < n; spawned++ {
			w := r.newWorker(spawned)
			wg.Go(func() { w.loop(ctx, g, r.nextIteration) })
		}
	}
	grow(n)
	if len(steps) == 0 {
		return
	}
	// Every step, the first too, is timed from the scenario's start, not
	// from when this goroutine got here.
	timer := time.NewTimer(time.Until(r.start.Add(steps[0].at)))
	defer timer.Stop()
	for i, s := range steps {
		if i > 0 {
			timer.Reset(time.Until(r.start.Add(s.at)))
		}
		select {
		case <-timer.C:
		case <-r.ending:
			return
		case <-ctx.Done():
			return
		}
		grow(s.n)
		g.set(s.n)
	}
}
