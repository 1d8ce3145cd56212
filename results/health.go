package results

import (
	"runtime"
	"time"
)

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
	goroutinesMax    int
	heapMax          uint64
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
	a.goroutinesMax = max(a.goroutinesMax, h.Goroutines)
	a.heapMax = max(a.heapMax, h.HeapBytes)
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
	// GoroutinesMax and HeapMaxBytes are the largest per-second readings
	// of the Go runtime; Runtime holds what the process said at its end.
	GoroutinesMax int      `json:"goroutines_max"`
	HeapMaxBytes  uint64   `json:"heap_max_bytes"`
	Runtime       *Runtime `json:"runtime,omitempty"`

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
		GoroutinesMax:     a.goroutinesMax,
		HeapMaxBytes:      a.heapMax,
		Seconds:           a.n,
		SaturatedSeconds:  a.saturated,
		FirstSaturated:    a.firstSaturated,
	}
}

// durMS converts a duration to float milliseconds.
func durMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Runtime is the Go runtime's own account of the load generator at the end
// of a run: garbage collection and memory. Only a live run has it; a run
// rebuilt from its stream does not.
type Runtime struct {
	GoVersion       string  `json:"go_version"`
	GOMAXPROCS      int     `json:"gomaxprocs"`
	NumGC           uint32  `json:"num_gc"`
	GCPauseTotalMS  float64 `json:"gc_pause_total_ms"`
	GCPauseMaxMS    float64 `json:"gc_pause_max_ms"`
	GCCPUFraction   float64 `json:"gc_cpu_fraction"`
	HeapAllocBytes  uint64  `json:"heap_alloc_bytes"`
	TotalAllocBytes uint64  `json:"total_alloc_bytes"`
	SysBytes        uint64  `json:"sys_bytes"`
	Goroutines      int     `json:"goroutines"`
}

// ReadRuntime reads the Go runtime's figures of this process now.
func ReadRuntime() *Runtime {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	var pauseMax uint64
	for _, p := range m.PauseNs {
		pauseMax = max(pauseMax, p)
	}
	return &Runtime{
		GoVersion:       runtime.Version(),
		GOMAXPROCS:      runtime.GOMAXPROCS(0),
		NumGC:           m.NumGC,
		GCPauseTotalMS:  float64(m.PauseTotalNs) / 1e6,
		GCPauseMaxMS:    float64(pauseMax) / 1e6,
		GCCPUFraction:   m.GCCPUFraction,
		HeapAllocBytes:  m.HeapAlloc,
		TotalAllocBytes: m.TotalAlloc,
		SysBytes:        m.Sys,
		Goroutines:      runtime.NumGoroutine(),
	}
}
