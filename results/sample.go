package results

import (
	"time"
)

// Phase is one timed interval inside an op, as offsets from the op's actual
// start. Phases may overlap (an SDK may run calls concurrently). Names are
// "kind:name" for top-level phases ("crypto:pbkdf2", "http:device_add") and
// "kind:name/part" for sub-phases ("http:device_add/connect").
type Phase struct {
	Name  string
	Start time.Duration
	End   time.Duration
}

// Sample is one finished op: one step of one iteration.
//
// Latency is measured from the iteration's intended start for the first step
// of an iteration (so queueing delay shows, wrk2's rule) and equals
// ServiceTime for later steps; ServiceTime runs from the op's actual start.
// Closed executors have no intended start: Latency == ServiceTime.
type Sample struct {
	Scenario string
	Op       string // the op's label in reports (its `name:` or its op name)
	Worker   int    // the worker that ran it; picks the preferred recording shard

	// Start is when the op actually started, as an offset from the run's
	// start (monotonic). Wall time is the run's start plus Start.
	Start       time.Duration
	Latency     time.Duration
	ServiceTime time.Duration

	// Err is nil for a success. Class is its error class (see Classify),
	// empty for a success. Status is the final HTTP status, 0 if none.
	Err    error
	Class  string
	Status int

	Phases []Phase
}

// OK reports whether the sample is a success.
func (s *Sample) OK() bool { return s.Err == nil && s.Class == "" }

// Iteration is one finished iteration of a scenario (all its steps, or one mix
// pick). Latency is from the intended start (open executors) and ServiceTime
// from the actual start.
type Iteration struct {
	Scenario    string
	Worker      int
	Start       time.Duration
	Latency     time.Duration
	ServiceTime time.Duration
	Failed      bool
}

// Health is the load generator's own state over one second of the run.
type Health struct {
	Second          int64   // seconds since the run's start
	CPUPercent      float64 // process CPU over that second, 100 = one core
	SchedLatencyP99 time.Duration
	StartLagP99     time.Duration // actual - intended start, open executors
	Goroutines      int
	HeapBytes       uint64
	Saturated       bool
}
