package loadgen

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// job is one iteration handed from the dispatcher to a worker.
type job struct {
	ctx      context.Context // the iteration's context
	n        int64
	intended time.Time
	// queued is set when the iteration had to wait for a worker (it runs
	// late): its start lag is the target's or max_workers' doing, not the
	// generator's, so it is kept out of the generator's start-lag health.
	queued bool
}

// maxSpawnLag is how far behind its intended start an iteration may be
// dispatched and still get a new worker when none is free. Further behind,
// the dispatcher itself was late (the generator starved of CPU), and it
// waits for a worker instead: catching up with a burst of new workers and
// connections would feed the starvation (at 3000/s on a machine giving
// loadgen a third of a core, service time went from 51 ms to seconds).
const maxSpawnLag = 100 * time.Millisecond

// A dispatcher behind by more than maxSpawnLag that does not catch up by
// at least behindCatchUp of every maxSpawnLag it spends behind adds a
// tenth more workers (at least one): the workers it has cannot carry the
// rate, and waiting for them alone it would never catch up, nor ever add
// a worker.
const behindCatchUp = 0.5

// minLateWait is the shortest a dispatcher waiting for a free worker
// sleeps before it counts what became too late: at 10¹²/s an iteration
// passes MaxLateness every picosecond, and waking for each would spin.
const minLateWait = time.Millisecond

// dispatcher is the state of one open scenario's dispatch loop.
type dispatcher struct {
	r *scenarioRun
	// ctx is the context of the iterations dispatched; sched and start
	// the schedule walked and its origin. A capacity search changes all
	// three between levels, and sets level (loop returns when the
	// schedule is done) and stop (closed: start nothing more).
	ctx        context.Context
	sched      *Schedule
	start      time.Time
	level      bool
	stop       <-chan struct{}
	maxWorkers int
	maxLate    time.Duration
	jobs       chan job
	wg         sync.WaitGroup
	// idle counts workers that are free or about to be: workers add one
	// when they finish an iteration, the dispatcher takes one away when it
	// hands one over. So a worker between iterations is never mistaken for
	// a busy one (which would start an extra worker or run late). freed
	// wakes a dispatcher waiting for a worker.
	idle    atomic.Int64
	freed   chan struct{}
	spawned int
	timer   *time.Timer
	// waitedUntil is when the last wait for a free worker ended;
	// cappedTo the last second (from the run's start) counted in
	// max_workers_reached_s, -1 before any.
	waitedUntil time.Time
	cappedWait  bool // the last wait for a worker was at the worker cap
	cappedTo    int64
	capped      int64
	// behindSince and behindLag are when a dispatcher behind its schedule
	// last judged whether it catches up, and its lag then; grow is how
	// many workers it may add although behind.
	behindSince time.Time
	behindLag   time.Duration
	grow        int
}

// runOpen runs a rate executor. One dispatcher (this goroutine) walks the
// schedule: it waits until At(n) past the scenario's start, then hands
// iteration n to a free worker. With no worker free it starts one more if
// the executor's maximum and Plan.MaxWorkers allow; otherwise iteration n
// waits, in order, for the next worker to come free and runs late, and the
// Sink hears that the worker cap bound that second (RecordWorkerCap). Later
// iterations queue behind it, so a stalled target shows as latency
// measured from the intended start, never as a quietly lowered rate; those
// that came due during such a wait count late too, however they then get a
// worker. An iteration more than MaxLateness past its intended start is
// dropped, whichever way the dispatcher got to it; all such are counted at
// once, in closed form (Schedule.Due), so no rate makes dropping slow.
func (r *scenarioRun) runOpen(ctx context.Context) {
	d := r.newDispatcher(ctx)
	defer d.close()
	d.loop()
}

// newDispatcher returns the dispatcher of an open scenario, with its
// pre-allocated workers started and idle.
func (r *scenarioRun) newDispatcher(ctx context.Context) *dispatcher {
	pre, maxWorkers := r.exec.OpenWorkers()
	d := &dispatcher{r: r, ctx: ctx, sched: r.sched, start: r.start, maxWorkers: maxWorkers, maxLate: r.sc.MaxLateness,
		jobs: make(chan job), freed: make(chan struct{}, 1), timer: time.NewTimer(time.Hour), cappedTo: -1}
	if d.maxLate <= 0 {
		d.maxLate = DefaultMaxLateness
	}
	d.timer.Stop()
	for range pre {
		d.spawn(job{}, false)
	}
	return d
}

