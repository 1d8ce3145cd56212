package loadgen

import "time"

// Options tune a Run. The zero value measures generator health and uses
// seed 0.
//
// The engine takes every time and timer from the time package, so a test
// runs it in a testing/synctest bubble to get fake, instant, exact time
// (with NoHealth: the process's CPU and scheduler do not follow fake time).
type Options struct {
	// Stop, when closed, stops the run gracefully: no scenario starts a new
	// iteration, and iterations in flight get their scenario's
	// GracefulStop to finish before their context is canceled. A nil
	// channel never stops. Cancel Run's context instead to stop at once.
	Stop <-chan struct{}

	// Seed makes weighted mix picks deterministic: for a given seed,
	// iteration n of a scenario always runs the same mix entry.
	Seed int64

	// Start is the run's start, the origin of every offset the engine
	// reports (Sample.Start) and of StartAfter. Zero means the time Setup
	// returns. Give a time from time.Now, so that it carries a monotonic
	// reading.
	Start time.Time

	// NoHealth turns off generator health (Sink.RecordHealth), which is
	// otherwise measured once a second.
	NoHealth bool

	// EmbeddedBusy, if not nil, returns the time so far that a target
	// running inside this process (the embedded reference service) spent
	// handling requests; generator health counts it as that service's
	// share of the CPU, so a saturated run can name it. It is called
	// once a second and must be safe for concurrent use.
	EmbeddedBusy func() time.Duration

	// Progress, if not nil, is called about once a second from a
	// goroutine of its own with a snapshot of every scenario's counters,
	// and once more at the end. It must return quickly.
	Progress func(Progress)
}

// Progress is a snapshot of a run in progress.
type Progress struct {
	Elapsed   time.Duration // since the run's start
	Scenarios []ScenarioOutcome
}

// Outcome is what a Run did, as counts; the measurements went to the Sink.
type Outcome struct {
	// Start is the run's start (see Options.Start); End is when its
	// scenarios had all ended, before Plan.Teardown.
	Start, End time.Time
	// Stopped reports whether Options.Stop was closed before every scenario
	// had ended on its own.
	Stopped bool
	// RateScale is the factor Plan.MaxRate scaled every rate by (1 = none).
	RateScale float64
	Scenarios []ScenarioOutcome
}

// ScenarioOutcome counts what happened to one scenario's iterations.
//
// Started = Completed + Interrupted once the run is over. An iteration is
// interrupted when the engine canceled its context (hard stop, or the end of
// the graceful window) and it then ended with an error; otherwise it
// completed, with Failed counting those in which a step failed.
type ScenarioOutcome struct {
	Name        string
	Started     int64
	Completed   int64
	Failed      int64
	Interrupted int64
	// Late counts iterations of open executors that had to wait for a free
	// worker past their intended start; Dropped those that were never
	// started because that wait would have exceeded MaxLateness, or because
	// the scenario ended while they waited.
	Late    int64
	Dropped int64
	// Workers is how many workers the scenario started in all;
	// MaxActiveWorkers the most that ran an iteration at the same moment.
	Workers          int
	MaxActiveWorkers int
	// WorkersCappedS counts the seconds of the run in which an open
	// executor had an iteration due while every worker it may start was
	// busy (max_workers_reached_s).
	WorkersCappedS int64
	// Stopped reports whether Options.Stop ended the scenario.
	Stopped bool
}
