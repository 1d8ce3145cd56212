package compare

import (
	"math"
	"sort"
)

// Dist is a latency distribution in milliseconds: distinct values in
// increasing order with their counts. It holds every sample of an input
// (values repeat as counts) or the buckets of a histogram. A Dist is
// immutable once built and safe for concurrent reads.
type Dist struct {
	vals []float64
	cum  []int64 // cum[i] = number of samples <= vals[i]
	// mean and std (population) are exact for samples; for a histogram
	// they are the exact ones the input gives.
	mean, std float64
	min, max  float64
}

// N returns the number of samples.
func (d *Dist) N() int64 {
	if d == nil || len(d.cum) == 0 {
		return 0
	}
	return d.cum[len(d.cum)-1]
}

// Min returns the smallest value (NaN when empty).
func (d *Dist) Min() float64 {
	if d.N() == 0 {
		return math.NaN()
	}
	return d.min
}

// Max returns the largest value (NaN when empty).
func (d *Dist) Max() float64 {
	if d.N() == 0 {
		return math.NaN()
	}
	return d.max
}

// Mean returns the mean (NaN when empty).
func (d *Dist) Mean() float64 {
	if d.N() == 0 {
		return math.NaN()
	}
	return d.mean
}

// StdDev returns the population standard deviation (NaN when empty).
func (d *Dist) StdDev() float64 {
	if d.N() == 0 {
		return math.NaN()
	}
	return d.std
}

// Quantile returns the nearest-rank quantile q (0..1): the value of the
// sample of rank ceil(q·N), at least rank 1. It returns NaN when empty.
func (d *Dist) Quantile(q float64) float64 {
	n := d.N()
	if n == 0 {
		return math.NaN()
	}
	return d.atRank(rankOf(q, n))
}

// rankOf returns the nearest rank of quantile q among n samples, in [1, n].
func rankOf(q float64, n int64) int64 {
	r := int64(math.Ceil(q*float64(n) - 1e-9))
	return min(max(r, 1), n)
}

// atRank returns the value of the sample of rank k (1..N).
func (d *Dist) atRank(k int64) float64 {
	i := sort.Search(len(d.cum), func(i int) bool { return d.cum[i] >= k })
	if i == len(d.vals) {
		i--
	}
	return d.vals[i]
}

// distBuilder collects values into a Dist. The zero value is ready to use.
type distBuilder struct {
	counts map[float64]int64
	n      int64
}

// add records one value, count times.
func (b *distBuilder) add(v float64, count int64) {
	if count <= 0 {
		return
	}
	if b.counts == nil {
		b.counts = make(map[float64]int64)
	}
	b.counts[v] += count
	b.n += count
}

// addDist records every value of d.
func (b *distBuilder) addDist(d *Dist) {
	var prev int64
	for i, v := range d.vals {
		b.add(v, d.cum[i]-prev)
		prev = d.cum[i]
	}
}

// build returns the Dist of the values recorded so far.
func (b *distBuilder) build() *Dist {
	d := &Dist{vals: make([]float64, 0, len(b.counts)), cum: make([]int64, 0, len(b.counts))}
	for v := range b.counts {
		d.vals = append(d.vals, v)
	}
	sort.Float64s(d.vals)
	var c int64
	for _, v := range d.vals {
		c += b.counts[v]
		d.cum = append(d.cum, c)
	}
	if b.n > 0 {
		d.min, d.max = d.vals[0], d.vals[len(d.vals)-1]
		// Two passes over the distinct values: no cancellation.
		n := float64(b.n)
		var sum float64
		for _, v := range d.vals {
			sum += v * float64(b.counts[v])
		}
		d.mean = sum / n
		var ss float64
		for _, v := range d.vals {
			dv := v - d.mean
			ss += dv * dv * float64(b.counts[v])
		}
		d.std = math.Sqrt(ss / n)
	}
	return d
}

// QuantileBounds returns the order statistics around quantile q (0..1): the
// samples of ranks floor(q·N) and floor(q·N)+1, kept within 1..N. Every
// value between them is a q-quantile of the samples, and an estimator that
// interpolates (a t-digest) lands between them.
func (d *Dist) QuantileBounds(q float64) (lo, hi float64) {
	n := d.N()
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	k := int64(math.Floor(q*float64(n) + 1e-9))
	return d.atRank(min(max(k, 1), n)), d.atRank(min(max(k+1, 1), n))
}
