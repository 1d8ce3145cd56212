package loadgen

import "time"

// A Clock tells the engine the time and makes its timers. Every wait in the
// engine (start_after, the schedule, think time, durations, graceful stops)
// goes through one, so tests can substitute a fake clock and get exact,
// instant runs. The engine measures durations as differences of Now values;
// the real clock's times carry Go's monotonic reading, so those differences
// are immune to wall-clock steps.
//
// A Clock must be safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that sends the current time on its channel
	// once d has passed (at once if d <= 0).
	NewTimer(d time.Duration) Timer
}

// A Timer is a single-shot timer made by a Clock. It behaves like a
// *time.Timer in Go 1.23 and later: after Stop or Reset returns, no stale
// value is received from C.
type Timer interface {
	// C returns the channel on which the timer delivers the time.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether the call
	// stopped it (false if it had already fired or been stopped).
	Stop() bool
	// Reset changes the timer to fire after d; it reports whether the
	// timer had been active.
	Reset(d time.Duration) bool
}

// realClock is the Clock of the time package.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

// realTimer adapts a *time.Timer to Timer.
type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time        { return t.t.C }
func (t realTimer) Stop() bool                 { return t.t.Stop() }
func (t realTimer) Reset(d time.Duration) bool { return t.t.Reset(d) }

// RealClock returns the Clock of the time package, the one Run uses when
// Options.Clock is nil.
func RealClock() Clock { return realClock{} }
