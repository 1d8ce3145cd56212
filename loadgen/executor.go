package loadgen

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// DefaultMaxLateness is how late past its intended start an iteration of an
// open executor may start before it is dropped, when Scenario.MaxLateness is 0.
const DefaultMaxLateness = 10 * time.Second

// IsOpen reports whether the executor follows a rate schedule
// (constant-rate, ramping-rate) rather than a number of workers.
func (e Executor) IsOpen() bool { return e.Kind == ConstantRate || e.Kind == RampingRate }

// Schedule returns the intended start times of an open executor's
// iterations, and nil for a closed executor.
func (e Executor) Schedule() *Schedule {
	switch e.Kind {
	case ConstantRate:
		return ConstantSchedule(e.Rate, e.Duration)
	case RampingRate:
		return RampingSchedule(e.Rate, e.Stages)
	}
	return nil
}

// OpenWorkers returns, for an open executor, how many workers are started
// up front and how many may exist at most. When Executor.MaxWorkers is 0 the
// maximum is max(Workers, 100, ⌈10 s × peak rate⌉), enough for iterations of
// up to ten seconds at the peak rate; when Executor.Workers is 0 the
// pre-allocation is min(max, max(1, ⌈peak rate / 10⌉)), enough for
// iterations of up to 100 ms. Workers is never more than the maximum.
func (e Executor) OpenWorkers() (prealloc, maxWorkers int) {
	peak := e.Schedule().PeakRate()
	maxWorkers = e.MaxWorkers
	if maxWorkers <= 0 {
		maxWorkers = max(e.Workers, 100, int(math.Ceil(10*peak)))
	}
	prealloc = e.Workers
	if prealloc <= 0 {
		prealloc = max(1, int(math.Ceil(peak/10)))
	}
	return min(prealloc, maxWorkers), maxWorkers
}

// Length returns how long the executor runs before its regular end: the
// schedule or stages for the ramping kinds, Duration otherwise (0 for the
// iteration executors without a Duration, which end when their iterations
// are done).
func (e Executor) Length() time.Duration {
	switch e.Kind {
	case RampingRate, RampingWorkers:
		var d time.Duration
		for _, s := range e.Stages {
			d += s.Duration
		}
		return d
	}
	return e.Duration
}

// Planned returns what the executor is set to do, for a dry run:
//
//   - iterations: exact for the rate executors (the schedule's count, though
//     a run may drop some) and for the iteration executors (Iterations, or
//     Workers × Iterations; an upper bound when Duration may end them
//     first); -1 for constant-workers and ramping-workers, whose count
//     depends on how long iterations take.
//   - peakRate: the highest scheduled rate in iterations per second; 0 for
//     closed executors, whose rate depends on how long iterations take.
//   - peakWorkers: the most workers it may run at once (OpenWorkers' maximum
//     for the rate executors).
func (e Executor) Planned() (iterations int64, peakRate float64, peakWorkers int) {
	switch e.Kind {
	case ConstantRate, RampingRate:
		s := e.Schedule()
		_, mw := e.OpenWorkers()
		return s.Count(), s.PeakRate(), mw
	case ConstantWorkers:
		return -1, 0, e.Workers
	case RampingWorkers:
		return -1, 0, rampPeak(e.Workers, e.Stages)
	case SharedIterations:
		return e.Iterations, 0, e.Workers
	case PerWorkerIterations:
		return int64(e.Workers) * e.Iterations, 0, e.Workers
	}
	return 0, 0, 0
}

// reservedWorkers returns the most workers a scenario reserves against
// Plan.MaxWorkers: all of a closed executor's, and an open executor's
// pre-allocated ones.
func (e Executor) reservedWorkers() int {
	if e.IsOpen() {
		pre, _ := e.OpenWorkers()
		return pre
	}
	_, _, w := e.Planned()
	return w
}

// Validate reports every problem with the executor's fields for its Kind.
func (e Executor) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch e.Kind {
	case ConstantRate:
		if e.Rate <= 0 || math.IsInf(e.Rate, 0) || math.IsNaN(e.Rate) {
			add("rate %v: must be a finite number > 0", e.Rate)
		}
		if e.Duration <= 0 {
			add("duration %v: must be > 0", e.Duration)
		}
	case RampingRate:
		if err := validateRates(e.Rate, e.Stages); err != nil {
			errs = append(errs, err)
		}
		if e.Length() <= 0 {
			add("stages: must last longer than 0s")
		}
	case ConstantWorkers:
		if e.Workers <= 0 {
			add("workers %d: must be > 0", e.Workers)
		}
		if e.Duration <= 0 {
			add("duration %v: must be > 0", e.Duration)
		}
	case RampingWorkers:
		if e.Workers < 0 {
			add("workers %d: must be >= 0", e.Workers)
		}
		if err := validateRates(0, e.Stages); err != nil {
			errs = append(errs, err)
		}
		if e.Length() <= 0 {
			add("stages: must last longer than 0s")
		}
	case SharedIterations, PerWorkerIterations:
		if e.Workers <= 0 {
			add("workers %d: must be > 0", e.Workers)
		}
		if e.Iterations <= 0 {
			add("iterations %d: must be > 0", e.Iterations)
		}
		if e.Duration < 0 {
			add("duration %v: must be >= 0", e.Duration)
		}
	default:
		add("executor %q: unknown", e.Kind)
	}
	if e.IsOpen() && (e.Workers < 0 || e.MaxWorkers < 0 || (e.MaxWorkers > 0 && e.Workers > e.MaxWorkers)) {
		add("workers %d, max_workers %d: must be >= 0 with workers <= max_workers", e.Workers, e.MaxWorkers)
	}
	return errors.Join(errs...)
}
