package loadgen

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults and limits of the executors. This file is their one owner: the
// workload loader leaves a field it was not given at zero and the engine
// fills it in here; --dry-run and the README show what these give.
const (
	// DefaultMaxLateness is how late past its intended start an iteration of
	// an open executor may start before it is dropped, when
	// Scenario.MaxLateness is 0.
	DefaultMaxLateness = 10 * time.Second

	// DefaultWorkersSpan is how long an iteration of an open executor may
	// take before its default maximum of workers binds: the default is
	// enough workers for the peak rate × DefaultWorkersSpan in flight
	// (Little's law), at least DefaultMinWorkers and at most
	// DefaultWorkersCap. Workers start on demand, so a healthy target
	// never costs more than rate × service time of them.
	DefaultWorkersSpan = 10 * time.Second
	// DefaultMinWorkers is the least default maximum of an open executor.
	DefaultMinWorkers = 100
	// DefaultWorkersCap bounds the default maximum of an open executor,
	// and with it the memory a stalled target can make the generator
	// spend (a worker holds a goroutine, its op state and a connection).
	DefaultWorkersCap = 10_000
	// DefaultPreallocSpan sizes an open executor's default pre-allocated
	// workers: enough for iterations of up to this long at the peak rate.
	DefaultPreallocSpan = 100 * time.Millisecond

	// RateLimit is the highest rate, in iterations per second, one
	// scenario may ask of one generator: one dispatcher hands out at most a
	// few million iterations a second on any machine, so more is not a load
	// test but a queue of drops. Spread more over shards (--shards).
	RateLimit = 1e6
	// WorkersLimit is the most workers one scenario (or a whole plan) may
	// ask for, explicitly or as max_workers.
	WorkersLimit = 100_000
	// DurationLimit is the longest a scenario may run: a year.
	DurationLimit = 365 * 24 * time.Hour

	// DefaultCapacityFactor is how much a capacity search raises the rate
	// from one level to the next until a level fails.
	DefaultCapacityFactor = 1.5
	// DefaultCapacityPrecision is the bracket (a fraction of the first
	// failing rate) within which a capacity search stops bisecting.
	DefaultCapacityPrecision = 0.05
	// DefaultCapacityDrain is how long after its step a capacity level's
	// iterations in flight may take to end, when the scenario's
	// GracefulStop is 0, before they are canceled.
	DefaultCapacityDrain = 10 * time.Second
)

// IsOpen reports whether the executor follows a rate schedule
// (constant-rate, ramping-rate) rather than a number of workers.
func (e Executor) IsOpen() bool {
	return e.Kind == ConstantRate || e.Kind == RampingRate || e.Kind == Capacity
}

// Schedule returns the intended start times of an open executor's
// iterations, and nil for a closed executor.
func (e Executor) Schedule() *Schedule {
	switch e.Kind {
	case ConstantRate:
		return ConstantSchedule(e.Rate, e.Duration)
	case RampingRate:
		return RampingSchedule(e.Rate, e.Stages)
	case Capacity:
		// Its highest level, for sizing workers and target.max_rate; the
		// search makes each level's schedule as it goes.
		if e.Capacity == nil {
			return ConstantSchedule(e.Rate, time.Second)
		}
		return ConstantSchedule(max(e.Rate, e.Capacity.MaxRate), max(e.Capacity.Step, time.Second))
	}
	return nil
}

// OpenWorkers returns, for an open executor, how many workers are started
// up front and how many may exist at most. When Executor.MaxWorkers is 0 the
// maximum is max(Workers, clamp(⌈peak rate × DefaultWorkersSpan⌉,
// DefaultMinWorkers, DefaultWorkersCap)): enough for iterations of up to ten
// seconds at the peak rate, so only a target that answers slower than that
// (or a rate above 1000/s with iterations over 10 s / (rate / 1000)) meets
// the cap. When Executor.Workers is 0 the pre-allocation is
// max(1, ⌈peak rate × DefaultPreallocSpan⌉). Workers is never more than the
// maximum.
func (e Executor) OpenWorkers() (prealloc, maxWorkers int) {
	peak := e.Schedule().PeakRate()
	maxWorkers = e.MaxWorkers
	if maxWorkers <= 0 {
		need := math.Ceil(peak * DefaultWorkersSpan.Seconds())
		maxWorkers = max(e.Workers, int(min(max(need, DefaultMinWorkers), DefaultWorkersCap)))
	}
	prealloc = e.Workers
	if prealloc <= 0 {
		prealloc = int(min(max(1, math.Ceil(peak*DefaultPreallocSpan.Seconds())), float64(maxWorkers)))
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
	case Capacity:
		// How many levels the search runs depends on the target.
		_, mw := e.OpenWorkers()
		return -1, e.Schedule().PeakRate(), mw
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
	case Capacity:
		errs = append(errs, e.Capacity.validate(e.Rate))
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
	if e.Workers > WorkersLimit || e.MaxWorkers > WorkersLimit {
		add("workers %d, max_workers %d: at most %d per scenario; spread more over shards", e.Workers, e.MaxWorkers, WorkersLimit)
	}
	return errors.Join(errs...)
}