// close lets idle workers return and waits for every worker to end.
func (d *dispatcher) close() {
	close(d.jobs)
	d.wg.Wait()
	d.timer.Stop()
}

// halted reports whether the scenario was halted or the dispatcher
// stopped.
func (d *dispatcher) halted() bool { return isClosed(d.r.halted) || isClosed(d.stop) }

// spawn starts a worker, with a first job if hasFirst.
func (d *dispatcher) spawn(first job, hasFirst bool) {
	w := d.r.newWorker(d.spawned)
	d.spawned++
	if !hasFirst {
		d.idle.Add(1)
	}
	done := func() {
		d.idle.Add(1)
		select {
		case d.freed <- struct{}{}:
		default:
		}
	}
	d.wg.Go(func() {
		if hasFirst {
			w.iterate(first.ctx, first.n, first.intended, !first.queued)
			done()
		}
		for j := range d.jobs {
			w.iterate(j.ctx, j.n, j.intended, !j.queued)
			done()
		}
	})
}

// loop walks the schedule until it ends, the scenario is halted or ctx is
// done.
func (d *dispatcher) loop() {
	r := d.r
	for n := int64(0); ; n++ {
		at, ok := d.sched.At(n)
		if !ok {
			if d.level {
				return
			}
			// The schedule is done, but the scenario lasts its length:
			// a rate is iterations over that time, not until the last
			// one started.
			select {
			case <-r.ending:
			case <-d.ctx.Done():
			}
			return
		}
		j := job{ctx: d.ctx, n: n, intended: d.start.Add(at)}
		if !d.sleepUntil(j.intended) || d.halted() || d.ctx.Err() != nil {
			d.dropDue(n)
			return
		}
		if now := time.Now(); !j.intended.Add(d.maxLate).After(now) {
			// Too late to start: this iteration and every other due more
			// than maxLate ago, counted at once whatever the rate.
			k := max(d.sched.Due(now.Sub(d.start)-d.maxLate), n+1)
			r.drop(k - n)
			n = k - 1
			continue
		}
		// An iteration that came due while the dispatcher waited for a
		// free worker queued behind that wait: it runs late, however it
		// gets its worker now.
		j.queued = j.intended.Before(d.waitedUntil)
		switch {
		case d.idle.Load() > 0:
			select {
			case d.jobs <- j:
				d.idle.Add(-1)
				if !d.behindSince.IsZero() && time.Since(j.intended) <= maxSpawnLag {
					d.behindSince, d.grow = time.Time{}, 0 // caught up
				}
				if j.queued {
					r.addLate()
				}
				continue
			case <-r.halted:
			case <-d.stop:
			case <-d.ctx.Done():
			}
			d.dropDue(n)
			return
		case d.spawned > 0 && d.spawned < d.maxWorkers && d.behind(j, time.Now()) && !(j.queued && d.cappedWait):
			// The dispatcher itself fell behind (the generator was
			// starved of CPU): a new worker, and its connection, for each
			// iteration it catches up on would feed the starvation. Wait
			// for a worker instead (judging again after maxSpawnLag),
			// then try iteration n again.
			if !d.waitFree(j, false, maxSpawnLag) {
				d.dropDue(n)
				return
			}
			n--
		case d.spawned < d.maxWorkers && r.budget.take():
			d.grow = max(d.grow-1, 0)
			if j.queued {
				r.addLate()
			}
			d.spawn(j, true)
		default:
			// Every worker the scenario may have is busy: wait for one,
			// then try iteration n again (it may have become too late).
			if !d.waitFree(j, true, 0) {
				d.dropDue(n)
				return
			}
			n--
		}
	}
}

