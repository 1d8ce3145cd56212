package loadgen

import (
	"context"
	"hash/fnv"
	"math/bits"
	"sort"
	"sync/atomic"
	"time"
)

// scenarioRun runs one scenario of a plan. Its counters are atomics because
// workers, the dispatcher and the progress hook touch them at once; the
// rest is fixed before run is called.
type scenarioRun struct {
	sc       *Scenario
	exec     Executor  // after Plan.MaxRate scaling
	sched    *Schedule // open executors only
	sink     Sink
	runStart time.Time
	stop     <-chan struct{}
	budget   *workerBudget // Plan.MaxWorkers beyond reservations; nil = none
	gauges   *gauges       // for generator health; nil = not measured

	mixSeed uint64
	mixCum  []uint64 // cumulative mix weights

	start  time.Time     // the scenario's start, set by run
	ending chan struct{} // closed at the regular end: start no new iterations
	halted chan struct{} // closed by Options.Stop: not even overdue ones

	started, completed, failed, interrupted atomic.Int64
	late, dropped                           atomic.Int64
	busy, maxBusy, workers                  atomic.Int64
	capped                                  atomic.Int64 // max_workers_reached_s
	nextN                                   atomic.Int64
	stopped                                 atomic.Bool
	// Saturated seconds of generator health and the last cause, counted
	// for capacity searches (noteHealth).
	saturated atomic.Int64
	satCause  atomic.Pointer[string]
}

func newScenarioRun(sc *Scenario, exec Executor, seed int64) *scenarioRun {
	r := &scenarioRun{sc: sc, exec: exec, sched: exec.Schedule(), ending: make(chan struct{}), halted: make(chan struct{})}
	if len(sc.Mix) > 0 {
		h := fnv.New64a()
		h.Write([]byte(sc.Name))
		r.mixSeed = mix64(uint64(seed)) ^ h.Sum64()
		var c uint64
		for _, s := range sc.Mix {
			c += uint64(s.Weight)
			r.mixCum = append(r.mixCum, c)
		}
	}
	return r
}

// run takes the scenario through its life and returns when none of its
// goroutines is left. The end comes in two stages, as in k6:
//
//  1. The regular end: the executor's length passes (Executor.Length; for
//     the iteration executors without a Duration, only their last
//     iteration ends it), or Options.Stop is closed, or ctx is done. From
//     then on no new iteration starts (r.ending is closed). An open
//     executor still starts, late, the iterations that were due before a
//     regular end by length (they are not new: the generator fell behind
//     them), within MaxLateness and the graceful window; after
//     Options.Stop, also one closed in the graceful window, it starts none
//     and counts them dropped (r.halted).
//  2. The graceful window: iterations in flight get Scenario.GracefulStop
//     to finish. When it runs out, their context is canceled and run waits
//     for them to return. Canceling ctx cancels them at once.
//
// The scenario's clock starts at the run's start plus StartAfter, exactly:
// its schedule and length are measured from there, not from when its
// goroutine woke. A scenario whose StartAfter has not come when the run
// stops (or that is stopped before the run begins) never starts.
func (r *scenarioRun) run(ctx context.Context) {
	defer func() {
		for _, c := range []chan struct{}{r.ending, r.halted} {
			select {
			case <-c:
			default:
				close(c)
			}
		}
	}()
	r.start = r.runStart.Add(r.sc.StartAfter)
	if r.sc.StartAfter > 0 {
		t := time.NewTimer(time.Until(r.start))
		select {
		case <-t.C:
		case <-r.stop:
			t.Stop()
			r.stopped.Store(true)
			return
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
	// Stopped by the time it is due to start (also before the run began):
	// it never starts, rather than racing its first iterations against
	// the stop.
	if isClosed(r.stop) {
		r.stopped.Store(true)
		return
	}
	if ctx.Err() != nil {
		return
	}
	iterCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if r.exec.Kind == Capacity {
			r.runCapacity(iterCtx)
		} else if r.sched != nil {
			r.runOpen(iterCtx)
		} else {
			r.runClosed(iterCtx)
		}
	}()

	var end <-chan time.Time
	if d := r.exec.Length(); d > 0 {
		t := time.NewTimer(time.Until(r.start.Add(d)))
		defer t.Stop()
		end = t.C
	}
	select {
	case <-done:
		return
	case <-end:
	case <-r.stop:
		r.stopped.Store(true)
		close(r.halted)
	case <-ctx.Done():
	}
	close(r.ending)

	grace := time.NewTimer(r.sc.GracefulStop)
	defer grace.Stop()
	stop := r.stop
	if isClosed(r.halted) {
		stop = nil // already stopped
	}
	for {
		select {
		case <-done:
			return
		case <-stop:
			// Options.Stop in the graceful window: overdue iterations of
			// an open executor no longer start; those in flight may
			// still finish.
			r.stopped.Store(true)
			close(r.halted)
			stop = nil
			continue
		case <-grace.C:
			cancel()
		case <-ctx.Done():
		}
		<-done
		return
	}
}

// ended reports whether the regular end has come.
func (r *scenarioRun) ended() bool { return isClosed(r.ending) }

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// steps returns what iteration n runs: all Steps, or the mix entry picked
// for n. The pick is a pure function of the seed, the scenario's name and n.
func (r *scenarioRun) steps(n int64) []Step {
	if len(r.mixCum) == 0 {
		return r.sc.Steps
	}
	total := r.mixCum[len(r.mixCum)-1]
	u, _ := bits.Mul64(mix64(r.mixSeed^mix64(uint64(n))), total) // uniform in [0, total)
	i := sort.Search(len(r.mixCum), func(i int) bool { return r.mixCum[i] > u })
	return r.sc.Mix[i : i+1]
}

// mix64 is the SplitMix64 finalizer: a bijective, well-mixed hash of x.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// noteBusy records that n workers are running an iteration.
func (r *scenarioRun) noteBusy(n int64) {
	for {
		m := r.maxBusy.Load()
		if n <= m || r.maxBusy.CompareAndSwap(m, n) {
			return
		}
	}
}

// outcome returns the scenario's counters.
func (r *scenarioRun) outcome() ScenarioOutcome {
	return ScenarioOutcome{
		Name:             r.sc.Name,
		Started:          r.started.Load(),
		Completed:        r.completed.Load(),
		Failed:           r.failed.Load(),
		Interrupted:      r.interrupted.Load(),
		Late:             r.late.Load(),
		Dropped:          r.dropped.Load(),
		Workers:          int(r.workers.Load()),
		MaxActiveWorkers: int(r.maxBusy.Load()),
		WorkersCappedS:   r.capped.Load(),
		Stopped:          r.stopped.Load(),
	}
}

// workerBudget is what Plan.MaxWorkers leaves for open executors to grow
// into beyond their pre-allocated workers. A nil budget is unlimited.
type workerBudget struct{ left atomic.Int64 }

// take takes one worker from the budget and reports whether there was one.
func (b *workerBudget) take() bool {
	if b == nil {
		return true
	}
	for {
		v := b.left.Load()
		if v <= 0 {
			return false
		}
		if b.left.CompareAndSwap(v, v-1) {
			return true
		}
	}
}
