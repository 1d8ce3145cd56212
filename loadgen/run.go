package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// Run runs plan and returns what it did; the measurements go to sink.
//
// Plan.Setup runs first; if it fails, no scenario starts. Then every scenario
// runs at once (each from its StartAfter), and when all have ended
// Plan.Teardown runs (also after a failed Setup, to undo what it made).
// Both get ctx, which a graceful stop (Options.Stop) leaves alone; if ctx is
// canceled they see it canceled.
//
// Canceling ctx stops the run at once: ops in flight see their context
// canceled, and Run returns the Outcome with an error wrapping ctx's cause.
// Closing Options.Stop stops it gracefully (see Options.Stop).
//
// Plan.MaxRate caps the summed peak rates of the open scenarios: when they
// add up to more, every rate and stage target of every open scenario is
// scaled down by the same factor (Outcome.RateScale), conservatively, as if
// all their peaks coincided. Plan.MaxWorkers caps workers: the workers of
// closed scenarios and the pre-allocated workers of open ones, summed over
// all scenarios, must fit (else Run returns an error before starting);
// what is left is the budget open scenarios may grow into, first come first
// served, and an open scenario that finds it empty queues its iterations
// (late, or dropped) instead of starting a worker.
//
// The Sink is called from many goroutines at once. A *results.Sample or
// *results.Iteration passed to it, and the Phases slice inside a Sample,
// are reused by the engine once the call returns: a Sink must copy what it
// keeps.
//
// Run does not return before every goroutine it started has ended.
func Run(ctx context.Context, plan *Plan, sink Sink, opts Options) (*Outcome, error) {
	if err := plan.Validate(); err != nil {
		return nil, fmt.Errorf("loadgen: plan %q: %w", plan.Name, err)
	}
	measureHealth := !opts.NoHealth
	scale := plan.RateScale()
	var budget *workerBudget
	if plan.MaxWorkers > 0 {
		reserved := 0
		for _, sc := range plan.Scenarios {
			reserved += scaleRates(sc.Executor, scale).reservedWorkers()
		}
		if reserved > plan.MaxWorkers {
			return nil, fmt.Errorf("loadgen: plan %q: the scenarios need %d workers, more than max_workers %d", plan.Name, reserved, plan.MaxWorkers)
		}
		budget = &workerBudget{}
		budget.left.Store(int64(plan.MaxWorkers - reserved))
	}

	var errs []error
	if plan.Setup != nil {
		if err := plan.Setup(ctx); err != nil {
			errs = append(errs, fmt.Errorf("loadgen: setup: %w", err))
		}
	}
	out := &Outcome{Start: opts.Start, RateScale: scale}
	if out.Start.IsZero() {
		out.Start = time.Now()
	}

	runs := make([]*scenarioRun, len(plan.Scenarios))
	for i := range plan.Scenarios {
		r := newScenarioRun(&plan.Scenarios[i], scaleRates(plan.Scenarios[i].Executor, scale), opts.Seed)
		r.sink, r.runStart, r.stop, r.budget = sink, out.Start, opts.Stop, budget
		runs[i] = r
	}
	if len(errs) == 0 {
		var h *health
		if measureHealth {
			h = newHealth(time.Now(), opts.EmbeddedBusy)
			for _, r := range runs {
				r.gauges = h.g
			}
		}
		monitorDone := make(chan struct{})
		var wg sync.WaitGroup
		if h != nil || opts.Progress != nil {
			wg.Go(func() { monitor(out.Start, runs, sink, h, opts.Progress, monitorDone) })
		}
		var scenarios sync.WaitGroup
		for _, r := range runs {
			scenarios.Go(func() { r.run(ctx) })
		}
		scenarios.Wait()
		close(monitorDone)
		wg.Wait()
	}
	// The run ends when its scenarios have; Teardown, like Setup, is not
	// part of it.
	out.End = time.Now()
	if plan.Teardown != nil {
		if err := plan.Teardown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("loadgen: teardown: %w", err))
		}
	}
	out.Scenarios = make([]ScenarioOutcome, len(runs))
	for i, r := range runs {
		out.Scenarios[i] = r.outcome()
		out.Stopped = out.Stopped || out.Scenarios[i].Stopped
	}
	if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("loadgen: run canceled: %w", context.Cause(ctx)))
	}
	if opts.Progress != nil {
		opts.Progress(Progress{Elapsed: out.End.Sub(out.Start), Scenarios: out.Scenarios})
	}
	return out, errors.Join(errs...)
}

// minHealthTail is the shortest last interval of a run that is still
// measured: a run of half a second gets one health record, not none.
const minHealthTail = 100 * time.Millisecond

