package results

import "time"

// healthAgg folds the per-second health records into the run's generator
// figures without keeping them: memory does not grow with run length.
type healthAgg struct {
	n                int64
	cpuMax           float64
	schedMax, lagMax time.Duration // largest per-second p99
	saturated        int64         // seconds marked saturated
	firstSaturated   int64         // first such second, valid if saturated > 0
	lastSecond       int64
	last             Health
}

func (a *healthAgg) add(h Health) {
	if a.n == 0 || h.Second > a.lastSecond {
		a.lastSecond = h.Second
		a.last = h
	}
	a.n++
	a.cpuMax = max(a.cpuMax, h.CPUPercent)
	a.schedMax = max(a.schedMax, h.SchedLatencyP99)
	a.lagMax = max(a.lagMax, h.StartLagP99)
	if h.Saturated {
		if a.saturated == 0 || h.Second < a.firstSaturated {
			a.firstSaturated = h.Second
		}
		a.saturated++
	}
}

// Generator is the "generator" object of summary.json: the load generator's
// own health over the run. The p99 figures are the largest per-second p99
// seen (a per-second p99 cannot be merged exactly into a run p99; the largest
// is the conservative choice).
type Generator struct {
	CPUMaxPct         float64 `json:"cpu_max_pct"`
	SchedLatencyP99MS float64 `json:"sched_latency_p99_ms"`
	StartLagP99MS     float64 `json:"start_lag_p99_ms"`
	Saturated         bool    `json:"saturated"`

	// Seconds is how many per-second health records there were,
	// SaturatedSeconds how many were saturated and FirstSaturated the first
	// of those (seconds since the start). Not part of summary.json.
	Seconds          int64 `json:"-"`
	SaturatedSeconds int64 `json:"-"`
	FirstSaturated   int64 `json:"-"`
}

func (a *healthAgg) generator() Generator {
	return Generator{
		CPUMaxPct:         a.cpuMax,
		SchedLatencyP99MS: durMS(a.schedMax),
		StartLagP99MS:     durMS(a.lagMax),
		Saturated:         a.saturated > 0,
		Seconds:           a.n,
		SaturatedSeconds:  a.saturated,
		FirstSaturated:    a.firstSaturated,
	}
}

// durMS converts a duration to float milliseconds.
func durMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
