// Package loadgen is the engine of the load generator: it runs a Plan's
// scenarios, each under one of six executors, calls each scenario's Ops and
// reports every measurement to a Sink. It knows nothing of IronCore; the ops
// package supplies the Ops and the results package records what comes out.
//
// # Executors
//
// Open executors (constant-rate, ramping-rate) start iterations on a
// Schedule, whatever the target does: iteration n is intended to start at
// Schedule.At(n), the exact inverse of the integrated rate, computed from the
// scenario's start and never from when a loop last woke. One dispatcher per
// scenario waits for each intended start and hands the iteration to a free
// worker, starting a new worker (up to MaxWorkers) when none is free. Closed
// executors (constant-workers, ramping-workers, shared-iterations,
// per-worker-iterations) run a number of workers, each starting its next
// iteration when its last one (and the think time) is over.
//
// The capacity executor is open too: it searches for the highest rate the
// target sustains within an SLO, one level of arrival rate after another
// on one dispatcher and worker pool (see CapacitySearch), and hands each
// finished level to a Sink that is a LevelSink.
//
// # Measurement
//
// Each step of an iteration yields one results.Sample. Its ServiceTime runs
// from the op's actual start to its end. Its Latency, for the first step of
// an open executor's iteration, runs from the iteration's intended start
// instead, so time spent waiting for a worker shows up as latency rather than
// vanishing (wrk2's rule against coordinated omission); for later steps, and
// for closed executors, which have no intended start, Latency equals
// ServiceTime. Each iteration also yields one results.Iteration, with the
// latency of the whole iteration measured the same way. All durations are
// differences of monotonic clock readings; Sample.Start is an offset from
// the run's start.
//
// When no worker is free at an iteration's intended start and no more may be
// started, the iteration waits, in order, for the next free worker and runs
// late (Sink.AddLate). One that would start more than MaxLateness after its
// intended start is dropped instead (Sink.AddDropped), as are those a
// graceful stop or a cancellation keeps from starting; nothing is skipped
// silently. Late and dropped iterations say the generator or its worker
// limits, not only the target, shaped the result.
//
// # Stopping
//
// A scenario ends in two stages: at its regular end no new iteration starts;
// then iterations in flight have GracefulStop to finish before their context
// is canceled. Options.Stop brings the regular end forward for every
// scenario; canceling Run's context cancels everything at once.
//
// # Generator health
//
// Run measures the generator itself once a second (and once more for the
// last part of a second of at least 100 ms, so a short run is measured
// too): process CPU, the busiest OS thread's CPU and time runnable, the run-queue wait of
// its threads (Linux), the CPU of client crypto (the crypto:* phases), of
// an embedded service (Options.EmbeddedBusy) and of the garbage collector,
// the Go scheduler's latency, the start lag of open executors' iterations
// (actual − intended start), goroutines and heap. A second in which the
// process used its cores (SaturatedCPU), one thread pegged a core, the
// scheduler kept goroutines waiting (SaturatedSchedLatency) or iterations
// started late (SaturatedStartLag) is Saturated, with a Cause: what used
// the CPU, or the scheduler, or the machine. The numbers measured then may
// describe the load generator as much as the target. A figure not measured
// is NaN, never 0.
//
// # Defaults and limits
//
// The executors' defaults (workers of open executors, max_lateness) and the
// limits of what one generator is asked to do (RateLimit, WorkersLimit,
// DurationLimit) have one owner, executor.go; the workload loader leaves
// what a file does not give at zero for the engine to fill in.
//
// # Time
//
// Every wait and reading goes through the time package, so tests run the
// engine in a testing/synctest bubble for exact, instant runs.
//
// # Concurrency and allocation
//
// A Sink is called from many goroutines at once. The engine reuses the
// values it passes (Sample, Iteration, a Sample's Phases) once each call
// returns, so that an iteration of a no-op op allocates nothing; a Sink must
// copy what it keeps. Run starts goroutines only for the length of the run
// and returns after all of them have ended.
package loadgen
