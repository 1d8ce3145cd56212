package results

import (
	"math"
	"math/big"
	"math/bits"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry: values are integer microseconds from 1 µs to 1 h, at 3
// significant digits (per-second series use 2).
const (
	lowestUS   = 1
	highestUS  = int64(time.Hour / time.Microsecond)
	sigFigs    = 3
	secSigFigs = 2
)

// stat is one measured quantity, in integer microseconds: an HdrHistogram
// plus the exact count, sum, sum of squares, minimum and maximum.
//
// The sum is a uint64 (it overflows only after about 5·10⁹ values of an
// hour each); the sum of squares is a 128-bit unsigned integer held as two
// uint64 halves (hi, lo), added with carry. Mean = sum/n and variance =
// (n·sumsq − sum²)/n² are then computed with math/big, so merged means and
// (population) standard deviations are exact for the microsecond values.
//
// Values below 0 are recorded as 0 and values above 1 h are recorded in the
// histogram as 1 h; both are counted in clamped. The exact moments use the
// value after the lower clamp only.
//
// The histogram is sparse (PackedHistogram): its memory grows with the number
// of populated buckets (at most 23,552 at this geometry), never with the
// number of values. A stat is not safe for concurrent use.
type stat struct {
	h          *hdrhistogram.PackedHistogram
	n          int64
	sum        uint64
	sqHi, sqLo uint64
	min, max   int64
	clamped    int64
}

func newStat() *stat {
	return &stat{h: hdrhistogram.NewPacked(lowestUS, highestUS, sigFigs)}
}

// record adds one value in microseconds.
func (s *stat) record(us int64) {
	if us < 0 {
		us = 0
		s.clamped++
	}
	hv := us
	if hv > highestUS {
		hv = highestUS
		s.clamped++
	}
	// In range by construction, so RecordValue cannot fail but for a total
	// count overflow (2⁶³ values), which is counted as clamped.
	if s.h.RecordValue(hv) != nil {
		s.clamped++
	}
	if s.n == 0 || us < s.min {
		s.min = us
	}
	if us > s.max {
		s.max = us
	}
	s.n++
	u := uint64(us)
	s.sum += u
	hi, lo := bits.Mul64(u, u)
	var carry uint64
	s.sqLo, carry = bits.Add64(s.sqLo, lo, 0)
	s.sqHi, _ = bits.Add64(s.sqHi, hi, carry)
}

// merge adds o's values to s. o is unchanged.
func (s *stat) merge(o *stat) {
	if o.n == 0 {
		return
	}
	s.clamped += s.h.Merge(o.h) + o.clamped
	if s.n == 0 || o.min < s.min {
		s.min = o.min
	}
	if o.max > s.max {
		s.max = o.max
	}
	s.n += o.n
	s.sum += o.sum
	var carry uint64
	s.sqLo, carry = bits.Add64(s.sqLo, o.sqLo, 0)
	s.sqHi, _ = bits.Add64(s.sqHi, o.sqHi, carry)
}

// mean returns the exact mean in microseconds (0 when empty).
func (s *stat) mean() float64 {
	if s.n == 0 {
		return 0
	}
	q := new(big.Rat).SetFrac(new(big.Int).SetUint64(s.sum), big.NewInt(s.n))
	f, _ := q.Float64()
	return f
}

// stddev returns the exact population standard deviation in microseconds,
// rounded once to float64 before the square root.
func (s *stat) stddev() float64 {
	if s.n < 2 {
		return 0
	}
	sq := new(big.Int).SetUint64(s.sqHi)
	sq.Lsh(sq, 64).Or(sq, new(big.Int).SetUint64(s.sqLo))
	n := big.NewInt(s.n)
	num := new(big.Int).Mul(n, sq)
	sum := new(big.Int).SetUint64(s.sum)
	num.Sub(num, sum.Mul(sum, sum))
	if num.Sign() <= 0 {
		return 0
	}
	v, _ := new(big.Rat).SetFrac(num, n.Mul(n, n)).Float64()
	return math.Sqrt(v)
}

// Stats are the figures reported for one quantity, in milliseconds.
// Percentiles come from the HdrHistogram (3 significant digits, clamped to
// the exact minimum and maximum); Min, Max, Mean and StdDev (population) are
// exact.
type Stats struct {
	Min    float64 `json:"min"`
	P50    float64 `json:"p50"`
	P75    float64 `json:"p75"`
	P90    float64 `json:"p90"`
	P95    float64 `json:"p95"`
	P99    float64 `json:"p99"`
	P999   float64 `json:"p999"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"stddev"`
}

// reportedPercentiles are the percentiles in Stats, in field order.
var reportedPercentiles = [...]float64{50, 75, 90, 95, 99, 99.9}

// percentileUS returns the value at percentile p (0..100) in microseconds:
// the value of rank ⌈p/100 · n⌉ (nearest rank, as HdrHistogram defines it;
// the exact minimum for p ≤ 0), clamped to the exact minimum and maximum.
// Like every HdrHistogram percentile it is the top of the bucket holding
// it; values above 1 h share the histogram's last bucket, whose top is the
// exact maximum.
func (s *stat) percentileUS(p float64) int64 {
	if s.n == 0 {
		return 0
	}
	if p <= 0 {
		return s.min
	}
	// hdrhistogram-go rounds p/100·n to the nearest rank, which is the
	// rank below the nearest-rank percentile whenever the fraction is
	// below one half (p75 of 7 values: the 5th, not the 6th). Ask it for
	// the rank wanted here, through a percentile that rounds to it.
	n := float64(s.n)
	x := min(p, 100) / 100 * n
	rank := min(max(math.Ceil(x-x*1e-12), 1), n) // 1e-12: p/100 is inexact
	v := s.h.ValueAtPercentile(100 * (rank - 0.25) / n)
	if v >= highestUS {
		// The last bucket: it holds every clamped value, up to s.max.
		return s.max
	}
	return min(max(v, s.min), s.max)
}

// stats returns s's figures in milliseconds.
func (s *stat) stats() Stats {
	if s.n == 0 {
		return Stats{}
	}
	var p [len(reportedPercentiles)]float64
	for i, q := range reportedPercentiles {
		p[i] = usToMS(s.percentileUS(q))
	}
	return Stats{
		Min: usToMS(s.min), P50: p[0], P75: p[1], P90: p[2], P95: p[3], P99: p[4], P999: p[5],
		Max: usToMS(s.max), Mean: s.mean() / 1000, StdDev: s.stddev() / 1000,
	}
}

// usToMS converts integer microseconds to float milliseconds.
func usToMS(us int64) float64 { return float64(us) / 1000 }

// encode returns the histogram in the HdrHistogram V2 compressed encoding,
// base64.
func (s *stat) encode() (string, error) {
	b, err := s.h.Encode()
	if err != nil {
		return "", err
	}
	return string(b), nil
}
