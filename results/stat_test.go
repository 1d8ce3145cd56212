package results

import (
	"math"
	"slices"
	"testing"
)

func TestStatExact(t *testing.T) {
	t.Parallel()
	s := newStat()
	vals := []int64{1000, 2000, 3000, 4000, 10000}
	for _, v := range vals {
		s.record(v)
	}
	// mean 4000, population variance = mean of squares − mean² = 26e6 − 16e6 = 10e6.
	if got := s.mean(); got != 4000 {
		t.Errorf("mean = %v, want 4000", got)
	}
	if got, want := s.stddev(), math.Sqrt(10e6); math.Abs(got-want) > 1e-9 {
		t.Errorf("stddev = %v, want %v", got, want)
	}
	st := s.stats()
	if st.Min != 1 || st.Max != 10 {
		t.Errorf("min, max = %v, %v; want 1, 10", st.Min, st.Max)
	}
	if math.Abs(st.P50-3) > 3*0.001 {
		t.Errorf("p50 = %v, want 3 within 0.1%%", st.P50)
	}
}

func TestStatClamp(t *testing.T) {
	t.Parallel()
	s := newStat()
	s.record(-5)
	s.record(highestUS + 10)
	if s.clamped != 2 || s.n != 2 {
		t.Fatalf("clamped = %d, n = %d; want 2, 2", s.clamped, s.n)
	}
	if s.min != 0 || s.max != highestUS+10 {
		t.Errorf("min, max = %d, %d", s.min, s.max)
	}
	if s.h.TotalCount() != 2 {
		t.Errorf("histogram count = %d, want 2", s.h.TotalCount())
	}
}

func TestStatMergeEqualsOne(t *testing.T) {
	t.Parallel()
	one, a, b := newStat(), newStat(), newStat()
	for i := int64(0); i < 10000; i++ {
		v := (i*7919)%50000 + i%3
		one.record(v)
		if i%3 == 0 {
			a.record(v)
		} else {
			b.record(v)
		}
	}
	m := newStat()
	m.merge(a)
	m.merge(b)
	if m.stats() != one.stats() || m.sum != one.sum || m.sqHi != one.sqHi || m.sqLo != one.sqLo {
		t.Errorf("merged %+v\nwant %+v", m.stats(), one.stats())
	}
	e1, _ := m.encode()
	e2, _ := one.encode()
	if e1 != e2 {
		t.Error("merged histogram encodes differently")
	}
}

func TestStatSumOfSquares128(t *testing.T) {
	t.Parallel()
	// Squares of 1 h in µs are 1.3e19, beyond uint64: the high half must carry.
	s := newStat()
	s.record(highestUS)
	s.record(highestUS)
	s.record(0)
	if s.sqHi == 0 {
		t.Fatal("sum of squares did not carry into the high half")
	}
	mean := float64(2*highestUS) / 3
	want := math.Sqrt((2*math.Pow(float64(highestUS)-mean, 2) + mean*mean) / 3)
	if got := s.stddev(); math.Abs(got-want)/want > 1e-12 {
		t.Errorf("stddev = %v, want %v", got, want)
	}
}

// TestStatPercentileBeyondRange checks that a percentile that falls among
// values above the histogram's 1 h ceiling is reported as an upper bound
// (the exact maximum), as HdrHistogram reports every percentile as the top
// of its bucket, and never below the true value.
func TestStatPercentileBeyondRange(t *testing.T) {
	t.Parallel()
	const hour = highestUS
	for _, tc := range []struct {
		name string
		vals []int64
	}{
		{"in range", []int64{1000, 2000, 3000, 4000, 10000}},
		{"one beyond", []int64{5 * hour}},
		{"all beyond", []int64{2 * hour, 3 * hour}},
		{"straddling", []int64{hour / 2, 2 * hour, 3 * hour}},
		{"just above", []int64{hour - 1, hour + 1, hour + 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStat()
			for _, v := range tc.vals {
				s.record(v)
			}
			sorted := slices.Clone(tc.vals)
			slices.Sort(sorted)
			for _, p := range reportedPercentiles {
				rank := int(math.Ceil(p / 100 * float64(len(sorted))))
				exact := sorted[max(rank, 1)-1]
				got := s.percentileUS(p)
				if got < exact || got > sorted[len(sorted)-1] {
					t.Errorf("p%v = %d µs; want between the true %d and the maximum %d", p, got, exact, sorted[len(sorted)-1])
				}
				if exact <= hour/2 && float64(got-exact) > float64(exact)*0.001 {
					t.Errorf("p%v = %d µs; want %d within 0.1%%", p, got, exact)
				}
			}
		})
	}
}

// TestStatPercentileNearestRank checks percentiles against the nearest-rank
// definition HdrHistogram uses, the value at rank ⌈p/100 · n⌉ (never the
// rank below it), within the histogram's 0.1%.
func TestStatPercentileNearestRank(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 4, 5, 7, 10, 11, 13, 99, 150, 1000, 1060, 2019} {
		s := newStat()
		for i := 1; i <= n; i++ {
			s.record(int64(i) * 1000)
		}
		for _, p := range append(reportedPercentiles[:], 0.1, 25, 33.3, 66.7, 100) {
			x := p / 100 * float64(n)
			rank := max(int64(math.Ceil(x-1e-9*x)), 1)
			exact := rank * 1000
			if got := s.percentileUS(p); got < exact || float64(got-exact) > float64(exact)*0.001 {
				t.Errorf("n %d: p%v = %d µs; want %d (rank %d) within 0.1%%", n, p, got, exact, rank)
			}
		}
	}
}