// monitor reports health and progress once a second, on whole seconds
// from the run's start, until done is closed; health once more for the
// part of a second the run ended in (if at least minHealthTail).
func monitor(start time.Time, runs []*scenarioRun, sink Sink, h *health, progress func(Progress), done <-chan struct{}) {
	t := time.NewTimer(time.Until(start.Add(time.Second)))
	defer t.Stop()
	for sec := int64(1); ; sec++ {
		select {
		case <-t.C:
		case <-done:
			if h != nil && time.Since(h.prevTime) >= minHealthTail {
				hr := h.measure(sec-1, time.Now())
				sink.RecordHealth(hr)
				noteHealth(runs, hr)
			}
			return
		}
		now := time.Now()
		if h != nil {
			hr := h.measure(sec-1, now)
			sink.RecordHealth(hr)
			noteHealth(runs, hr)
		}
		if progress != nil {
			p := Progress{Elapsed: now.Sub(start), Scenarios: make([]ScenarioOutcome, len(runs))}
			for i, r := range runs {
				p.Scenarios[i] = r.outcome()
			}
			progress(p)
		}
		// Skip whole seconds missed (a stalled process) rather than bursting.
		next := start.Add(time.Duration(sec+1) * time.Second)
		if d := time.Until(next); d <= 0 {
			sec += int64(-d/time.Second) + 1
			next = start.Add(time.Duration(sec+1) * time.Second)
		}
		t.Reset(time.Until(next))
	}
}

// Validate reports every problem with the plan, each naming its scenario.
func (p *Plan) Validate() error {
	var errs []error
	if len(p.Scenarios) == 0 {
		errs = append(errs, errors.New("no scenarios"))
	}
	if p.MaxRate < 0 || math.IsNaN(p.MaxRate) || p.MaxWorkers < 0 {
		errs = append(errs, fmt.Errorf("max_rate %v, max_workers %d: must be >= 0", p.MaxRate, p.MaxWorkers))
	}
	names := map[string]bool{}
	for i := range p.Scenarios {
		if err := p.Scenarios[i].Validate(); err != nil {
			errs = append(errs, fmt.Errorf("scenario %q: %w", p.Scenarios[i].Name, err))
		}
		if names[p.Scenarios[i].Name] {
			errs = append(errs, fmt.Errorf("scenario %q: name used twice", p.Scenarios[i].Name))
		}
		names[p.Scenarios[i].Name] = true
	}
	return errors.Join(errs...)
}

// Validate reports every problem with the scenario.
func (s *Scenario) Validate() error {
	var errs []error
	if s.Name == "" {
		errs = append(errs, errors.New("name: must not be empty"))
	}
	if err := s.Executor.Validate(); err != nil {
		errs = append(errs, err)
	}
	switch {
	case len(s.Steps) == 0 && len(s.Mix) == 0:
		errs = append(errs, errors.New("steps or mix: one is required"))
	case len(s.Steps) > 0 && len(s.Mix) > 0:
		errs = append(errs, errors.New("steps and mix: only one may be set"))
	}
	for i, st := range s.Steps {
		if st.Op == nil {
			errs = append(errs, fmt.Errorf("step %d (%s): no op", i, st.Name))
		}
	}
	for i, st := range s.Mix {
		if st.Op == nil {
			errs = append(errs, fmt.Errorf("mix %d (%s): no op", i, st.Name))
		}
		if st.Weight <= 0 {
			errs = append(errs, fmt.Errorf("mix %d (%s): weight %d: must be > 0", i, st.Name, st.Weight))
		}
	}
	if s.StartAfter < 0 || s.GracefulStop < 0 || s.ThinkTime < 0 || s.MaxLateness < 0 {
		errs = append(errs, errors.New("start_after, graceful_stop, think_time and max_lateness: must be >= 0"))
	}
	return errors.Join(errs...)
}

// RateScale returns the factor Run multiplies every open scenario's rates
// by so that their summed peak rates fit MaxRate (1 when they fit or there
// is no cap). A dry run can show Planned figures scaled by it.
func (p *Plan) RateScale() float64 {
	if p.MaxRate <= 0 {
		return 1
	}
	sum := 0.0
	for _, sc := range p.Scenarios {
		if s := sc.Executor.Schedule(); s != nil {
			sum += s.PeakRate()
		}
	}
	if sum <= p.MaxRate {
		return 1
	}
	return p.MaxRate / sum
}

// Unpaced returns the closed scenarios MaxRate does not pace, as "name
// (executor)": they have no rate to scale and start iterations as fast as
// their workers finish them, so the workload may exceed MaxRate. Nil when
// there is no cap.
func (p *Plan) Unpaced() []string {
	if p.MaxRate <= 0 {
		return nil
	}
	var out []string
	for _, sc := range p.Scenarios {
		if !sc.Executor.IsOpen() {
			out = append(out, fmt.Sprintf("%s (%s)", sc.Name, sc.Executor.Kind))
		}
	}
	return out
}

// Scaled returns e with its rates multiplied by f (a closed executor
// unchanged): what Run runs under Plan.RateScale, for a dry run to show.
func (e Executor) Scaled(f float64) Executor { return scaleRates(e, f) }

// scaleRates returns e with its rates multiplied by f.
func scaleRates(e Executor, f float64) Executor {
	if f == 1 || !e.IsOpen() {
		return e
	}
	e.Rate *= f
	st := make([]Stage, len(e.Stages))
	for i, s := range e.Stages {
		st[i] = Stage{Duration: s.Duration, Target: s.Target * f}
	}
	e.Stages = st
	if e.Capacity != nil {
		c := *e.Capacity
		c.MaxRate *= f
		e.Capacity = &c
	}
	return e
}
