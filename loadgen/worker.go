package loadgen

import (
	"context"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// worker runs iterations of one scenario, one at a time, from a single
// goroutine. It keeps one Iteration, Sample and results.Iteration and reuses
// them for every iteration, so the hot path does not allocate.
type worker struct {
	r      *scenarioRun
	state  WorkerState
	it     Iteration
	sample results.Sample
	rec    results.Iteration
	phases []results.Phase
	pause  *time.Timer // think time; made on first use
}

func (r *scenarioRun) newWorker(index int) *worker {
	r.workers.Add(1)
	w := &worker{r: r, state: WorkerState{Scenario: r.sc.Name, Index: index, Values: map[string]any{}}}
	w.it.Worker = &w.state
	w.it.Vars = map[string]any{}
	return w
}

// iterate runs iteration n: its steps in order, stopping at the first that
// fails. intended is its intended start (zero for closed executors). Each
// step gives one Sample; the iteration gives one results.Iteration. With
// lagHealth, the start lag goes into the generator's health: only for
// iterations that did not wait for a worker.
func (w *worker) iterate(ctx context.Context, n int64, intended time.Time, lagHealth bool) {
	r := w.r
	it := &w.it
	it.N = n
	clear(it.Vars)
	steps := r.steps(n)

	r.noteBusy(r.busy.Add(1))
	r.started.Add(1)
	start := time.Now()
	if r.gauges != nil && lagHealth && !intended.IsZero() {
		r.gauges.lag.record(start.Sub(intended))
	}
	failed, cut := false, false // cut: failed after the engine canceled ctx
	opStart, end := start, start
	for i := range steps {
		st := &steps[i]
		if i > 0 {
			opStart = time.Now()
		}
		it.BeginOp(opStart)
		err := st.Op.Do(ctx, it)
		end = time.Now()
		var status int
		w.phases, status = it.endOpInto(w.phases[:0])
		if r.gauges != nil {
			r.gauges.addCrypto(w.phases)
		}

		s := &w.sample
		*s = results.Sample{
			Scenario:    r.sc.Name,
			Op:          st.Name,
			Worker:      w.state.Index,
			Start:       opStart.Sub(r.runStart),
			Latency:     end.Sub(opStart),
			ServiceTime: end.Sub(opStart),
			Err:         err,
			Status:      status,
			Phases:      w.phases,
		}
		if i == 0 && !intended.IsZero() {
			s.Latency = end.Sub(intended)
		}
		if err != nil {
			failed = true
			if ctx.Err() != nil {
				cut = true
				s.Class = results.ClassCanceled // loadgen's own cut-off, not the target's error
			} else {
				s.Class = results.Classify(err)
			}
		}
		r.sink.RecordSample(s)
		if err != nil {
			break
		}
	}

	rec := &w.rec
	*rec = results.Iteration{
		Scenario:    r.sc.Name,
		Worker:      w.state.Index,
		Start:       start.Sub(r.runStart),
		Latency:     end.Sub(start),
		ServiceTime: end.Sub(start),
		Failed:      failed && !cut,
		Interrupted: cut,
	}
	if !intended.IsZero() {
		rec.Latency = end.Sub(intended)
	}
	r.sink.RecordIteration(rec)

	switch {
	case cut:
		r.interrupted.Add(1)
	case failed:
		r.failed.Add(1)
		r.completed.Add(1)
	default:
		r.completed.Add(1)
	}
	r.busy.Add(-1)
}

// think pauses for the scenario's ThinkTime and reports whether the worker
// may go on: false if the regular end came or ctx was canceled meanwhile.
func (w *worker) think(ctx context.Context) bool {
	d := w.r.sc.ThinkTime
	if d <= 0 {
		return true
	}
	if w.pause == nil {
		w.pause = time.NewTimer(d)
	} else {
		w.pause.Reset(d)
	}
	select {
	case <-w.pause.C:
		return true
	case <-w.r.ending:
	case <-ctx.Done():
	}
	w.pause.Stop()
	return false
}

// endOpInto is EndOp without the copy: it appends the phases recorded since
// BeginOp to dst and returns them with the status. The engine reuses dst
// from op to op.
func (it *Iteration) endOpInto(dst []results.Phase) ([]results.Phase, int) {
	it.mu.Lock()
	defer it.mu.Unlock()
	return append(dst, it.phases...), it.status
}
