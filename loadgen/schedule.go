package loadgen

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// A Schedule holds the intended start times of an open executor's
// iterations. Its rate r(t), in iterations per second, is piecewise linear:
// each segment moves linearly from one rate to the next over its duration
// (a constant rate is one flat segment). With N(t) the integral of r from the
// schedule's start to t, iteration n (counting from 0) is intended to start at
//
//	At(n) = inf{ t : N(t) > n }
//
// that is, the first instant at which more than n iterations are due. For a
// constant rate r this is n/r; for a ramp from 0 to 10/s over 10s, N(t) = t²/2
// and At(n) = sqrt(2n). Within a segment starting at t0 with rates r0 → r1
// over D, N(t0+τ) = N(t0) + r0·τ + (r1−r0)·τ²/(2D), and At solves that
// quadratic in closed form, so the schedule never drifts and never depends on
// when the caller woke up. Segments with rate 0 throughout start nothing.
//
// A Schedule is immutable and safe for concurrent use. The zero value starts
// nothing.
type Schedule struct {
	segs  []segment
	total time.Duration
	count float64 // N(total)
}

// segment is one linear leg of a Schedule.
type segment struct {
	start  time.Duration // from the schedule's start
	dur    time.Duration
	r0, r1 float64 // rates at start and end, per second
	n0     float64 // N(start)
	count  float64 // N(start+dur) − N(start)
}

// countEpsilon absorbs float rounding in N(t) so that a schedule of exactly
// k iterations (400/s for 2s) yields k iterations, not k+1.
const countEpsilon = 1e-9

// ConstantSchedule returns the schedule of rate iterations per second for d.
func ConstantSchedule(rate float64, d time.Duration) *Schedule {
	return newSchedule(rate, []Stage{{Duration: d, Target: rate}})
}

// RampingSchedule returns the schedule that starts at rate start and moves
// linearly to each stage's Target (iterations per second) over its Duration.
func RampingSchedule(start float64, stages []Stage) *Schedule {
	return newSchedule(start, stages)
}

func newSchedule(start float64, stages []Stage) *Schedule {
	s := &Schedule{segs: make([]segment, 0, len(stages))}
	r0, n0 := start, 0.0
	var at time.Duration
	for _, st := range stages {
		if st.Duration <= 0 {
			// A zero-length stage jumps the rate without starting anything.
			r0 = st.Target
			continue
		}
		c := (r0 + st.Target) / 2 * st.Duration.Seconds()
		s.segs = append(s.segs, segment{start: at, dur: st.Duration, r0: r0, r1: st.Target, n0: n0, count: c})
		at += st.Duration
		n0 += c
		r0 = st.Target
	}
	s.total, s.count = at, n0
	return s
}

// validateRates reports negative, infinite or NaN rates.
func validateRates(start float64, stages []Stage) error {
	var errs []error
	bad := func(r float64) bool { return r < 0 || math.IsInf(r, 0) || math.IsNaN(r) }
	if bad(start) {
		errs = append(errs, fmt.Errorf("rate %v: must be a finite number >= 0", start))
	}
	for i, st := range stages {
		if bad(st.Target) {
			errs = append(errs, fmt.Errorf("stage %d: target %v: must be a finite number >= 0", i, st.Target))
		}
		if st.Duration < 0 {
			errs = append(errs, fmt.Errorf("stage %d: duration %v: must be >= 0", i, st.Duration))
		}
	}
	return errors.Join(errs...)
}

// Duration returns the schedule's length: no iteration starts at or after it.
func (s *Schedule) Duration() time.Duration { return s.total }

// Count returns how many iterations the schedule starts (at most
// math.MaxInt64, which no schedule a workload may hold comes near).
func (s *Schedule) Count() int64 {
	return ceilCount(s.count - countEpsilon*math.Max(1, s.count))
}

