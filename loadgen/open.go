package loadgen

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// job is one iteration handed from the dispatcher to a worker.
type job struct {
	n        int64
	intended time.Time
	// queued is set when the iteration had to wait for a worker (it runs
	// late): its start lag is the target's or max_workers' doing, not the
	// generator's, so it is kept out of the generator's start-lag health.
	queued bool
}

// runOpen runs a rate executor. One dispatcher (this goroutine) walks the
// schedule: it waits until At(n) past the scenario's start, then hands
// iteration n to a free worker. With no worker free it starts one more if
// the executor's maximum and Plan.MaxWorkers allow; otherwise iteration n
// waits, in order, for the next worker to come free and runs late, unless
// that would take it past MaxLateness, in which case it is dropped. Either
// way the Sink hears of it. Later iterations queue behind it, so a stalled
// target shows as latency measured from the intended start, never as a
// quietly lowered rate; those that came due during such a wait count late
// too, however they then get a worker. An iteration more than MaxLateness
// past its intended start is dropped whichever way the dispatcher got to it.
func (r *scenarioRun) runOpen(ctx context.Context) {
	pre, maxWorkers := r.exec.OpenWorkers()
	maxLate := r.sc.MaxLateness
	if maxLate <= 0 {
		maxLate = DefaultMaxLateness
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(jobs) // runs before wg.Wait: idle workers return
	// idle counts workers that are free or about to be: workers add one
	// when they finish an iteration, the dispatcher takes one away when it
	// hands one over. So a worker between iterations is never mistaken for
	// a busy one (which would start an extra worker or run late).
	var idle atomic.Int64
	spawned := 0
	spawn := func(first job, hasFirst bool) {
		w := r.newWorker(spawned)
		spawned++
		if !hasFirst {
			idle.Add(1)
		}
		wg.Go(func() {
			if hasFirst {
				w.iterate(ctx, first.n, first.intended, !first.queued)
				idle.Add(1)
			}
			for j := range jobs {
				w.iterate(ctx, j.n, j.intended, !j.queued)
				idle.Add(1)
			}
		})
	}
	for range pre {
		spawn(job{}, false)
	}

	timer := r.clock.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var waitedUntil time.Time // when the last wait for a free worker ended
	for n := int64(0); ; n++ {
		at, ok := r.sched.At(n)
		if !ok {
			return
		}
		j := job{n: n, intended: r.start.Add(at)}
		if d := j.intended.Sub(r.clock.Now()); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C():
			case <-r.halted:
				timer.Stop()
				r.dropDue(n)
				return
			case <-ctx.Done():
				timer.Stop()
				r.dropDue(n)
				return
			}
		}
		if isClosed(r.halted) || ctx.Err() != nil {
			r.dropDue(n)
			return
		}
		if !j.intended.Add(maxLate).After(r.clock.Now()) {
			// The dispatcher itself fell this far behind: too late to start.
			r.drop(1)
			continue
		}
		// An iteration that came due while the dispatcher waited for a
		// free worker queued behind that wait: it runs late, however it
		// gets its worker now.
		late := j.intended.Before(waitedUntil)
		j.queued = late
		switch {
		case idle.Load() > 0:
			select {
			case jobs <- j:
				idle.Add(-1)
				if late {
					r.addLate()
				}
				continue
			case <-r.halted:
			case <-ctx.Done():
			}
			r.dropDue(n)
			return
		case spawned < maxWorkers && r.budget.take():
			if late {
				r.addLate()
			}
			spawn(j, true)
		default:
			j.queued = true
			taken, goOn := r.dispatchLate(ctx, jobs, j, timer, maxLate)
			waitedUntil = r.clock.Now()
			if taken {
				idle.Add(-1)
			}
			if !goOn {
				r.dropDue(n + 1)
				return
			}
		}
	}
}

// addLate counts one late iteration.
func (r *scenarioRun) addLate() {
	r.late.Add(1)
	r.sink.AddLate(r.sc.Name, 1)
}

// dispatchLate waits for a free worker to take j, until j's intended start
// plus maxLate. It counts j late if a worker took it and dropped otherwise.
// It reports whether a worker took j, and whether the dispatcher should go
// on (false once the scenario is halted or ctx is done; j counts as dropped
// then too).
func (r *scenarioRun) dispatchLate(ctx context.Context, jobs chan<- job, j job, timer Timer, maxLate time.Duration) (taken, goOn bool) {
	d := j.intended.Add(maxLate).Sub(r.clock.Now())
	if d <= 0 {
		r.drop(1)
		return false, true
	}
	timer.Reset(d)
	select {
	case jobs <- j:
		timer.Stop()
		r.addLate()
		return true, true
	case <-timer.C():
		r.drop(1)
		return false, true
	case <-r.halted:
	case <-ctx.Done():
	}
	timer.Stop()
	r.drop(1)
	return false, false
}

// dropDue counts as dropped iteration n and every later one whose intended
// start has come: the scenario was halted or canceled before they could
// start.
func (r *scenarioRun) dropDue(n int64) {
	now := r.clock.Now()
	var k int64
	for ; ; n++ {
		at, ok := r.sched.At(n)
		if !ok || r.start.Add(at).After(now) {
			break
		}
		k++
	}
	if k > 0 {
		r.drop(k)
	}
}

// drop counts k dropped iterations.
func (r *scenarioRun) drop(k int64) {
	r.dropped.Add(k)
	r.sink.AddDropped(r.sc.Name, k)
}
