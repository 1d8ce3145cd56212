package loadgen

import (
	"context"
	"sync"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// An Op is one operation a step runs. Do is called once per step of an
// iteration, from the worker's goroutine; it must honour ctx (canceled when a
// run stops hard or graceful_stop expires) and return an error for a failed
// op. An Op value is shared by every worker of its scenario, so per-worker
// state belongs in Iteration.Worker.
type Op interface {
	Do(ctx context.Context, it *Iteration) error
}

// OpFunc adapts a function to the Op interface.
type OpFunc func(ctx context.Context, it *Iteration) error

// Do calls f(ctx, it).
func (f OpFunc) Do(ctx context.Context, it *Iteration) error { return f(ctx, it) }

// WorkerState is what one worker keeps from iteration to iteration (an SDK
// instance bound to an identity, say). It belongs to one goroutine.
type WorkerState struct {
	Scenario string
	Index    int            // 0-based within its scenario
	Values   map[string]any // free for ops; never shared between workers
}

// Iteration is the state of one iteration as its steps see it. Vars carries
// values from earlier steps to later ones and is empty at the start of each
// iteration. Phase and SetStatus may be called from several goroutines at once
// (an op may run calls concurrently); everything else belongs to the worker.
type Iteration struct {
	N      int64 // iteration number within the scenario, from 0
	Worker *WorkerState
	Vars   map[string]any

	mu      sync.Mutex
	opStart time.Time
	phases  []results.Phase
	status  int
}

// Phase records that the current op spent [start, end) in the named phase.
// Names are "kind:name" or "kind:name/part" (see results.Phase).
func (it *Iteration) Phase(name string, start, end time.Time) {
	it.mu.Lock()
	it.phases = append(it.phases, results.Phase{Name: name, Start: start.Sub(it.opStart), End: end.Sub(it.opStart)})
	it.mu.Unlock()
}

// SetStatus records the final HTTP status of the current op.
func (it *Iteration) SetStatus(code int) {
	it.mu.Lock()
	it.status = code
	it.mu.Unlock()
}

// BeginOp resets the per-op state before a step runs; the engine calls it.
func (it *Iteration) BeginOp(start time.Time) {
	it.mu.Lock()
	it.opStart = start
	it.phases = it.phases[:0]
	it.status = 0
	it.mu.Unlock()
}

// EndOp returns the phases and status recorded since BeginOp. The returned
// slice is a copy the caller may keep.
func (it *Iteration) EndOp() ([]results.Phase, int) {
	it.mu.Lock()
	defer it.mu.Unlock()
	var ph []results.Phase
	if len(it.phases) > 0 {
		ph = append([]results.Phase(nil), it.phases...)
	}
	return ph, it.status
}

// Step is one op of a scenario with its label in reports.
type Step struct {
	Name   string // label in reports: the step's `name:`, else its op name
	Op     Op
	Weight int // mix only: relative weight, > 0
}

// Kind names an executor.
type Kind string

// The six executors. Closed executors (workers, iterations) have no intended
// start times; open ones (rates) follow a schedule.
const (
	ConstantWorkers     Kind = "constant-workers"
	RampingWorkers      Kind = "ramping-workers"
	ConstantRate        Kind = "constant-rate"
	RampingRate         Kind = "ramping-rate"
	SharedIterations    Kind = "shared-iterations"
	PerWorkerIterations Kind = "per-worker-iterations"
	// Capacity searches for the highest rate the target sustains within
	// an SLO (see CapacitySearch); it is open.
	Capacity Kind = "capacity"
)

// Stage is one leg of a ramp: over Duration, move linearly to Target (workers
// for ramping-workers, iterations per second for ramping-rate).
type Stage struct {
	Duration time.Duration
	Target   float64
}

// Executor configures how a scenario's iterations are started. Which fields
// count depends on Kind:
//
//	constant-workers:      Workers, Duration
//	ramping-workers:       Workers (start), Stages
//	constant-rate:         Rate, Duration, Workers (pre-allocated), MaxWorkers
//	ramping-rate:          Rate (start), Stages, Workers (pre-allocated), MaxWorkers
//	shared-iterations:     Workers, Iterations (total), Duration (max, 0 = none)
//	per-worker-iterations: Workers, Iterations (each), Duration (max, 0 = none)
//	capacity:              Rate (first level), Capacity, Duration (max, 0 = none),
//	                       Workers (pre-allocated), MaxWorkers
type Executor struct {
	Kind       Kind
	Workers    int
	MaxWorkers int
	Rate       float64 // iterations per second
	Duration   time.Duration
	Stages     []Stage
	Iterations int64
	Capacity   *CapacitySearch // capacity only
}

// Scenario is one independent stream of iterations. Exactly one of Steps
// (all run in order each iteration) or Mix (one weighted pick per iteration)
// is set.
type Scenario struct {
	Name         string
	Executor     Executor
	StartAfter   time.Duration // delay from the run's start
	GracefulStop time.Duration // after the regular end, how long in-flight iterations may finish
	ThinkTime    time.Duration // pause after each iteration (closed executors)
	MaxLateness  time.Duration // open executors: later than this is dropped (0 = 10s)
	Steps        []Step
	Mix          []Step
}

// Plan is a whole run, as scenarios.Compile makes it.
type Plan struct {
	Name      string
	Scenarios []Scenario
	// MaxRate caps the summed rate of all scenarios (0 = no cap);
	// MaxWorkers caps the summed workers (0 = no cap).
	MaxRate    float64
	MaxWorkers int
	// Setup runs before any scenario and Teardown after all (under the
	// run's outer context, so a graceful stop still tears down). Either may
	// be nil.
	Setup    func(ctx context.Context) error
	Teardown func(ctx context.Context) error
}

// Sink receives what the engine measures. Its methods are called from many
// goroutines at once and must not block for long. The engine reuses the
// *results.Sample and *results.Iteration it passes, and a Sample's Phases
// slice, once the call returns: a Sink must copy what it keeps.
type Sink interface {
	RecordSample(s *results.Sample)
	RecordIteration(it *results.Iteration)
	AddLate(scenario string, n int64)
	AddDropped(scenario string, n int64)
	RecordHealth(h results.Health)
	// RecordWorkerCap is called when an open scenario's worker cap bound
	// in a second it had not yet bound in; c.Seconds is the total so far.
	RecordWorkerCap(c results.WorkerCap)
}