// ceilCount returns ⌈c⌉ as an int64, 0 for c <= 0 and math.MaxInt64 for
// anything too large for one (a float64 conversion out of range is not
// defined in Go).
func ceilCount(c float64) int64 {
	switch {
	case c <= 0 || math.IsNaN(c):
		return 0
	case c >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(math.Ceil(c))
}

// Due returns how many iterations are due by offset t: the number of n
// with At(n) <= t. It takes O(log segments) whatever the rate, so a
// dispatcher that fell behind, or a stop at 10¹²/s, counts what it drops
// in one step rather than one iteration at a time.
func (s *Schedule) Due(t time.Duration) int64 {
	total := s.Count()
	if t < 0 || total == 0 {
		return 0
	}
	if t >= s.total {
		return total
	}
	// N(t) from the segment holding t; iteration n is due once N(t) >= n.
	k := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].start+s.segs[i].dur > t })
	if k == len(s.segs) {
		return total
	}
	g := &s.segs[k]
	tau := (t - g.start).Seconds()
	nt := g.n0 + g.r0*tau + (g.r1-g.r0)*tau*tau/(2*g.dur.Seconds())
	n := min(total, ceilCount(math.Floor(nt+countEpsilon*math.Max(1, nt))+1))
	if nt < 0 {
		n = 0
	}
	// At rounds to whole nanoseconds (so at 10¹²/s a thousand iterations
	// share each instant): settle the boundary against it by galloping
	// search, so that Due and At never disagree.
	due := func(i int64) bool { at, ok := s.At(i); return ok && at <= t }
	lo, hi := n, n // find the first i >= 0 with !due(i); lo is due or -1
	if due(n) {
		for step := int64(1); ; step *= 2 {
			hi = min(n+step, total)
			if hi == total || !due(hi) {
				break
			}
			lo = hi
		}
	} else {
		lo = n - 1
		for step := int64(1); lo >= 0 && !due(lo); step *= 2 {
			hi = lo
			lo = max(n-step*2, -1)
		}
	}
	// due(lo) (or lo = -1) and !due(hi) (or hi = total): bisect.
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if due(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// At returns the intended start of iteration n as an offset from the
// schedule's start, and false if the schedule ends before iteration n is due
// (or n < 0).
func (s *Schedule) At(n int64) (time.Duration, bool) {
	if n < 0 || n >= s.Count() {
		return 0, false
	}
	x := float64(n)
	// The first segment whose end count exceeds n holds At(n). An end
	// count within countEpsilon of n is n (as in Count): 1.1/s for 50s is
	// 55.00000000000001, and iteration 55 is not due in that segment but
	// in the next that starts any.
	k := sort.Search(len(s.segs), func(i int) bool {
		end := s.segs[i].n0 + s.segs[i].count
		return end-countEpsilon*math.Max(1, end) > x
	})
	if k == len(s.segs) {
		// Only reachable through rounding right at the end.
		k--
	}
	g := &s.segs[k]
	tau := g.solve(x - g.n0)
	return g.start + min(g.dur, time.Duration(math.Round(tau*1e9))), true
}

// solve returns τ ≥ 0 in seconds with r0·τ + a·τ² = x, a = (r1−r0)/(2D),
// using the form 2x / (r0 + sqrt(r0² + 4ax)), which stays accurate when
// a or r0 is zero.
func (g *segment) solve(x float64) float64 {
	if x <= 0 {
		return 0
	}
	a := (g.r1 - g.r0) / (2 * g.dur.Seconds())
	if a == 0 {
		return x / g.r0
	}
	d := g.r0*g.r0 + 4*a*x
	if d < 0 { // rounding on a falling ramp's last iteration
		d = 0
	}
	return 2 * x / (g.r0 + math.Sqrt(d))
}

// RateAt returns the scheduled rate, in iterations per second, at offset t
// (0 outside the schedule).
func (s *Schedule) RateAt(t time.Duration) float64 {
	for i := range s.segs {
		g := &s.segs[i]
		if t >= g.start && t < g.start+g.dur {
			f := float64(t-g.start) / float64(g.dur)
			return g.r0 + (g.r1-g.r0)*f
		}
	}
	return 0
}

// PeakRate returns the highest rate the schedule reaches.
func (s *Schedule) PeakRate() float64 {
	p := 0.0
	for _, g := range s.segs {
		p = max(p, g.r0, g.r1)
	}
	return p
}

// String describes the schedule, for logs: "0/s→10/s 10s, 10/s 1m0s".
func (s *Schedule) String() string {
	if len(s.segs) == 0 {
		return "none"
	}
	var b strings.Builder
	for i, g := range s.segs {
		if i > 0 {
			b.WriteString(", ")
		}
		if g.r0 == g.r1 {
			fmt.Fprintf(&b, "%g/s %v", g.r0, g.dur)
		} else {
			fmt.Fprintf(&b, "%g/s→%g/s %v", g.r0, g.r1, g.dur)
		}
	}
	return b.String()
}
