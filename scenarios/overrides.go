package scenarios

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// Overrides are the command line's changes to a workload. A zero field
// leaves the workload as it is.
type Overrides struct {
	// Scenario keeps only the scenario of that name (--scenario).
	Scenario string
	// Rate, in iterations per second, sets the rate of every rate
	// scenario (--rate): a constant-rate scenario runs at Rate, and a
	// ramping-rate scenario's start rate and stage targets are scaled so
	// its peak is Rate, keeping its shape. target.max_rate still caps it.
	Rate float64
	// Workers sets every scenario's workers (--workers): constant-workers
	// and the iteration executors run that many; ramping-workers has its
	// start and stage targets scaled so its peak is Workers (rounded);
	// rate executors take it as max_workers, lowering their pre-allocated
	// workers to it if need be.
	Workers int
	// Duration sets every scenario's length (--duration): the duration of
	// constant-workers and constant-rate, the cap of the iteration
	// executors, and for ramps the stage durations scaled to sum to it.
	Duration time.Duration
}

// Apply changes w as o says; see Overrides for what each field does. It
// fails, leaving w unchanged, on a negative value, an unknown scenario or
// a --rate with no rate scenario to apply to.
func (w *Workload) Apply(o Overrides) error {
	var errs []error
	if o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0) {
		errs = append(errs, fmt.Errorf("scenarios: --rate %v: want a rate above 0", o.Rate))
	}
	if o.Workers < 0 {
		errs = append(errs, fmt.Errorf("scenarios: --workers %d: want 1 or more", o.Workers))
	}
	if o.Duration < 0 {
		errs = append(errs, fmt.Errorf("scenarios: --duration %v: want more than 0", o.Duration))
	}
	if msg := rateOverLimit(o.Rate); msg != "" {
		errs = append(errs, fmt.Errorf("scenarios: --rate: %s", msg))
	}
	if o.Workers > loadgen.WorkersLimit {
		errs = append(errs, fmt.Errorf("scenarios: --workers %d: at most %d a scenario; spread more over shards", o.Workers, loadgen.WorkersLimit))
	}
	if msg := durationOverLimit(o.Duration); msg != "" {
		errs = append(errs, fmt.Errorf("scenarios: --duration: %s", msg))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	scs := w.Scenarios
	if o.Scenario != "" {
		scs = nil
		var names []string
		for _, s := range w.Scenarios {
			names = append(names, s.Name)
			if s.Name == o.Scenario {
				scs = []ScenarioSpec{s}
			}
		}
		if scs == nil {
			msg := fmt.Sprintf("scenarios: --scenario %q: no such scenario in %s", o.Scenario, w.File)
			if s := suggest(o.Scenario, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return fmt.Errorf("%s (scenarios: %s)", msg, strings.Join(names, ", "))
		}
	}
	out := make([]ScenarioSpec, len(scs))
	rated := false
	for i, s := range scs {
		s.Stages = append([]loadgen.Stage(nil), s.Stages...)
		if o.Rate > 0 && isOpen(s.Executor) {
			rated = true
			applyRate(&s, o.Rate)
		}
		if o.Workers > 0 {
			applyWorkers(&s, o.Workers)
		}
		if o.Duration > 0 {
			applyDuration(&s, o.Duration)
		}
		out[i] = s
	}
	if o.Rate > 0 && !rated {
		return fmt.Errorf("scenarios: --rate: no scenario has a rate executor (constant-rate or ramping-rate) to apply it to")
	}
	w.Scenarios = out
	return nil
}

// applyRate sets a rate scenario's rate, or scales its ramp to peak at r.
func applyRate(s *ScenarioSpec, r float64) {
	switch s.Executor {
	case loadgen.ConstantRate:
		s.Rate = r
		return
	case loadgen.Capacity:
		// The search starts at r, and goes at least that high.
		s.Rate = r
		if s.Capacity != nil && s.Capacity.MaxRate < r {
			c := *s.Capacity
			c.MaxRate = r
			s.Capacity = &c
		}
		return
	}
	peak := s.StartRate
	for _, st := range s.Stages {
		peak = max(peak, st.Target)
	}
	if peak == 0 {
		return
	}
	f := r / peak
	s.StartRate *= f
	for i := range s.Stages {
		s.Stages[i].Target *= f
	}
}

// applyWorkers sets a scenario's workers as Overrides.Workers describes.
func applyWorkers(s *ScenarioSpec, n int) {
	switch s.Executor {
	case loadgen.ConstantRate, loadgen.RampingRate, loadgen.Capacity:
		s.MaxWorkers = n
		s.Workers = min(s.Workers, n)
	case loadgen.RampingWorkers:
		peak := float64(s.Workers)
		for _, st := range s.Stages {
			peak = max(peak, st.Target)
		}
		if peak == 0 {
			return
		}
		f := float64(n) / peak
		s.Workers = int(math.Round(float64(s.Workers) * f))
		for i := range s.Stages {
			s.Stages[i].Target = math.Round(s.Stages[i].Target * f)
		}
	default:
		s.Workers = n
	}
}

// applyDuration sets a scenario's length as Overrides.Duration describes.
func applyDuration(s *ScenarioSpec, d time.Duration) {
	if len(s.Stages) == 0 {
		s.Duration = d
		return
	}
	var total time.Duration
	for _, st := range s.Stages {
		total += st.Duration
	}
	if total == 0 {
		return
	}
	f := float64(d) / float64(total)
	var sum time.Duration
	for i := range s.Stages {
		if i == len(s.Stages)-1 {
			s.Stages[i].Duration = d - sum // exact total despite rounding
			break
		}
		s.Stages[i].Duration = time.Duration(math.Round(float64(s.Stages[i].Duration) * f))
		sum += s.Stages[i].Duration
	}
}
