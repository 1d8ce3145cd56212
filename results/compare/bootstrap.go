package compare

import (
	"math"
	"math/rand/v2"
	"sort"
)

// The bootstrap here resamples order statistics directly. A bootstrap
// resample of n values from a sample is F⁻¹(U₁..Uₙ) for uniform Uᵢ, where
// F⁻¹(u) is the sample of rank ⌈u·n⌉; as F⁻¹ is monotone, the k-th
// smallest value of the resample is F⁻¹(U₍ₖ₎), and the k-th order
// statistic of n uniforms is Beta(k, n−k+1). So one replicate of a
// quantile costs one Beta draw and one binary search, not n draws: exact,
// and cheap for runs of millions of samples.

// bootQuantile returns b bootstrap replicates of d's q-quantile (nearest
// rank), sorted.
func bootQuantile(d *Dist, q float64, b int, rng *rand.Rand) []float64 {
	n := d.N()
	k := rankOf(q, n)
	out := make([]float64, b)
	for i := range out {
		u := betaDraw(rng, float64(k), float64(n-k+1))
		r := int64(math.Ceil(u * float64(n)))
		out[i] = d.atRank(min(max(r, 1), n))
	}
	sort.Float64s(out)
	return out
}

// betaDraw draws from Beta(a, b), a, b ≥ 1.
func betaDraw(rng *rand.Rand, a, b float64) float64 {
	x := gammaDraw(rng, a)
	y := gammaDraw(rng, b)
	return x / (x + y)
}

// gammaDraw draws from Gamma(a, 1), a ≥ 1, by Marsaglia and Tsang's method
// (ACM TOMS 26(3), 2000).
func gammaDraw(rng *rand.Rand, a float64) float64 {
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// sortedQuantile returns the q-quantile (linear between neighbours) of
// sorted values.
func sortedQuantile(s []float64, q float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(s)-1)
	i := int(math.Floor(pos))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	f := pos - float64(i)
	return s[i]*(1-f) + s[i+1]*f
}
