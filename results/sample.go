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
	// Interrupted is an iteration loadgen's own stop cut off (a second
	// SIGINT, the end of graceful_stop); it is then not Failed, and not in
	// the iteration counts or times.
	Interrupted bool
}

// Health is the load generator's own state over one second of the run
// (the last record of a run may cover less). Percentages of CPU are of one
// core (100 = one core busy for the whole interval). A figure that was not
// measured is NaN (floats) or, for StartLagP99, has StartLags 0.
type Health struct {
	Second     int64   // seconds since the run's start
	CPUPercent float64 // process CPU
	// ThreadCPUMaxPercent is the busiest OS thread's CPU: near 100 when
	// one goroutine pegs a core though the process as a whole is not
	// CPU-bound. Linux only.
	ThreadCPUMaxPercent float64
	// ThreadRunnableMaxPercent is the busiest OS thread's time running
	// or runnable (waiting for a CPU): near 100 when one goroutine wants a
	// whole core, even on a machine too busy to give it one. Linux only.
	ThreadRunnableMaxPercent float64
	// The process CPU split by what used it: client crypto (the
	// crypto:* phases' time), the embedded service's handlers when the
	// target runs in this process (NaN when it does not), and the Go
	// garbage collector. The first two are wall time, so they are capped
	// at CPUPercent.
	CryptoCPUPercent  float64
	ServiceCPUPercent float64
	GCCPUPercent      float64
	// RunQueuePercent is the time the process's threads spent runnable but
	// waiting for a CPU the kernel gave to someone else (Linux only): the
	// machine, not loadgen, was busy.
	RunQueuePercent float64
	SchedLatencyP99 time.Duration // Go scheduler: runnable to running
	StartLagP99     time.Duration // actual − intended start, open executors
	StartLags       int64         // iterations StartLagP99 is of
	Goroutines      int
	HeapBytes       uint64
	Saturated       bool
	// Cause names what saturated the generator, when Saturated: one of
	// the Cause constants.
	Cause string
}

// What saturated the generator in a second (Health.Cause).
const (
	CauseCrypto    = "crypto"    // client crypto CPU (crypto:* phases)
	CauseService   = "service"   // the embedded service in the same process
	CauseGC        = "gc"        // the Go garbage collector
	CauseCPU       = "cpu"       // loadgen's own work: dispatch, HTTP, recording
	CauseScheduler = "scheduler" // goroutines waited for one of GOMAXPROCS Ps
	CauseMachine   = "machine"   // other processes took the machine's CPUs
)

// WorkerCap says that an open scenario's worker cap bound: an iteration
// was due while every worker the scenario may have was busy, so it queued
// (late) or was dropped. The latency that follows is loadgen's limit, not
// the target's.
type WorkerCap struct {
	Scenario string
	// MaxWorkers is how many workers the scenario had when the cap bound:
	// its max_workers, or fewer when Budget says target.max_workers left
	// it no more.
	MaxWorkers int
	Budget     bool
	// PeakRate is the scenario's peak scheduled rate, iterations per second.
	PeakRate float64
	// Seconds counts the seconds of the run so far in which the cap bound.
	Seconds int64
}
