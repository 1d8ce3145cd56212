package loadgen

import (
	"math"
	"testing"
	"time"
)

func TestScheduleAt(t *testing.T) {
	t.Parallel()
	sec := func(f float64) time.Duration { return time.Duration(math.Round(f * 1e9)) }
	for _, tc := range []struct {
		name  string
		sched *Schedule
		n     int64
		want  time.Duration
		ok    bool
	}{
		// Constant rate: iteration n at n/r.
		{"constant first", ConstantSchedule(10, time.Second), 0, 0, true},
		{"constant second", ConstantSchedule(10, time.Second), 1, 100 * time.Millisecond, true},
		{"constant last", ConstantSchedule(10, time.Second), 9, 900 * time.Millisecond, true},
		{"constant past end", ConstantSchedule(10, time.Second), 10, 0, false},
		{"constant 400/s", ConstantSchedule(400, 2*time.Second), 799, sec(799.0 / 400), true},
		{"constant 400/s end", ConstantSchedule(400, 2*time.Second), 800, 0, false},
		{"constant 3/s", ConstantSchedule(3, time.Second), 2, sec(2.0 / 3), true},
		{"negative n", ConstantSchedule(10, time.Second), -1, 0, false},
		// Ramp 0→10/s over 10s: N(t) = t²/2, At(n) = sqrt(2n).
		{"ramp up n=0", RampingSchedule(0, []Stage{{10 * time.Second, 10}}), 0, 0, true},
		{"ramp up n=2", RampingSchedule(0, []Stage{{10 * time.Second, 10}}), 2, 2 * time.Second, true},
		{"ramp up n=8", RampingSchedule(0, []Stage{{10 * time.Second, 10}}), 8, 4 * time.Second, true},
		{"ramp up n=18", RampingSchedule(0, []Stage{{10 * time.Second, 10}}), 18, 6 * time.Second, true},
		{"ramp up n=49", RampingSchedule(0, []Stage{{10 * time.Second, 10}}), 49, sec(math.Sqrt(98)), true},
		{"ramp up n=50", RampingSchedule(0, []Stage{{10 * time.Second, 10}}), 50, 0, false},
		// Ramp down 10→0/s over 10s: N(t) = 10t − t²/2, At(n) = 10 − sqrt(100 − 2n).
		{"ramp down n=0", RampingSchedule(10, []Stage{{10 * time.Second, 0}}), 0, 0, true},
		{"ramp down n=18", RampingSchedule(10, []Stage{{10 * time.Second, 0}}), 18, 2 * time.Second, true},
		{"ramp down n=32", RampingSchedule(10, []Stage{{10 * time.Second, 0}}), 32, 4 * time.Second, true},
		{"ramp down n=49", RampingSchedule(10, []Stage{{10 * time.Second, 0}}), 49, sec(10 - math.Sqrt(2)), true},
		{"ramp down n=50", RampingSchedule(10, []Stage{{10 * time.Second, 0}}), 50, 0, false},
		// Piecewise: 0→2/s over 2s (2 iterations), 2/s for 3s (6), 2→4/s over 1s (3).
		{"piecewise ramp", RampingSchedule(0, []Stage{{2 * time.Second, 2}, {3 * time.Second, 2}, {time.Second, 4}}), 1, sec(math.Sqrt(2)), true},
		{"piecewise flat start", RampingSchedule(0, []Stage{{2 * time.Second, 2}, {3 * time.Second, 2}, {time.Second, 4}}), 2, 2 * time.Second, true},
		{"piecewise flat", RampingSchedule(0, []Stage{{2 * time.Second, 2}, {3 * time.Second, 2}, {time.Second, 4}}), 7, 4500 * time.Millisecond, true},
		// In the last leg N = 8 + 2τ + τ², so n=10 is at τ = sqrt(3) − 1.
		{"piecewise last leg", RampingSchedule(0, []Stage{{2 * time.Second, 2}, {3 * time.Second, 2}, {time.Second, 4}}), 10, 5*time.Second + sec(math.Sqrt(3)-1), true},
		{"piecewise end", RampingSchedule(0, []Stage{{2 * time.Second, 2}, {3 * time.Second, 2}, {time.Second, 4}}), 11, 0, false},
		// Zero-rate stages start nothing; the first iteration waits for them.
		{"zero first", RampingSchedule(0, []Stage{{5 * time.Second, 0}, {time.Second, 0}, {0, 4}, {time.Second, 4}}), 0, 6 * time.Second, true},
		{"zero first then", RampingSchedule(0, []Stage{{5 * time.Second, 0}, {0, 4}, {time.Second, 4}}), 3, 5750 * time.Millisecond, true},
		{"zero middle", RampingSchedule(2, []Stage{{time.Second, 2}, {0, 0}, {10 * time.Second, 0}, {0, 2}, {time.Second, 2}}), 2, 11 * time.Second, true},
		{"zero only", RampingSchedule(0, []Stage{{time.Minute, 0}}), 0, 0, false},
		{"empty", RampingSchedule(5, nil), 0, 0, false},
		{"zero value", &Schedule{}, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.sched.At(tc.n)
			if ok != tc.ok || got != tc.want {
				t.Errorf("%v: At(%d) = %v, %v; want %v, %v", tc.sched, tc.n, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestScheduleCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		sched *Schedule
		want  int64
	}{
		{"constant", ConstantSchedule(400, 2*time.Second), 800},
		{"fraction rounds up", ConstantSchedule(3, 1500*time.Millisecond), 5}, // N = 4.5: starts at 0, ⅓, ⅔, 1, 1⅓
		{"ramp", RampingSchedule(0, []Stage{{10 * time.Second, 10}}), 50},
		{"tiny", ConstantSchedule(0.1, time.Second), 1},
		{"zero", ConstantSchedule(0, time.Hour), 0},
		{"per minute", ConstantSchedule(2.0/60, time.Minute), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.sched.Count(); got != tc.want {
				t.Errorf("%v: Count() = %d; want %d", tc.sched, got, tc.want)
			}
		})
	}
}

// TestScheduleRampIntegral checks the ramp 0→10/s over 10s against its
// integral: by t, exactly ceil(t²/2) iterations have intended starts before t.
func TestScheduleRampIntegral(t *testing.T) {
	t.Parallel()
	s := RampingSchedule(0, []Stage{{10 * time.Second, 10}})
	for ms := 1; ms <= 10000; ms += 7 {
		at := time.Duration(ms) * time.Millisecond
		var started int64
		for n := int64(0); ; n++ {
			a, ok := s.At(n)
			if !ok || a >= at {
				break
			}
			started++
		}
		x := at.Seconds()
		if want := int64(math.Ceil(x*x/2 - 1e-9)); started != want {
			t.Fatalf("by %v: %d started; want %d", at, started, want)
		}
	}
}

// TestScheduleMonotonic checks that intended starts never go backwards.
func TestScheduleMonotonic(t *testing.T) {
	t.Parallel()
	s := RampingSchedule(3, []Stage{{7 * time.Second, 50}, {3 * time.Second, 0}, {time.Second, 0}, {5 * time.Second, 13}})
	prev := time.Duration(-1)
	for n := int64(0); n < s.Count(); n++ {
		a, ok := s.At(n)
		if !ok || a < prev || a >= s.Duration() {
			t.Fatalf("At(%d) = %v, %v after %v (duration %v)", n, a, ok, prev, s.Duration())
		}
		prev = a
	}
}

func TestScheduleRateAt(t *testing.T) {
	t.Parallel()
	s := RampingSchedule(0, []Stage{{10 * time.Second, 10}, {5 * time.Second, 10}})
	for _, tc := range []struct {
		at   time.Duration
		want float64
	}{
		{0, 0}, {5 * time.Second, 5}, {10 * time.Second, 10}, {12 * time.Second, 10}, {15 * time.Second, 0}, {-time.Second, 0},
	} {
		if got := s.RateAt(tc.at); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("RateAt(%v) = %v; want %v", tc.at, got, tc.want)
		}
	}
	if got := s.PeakRate(); got != 10 {
		t.Errorf("PeakRate() = %v; want 10", got)
	}
}

// TestScheduleAtAcrossPause checks iterations due after a pause when the
// iteration count before it is whole but inexact in floating point (1.1/s
// for 50s is 55.00000000000001): iteration 55 is due when the pause ends,
// not at its start, and the schedule counts 55 + 5.
func TestScheduleAtAcrossPause(t *testing.T) {
	t.Parallel()
	s := RampingSchedule(1.1, []Stage{{50 * time.Second, 1.1}, {0, 0}, {10 * time.Second, 0}, {0, 1}, {5 * time.Second, 1}})
	for _, tc := range []struct {
		n    int64
		want time.Duration
		ok   bool
	}{
		{54, time.Duration(math.Round(54 / 1.1 * 1e9)), true},
		{55, 60 * time.Second, true},
		{56, 61 * time.Second, true},
		{59, 64 * time.Second, true},
		{60, 0, false},
	} {
		if got, ok := s.At(tc.n); ok != tc.ok || got != tc.want {
			t.Errorf("%v: At(%d) = %v, %v; want %v, %v", s, tc.n, got, ok, tc.want, tc.ok)
		}
	}
	if c := s.Count(); c != 60 {
		t.Errorf("Count() = %d; want 60", c)
	}
}

// TestScheduleDue checks Due against At, one iteration at a time, at
// rates from a fraction per second to 10¹²/s (where a thousand iterations
// share each nanosecond) and across ramps and pauses.
func TestScheduleDue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		s    *Schedule
	}{
		{"1.1/s", ConstantSchedule(1.1, 50*time.Second)},
		{"400/s", ConstantSchedule(400, 2*time.Second)},
		{"ramp", RampingSchedule(0, []Stage{{10 * time.Second, 10}, {5 * time.Second, 10}, {0, 0}, {time.Second, 0}, {3 * time.Second, 7}})},
		{"falling", RampingSchedule(30, []Stage{{2 * time.Second, 0}})},
		{"1e12/s", ConstantSchedule(1e12, time.Second)},
	} {
		// Probe around the first, some middle and the last starts.
		var ns []int64
		c := tc.s.Count()
		for _, n := range []int64{0, 1, 2, 3, 999, 1000, 1001, c / 3, c / 2, c - 2, c - 1} {
			if n >= 0 && n < c {
				ns = append(ns, n)
			}
		}
		for _, n := range ns {
			at, _ := tc.s.At(n)
			for _, t0 := range []time.Duration{at - 1, at, at + 1} {
				// Due(t) = #{i : At(i) <= t}; At is monotonic, so count
				// around n.
				want := n
				for want > 0 {
					if a, _ := tc.s.At(want - 1); a <= t0 {
						break
					}
					want--
				}
				for want < c {
					if a, _ := tc.s.At(want); a > t0 {
						break
					}
					want++
				}
				if got := tc.s.Due(t0); got != want {
					t.Errorf("%s: Due(%v) = %d; want %d (At(%d) = %v)", tc.name, t0, got, want, n, at)
				}
			}
		}
		if got := tc.s.Due(-time.Second); got != 0 {
			t.Errorf("%s: Due(-1s) = %d; want 0", tc.name, got)
		}
		if got := tc.s.Due(tc.s.Duration() + time.Hour); got != c {
			t.Errorf("%s: Due(end) = %d; want Count %d", tc.name, got, c)
		}
	}
}

// TestScheduleCountHuge checks that a count beyond int64 saturates rather
// than wrapping to a negative number (which would start nothing).
func TestScheduleCountHuge(t *testing.T) {
	t.Parallel()
	s := ConstantSchedule(1e12, 365*24*time.Hour)
	if got := s.Count(); got != math.MaxInt64 {
		t.Errorf("Count() = %d; want MaxInt64", got)
	}
	if at, ok := s.At(1e15); !ok || at != time.Second*1000 {
		t.Errorf("At(1e15) = %v, %v; want 1000s", at, ok)
	}
}
