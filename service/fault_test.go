package service

import (
	"math"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestValidateFaults(t *testing.T) {
	t.Parallel()
	known := func(method, path string) bool { return method+" "+path == "POST /users" }
	tests := []struct {
		name   string
		faults []Fault
		want   []string // substrings of the error; none means valid
	}{
		{"empty", nil, nil},
		{"star", []Fault{{Route: "*", ErrorRate: 0.5}}, nil},
		{"known route, all kinds", []Fault{{Route: "POST /users", ErrorRate: 1, Status: 429, RetryAfter: time.Second,
			Reset: 0.1, Stall: time.Second, StallAfter: time.Second,
			Latency: &Latency{Dist: DistLognormal, Median: time.Millisecond, P99: 10 * time.Millisecond}}}, nil},
		{"error rate above one", []Fault{{Route: "*"}, {Route: "*", ErrorRate: 1.5}},
			[]string{"fault[1].error_rate: 1.5 is not a probability; want 0..1"}},
		{"negative reset", []Fault{{Route: "*", Reset: -0.1}}, []string{"fault[0].reset: -0.1 is not a probability"}},
		{"NaN rate", []Fault{{Route: "*", ErrorRate: math.NaN()}}, []string{"fault[0].error_rate: NaN"}},
		{"bad route shape", []Fault{{Route: "users"}}, []string{`fault[0].route: "users" is not "*" or "METHOD /path"`}},
		{"lower-case method", []Fault{{Route: "post /users"}}, []string{`fault[0].route`}},
		{"unknown route", []Fault{{Route: "POST /userz"}}, []string{`fault[0].route: "POST /userz" matches no route`}},
		{"status not an error", []Fault{{Route: "*", Status: 200}}, []string{"fault[0].status: 200 is not an error status"}},
		{"negative stall", []Fault{{Route: "*", Stall: -time.Second}}, []string{"fault[0].stall: -1s is negative"}},
		{"unknown dist", []Fault{{Route: "*", Latency: &Latency{Dist: "pareto"}}}, []string{`fault[0].latency.dist: "pareto" is unknown`}},
		{"uniform max below min", []Fault{{Route: "*", Latency: &Latency{Dist: DistUniform, Min: 2, Max: 1}}}, []string{"fault[0].latency.max"}},
		{"lognormal zero median", []Fault{{Route: "*", Latency: &Latency{Dist: DistLognormal, P99: 1}}}, []string{"fault[0].latency.median"}},
		{"lognormal p99 below median", []Fault{{Route: "*", Latency: &Latency{Dist: DistLognormal, Median: 2, P99: 1}}}, []string{"fault[0].latency.p99"}},
		{"several problems reported together", []Fault{{Route: "*", ErrorRate: 2, Reset: 2}},
			[]string{"fault[0].error_rate", "fault[0].reset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateFaults(tt.faults, known)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("ValidateFaults: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateFaults: nil, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ValidateFaults: %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// quantile returns the q-quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	return sorted[int(q*float64(len(sorted)-1))]
}

func TestLatencySample(t *testing.T) {
	t.Parallel()
	const n = 20000
	tests := []struct {
		name  string
		l     Latency
		check func(t *testing.T, d []time.Duration, mean time.Duration)
	}{
		{"fixed", Latency{Dist: DistFixed, Fixed: 7 * time.Millisecond}, func(t *testing.T, d []time.Duration, _ time.Duration) {
			if d[0] != 7*time.Millisecond || d[len(d)-1] != 7*time.Millisecond {
				t.Errorf("range [%v, %v], want exactly 7ms", d[0], d[len(d)-1])
			}
		}},
		{"uniform", Latency{Dist: DistUniform, Min: 10 * time.Millisecond, Max: 30 * time.Millisecond}, func(t *testing.T, d []time.Duration, mean time.Duration) {
			if d[0] < 10*time.Millisecond || d[len(d)-1] >= 30*time.Millisecond {
				t.Errorf("range [%v, %v], want within [10ms, 30ms)", d[0], d[len(d)-1])
			}
			within(t, "mean", mean, 20*time.Millisecond, 0.03)
			within(t, "p25", quantile(d, 0.25), 15*time.Millisecond, 0.05)
		}},
		{"normal", Latency{Dist: DistNormal, Mean: 50 * time.Millisecond, StdDev: 5 * time.Millisecond}, func(t *testing.T, d []time.Duration, mean time.Duration) {
			within(t, "mean", mean, 50*time.Millisecond, 0.02)
			// 84.1th percentile is one standard deviation above the mean.
			within(t, "p84", quantile(d, 0.841), 55*time.Millisecond, 0.03)
		}},
		{"normal clamps at zero", Latency{Dist: DistNormal, Mean: 0, StdDev: 5 * time.Millisecond}, func(t *testing.T, d []time.Duration, _ time.Duration) {
			if d[0] != 0 {
				t.Errorf("min %v, want 0", d[0])
			}
		}},
		{"lognormal", Latency{Dist: DistLognormal, Median: 20 * time.Millisecond, P99: 200 * time.Millisecond}, func(t *testing.T, d []time.Duration, _ time.Duration) {
			within(t, "median", quantile(d, 0.5), 20*time.Millisecond, 0.05)
			within(t, "p99", quantile(d, 0.99), 200*time.Millisecond, 0.15)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng := newLockedRand(42)
			d := make([]time.Duration, n)
			var sum time.Duration
			for i := range d {
				d[i] = tt.l.sample(rng.Float64, rng.NormFloat64)
				sum += d[i]
			}
			sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
			tt.check(t, d, sum/n)
		})
	}
}

// within fails t unless got is within a relative tolerance tol of want.
func within(t *testing.T, what string, got, want time.Duration, tol float64) {
	t.Helper()
	if math.Abs(float64(got-want)) > tol*float64(want) {
		t.Errorf("%s = %v, want %v ± %.0f%%", what, got, want, tol*100)
	}
}

func TestSeedReproducible(t *testing.T) {
	t.Parallel()
	l := Latency{Dist: DistLognormal, Median: time.Millisecond, P99: 5 * time.Millisecond}
	a, b, c := newLockedRand(7), newLockedRand(7), newLockedRand(8)
	same, differ := true, false
	for range 100 {
		x := l.sample(a.Float64, a.NormFloat64)
		if x != l.sample(b.Float64, b.NormFloat64) {
			same = false
		}
		if x != l.sample(c.Float64, c.NormFloat64) {
			differ = true
		}
	}
	if !same || !differ {
		t.Errorf("equal seeds equal: %v, different seeds differ: %v; want both", same, differ)
	}
}