// behind reports whether j is, at now, more than maxSpawnLag past its
// intended start and the dispatcher may not add a worker for it: it may
// once it has been behind for maxSpawnLag without catching up
// behindCatchUp of that time (then a tenth more workers, at least one).
func (d *dispatcher) behind(j job, now time.Time) bool {
	lag := now.Sub(j.intended)
	if lag <= maxSpawnLag {
		d.behindSince, d.grow = time.Time{}, 0
		return false
	}
	switch {
	case d.behindSince.IsZero() || now.Sub(d.behindSince) > 2*maxSpawnLag:
		// Newly behind, or judged too long ago to compare (a capacity
		// level's cool-down, a stall): start judging afresh.
		d.behindSince, d.behindLag = now, lag
	case now.Sub(d.behindSince) >= maxSpawnLag:
		if lag > d.behindLag-time.Duration(behindCatchUp*float64(now.Sub(d.behindSince))) {
			d.grow = max(1, d.spawned/10)
		}
		d.behindSince, d.behindLag = now, lag
	}
	return d.grow == 0
}

// sleepUntil waits until t and reports false if the scenario was halted or
// ctx done first.
func (d *dispatcher) sleepUntil(t time.Time) bool {
	w := time.Until(t)
	if w <= 0 {
		return true
	}
	d.timer.Reset(w)
	select {
	case <-d.timer.C:
		return true
	case <-d.r.halted:
	case <-d.stop:
	case <-d.ctx.Done():
	}
	d.timer.Stop()
	return false
}

// waitFree waits for a worker to come free, or for j to become too late
// (but at least minLateWait), or for limit if it is not 0, and if capped
// counts the seconds the worker cap bound. It reports false if the
// scenario was halted or ctx done first.
func (d *dispatcher) waitFree(j job, capped bool, limit time.Duration) bool {
	if !capped {
		// A worker about to come free is no reason to queue.
		runtime.Gosched()
		if d.idle.Load() > 0 {
			return true
		}
	}
	from := time.Now()
	d.cappedWait = capped
	defer func() {
		d.waitedUntil = time.Now()
		if capped {
			d.noteCapped(from, d.waitedUntil)
		}
	}()
	if d.idle.Load() > 0 {
		return true // a worker came free meanwhile
	}
	wait := max(time.Until(j.intended.Add(d.maxLate)), minLateWait)
	if limit > 0 {
		wait = min(wait, limit)
	}
	d.timer.Reset(wait)
	select {
	case <-d.freed:
	case <-d.timer.C:
		return true
	case <-d.r.halted:
	case <-d.stop:
	case <-d.ctx.Done():
	}
	d.timer.Stop()
	return !d.halted() && d.ctx.Err() == nil
}

// noteCapped counts the whole seconds of the run that [from, to] touches
// in max_workers_reached_s, each once, and tells the Sink if the count grew.
func (d *dispatcher) noteCapped(from, to time.Time) {
	r := d.r
	a := max(int64(from.Sub(r.runStart)/time.Second), d.cappedTo+1)
	b := int64(to.Sub(r.runStart) / time.Second)
	if b < a {
		return
	}
	d.capped += b - a + 1
	d.cappedTo = b
	r.sink.RecordWorkerCap(results.WorkerCap{
		Scenario: r.sc.Name, MaxWorkers: d.spawned, Budget: d.spawned < d.maxWorkers,
		PeakRate: d.sched.PeakRate(), Seconds: d.capped,
	})
	r.capped.Store(d.capped)
}

// addLate counts one late iteration.
func (r *scenarioRun) addLate() {
	r.late.Add(1)
	r.sink.AddLate(r.sc.Name, 1)
}

// dropDue counts as dropped iteration n and every later one whose intended
// start has come: the scenario was halted or canceled before they could
// start. It counts them in closed form (Schedule.Due), so a stop is as quick
// at 10¹²/s as at 1/s.
func (d *dispatcher) dropDue(n int64) {
	if k := d.sched.Due(time.Since(d.start)) - n; k > 0 {
		d.r.drop(k)
	}
}

// drop counts k dropped iterations.
func (r *scenarioRun) drop(k int64) {
	r.dropped.Add(k)
	r.sink.AddDropped(r.sc.Name, k)
}
