package results

import (
	"math"
	"runtime"
	"time"
)

// healthAgg folds the per-second health records into the run's generator
// figures without keeping them: memory does not grow with run length. A
// figure no record measured stays nil ("not measured").
type healthAgg struct {
	n                                      int64
	cpu, thread, runnable, crypto, service maxOf
	gc, runq                               maxOf
	sched, lag                             maxOf // milliseconds, largest per-second p99
	saturated                              int64 // seconds marked saturated
	firstSaturated                         int64 // first such second, valid if saturated > 0
	causes                                 map[string]int64
	lastSecond                             int64
	last                                   Health
	goroutinesMax                          int
	heapMax                                uint64
}

// maxOf is the largest of the values it was given that were measured.
type maxOf struct {
	v  float64
	ok bool
}

func (m *maxOf) add(v float64) {
	if math.IsNaN(v) {
		return
	}
	if !m.ok || v > m.v {
		m.v, m.ok = v, true
	}
}

// get returns the largest value, or nil if none was measured.
func (m maxOf) get() *float64 {
	if !m.ok {
		return nil
	}
	v := m.v
	return &v
}

func (a *healthAgg) add(h Health) {
	if a.n == 0 || h.Second > a.lastSecond {
		a.lastSecond = h.Second
		a.last = h
	}
	a.n++
	a.cpu.add(h.CPUPercent)
	a.thread.add(h.ThreadCPUMaxPercent)
	a.runnable.add(h.ThreadRunnableMaxPercent)
	a.crypto.add(h.CryptoCPUPercent)
	a.service.add(h.ServiceCPUPercent)
	a.gc.add(h.GCCPUPercent)
	a.runq.add(h.RunQueuePercent)
	a.sched.add(durMS(h.SchedLatencyP99))
	if h.StartLags > 0 {
		a.lag.add(durMS(h.StartLagP99))
	}
	a.goroutinesMax = max(a.goroutinesMax, h.Goroutines)
	a.heapMax = max(a.heapMax, h.HeapBytes)
	if h.Saturated {
		if a.saturated == 0 || h.Second < a.firstSaturated {
			a.firstSaturated = h.Second
		}
		a.saturated++
		if a.causes == nil {
			a.causes = make(map[string]int64)
		}
		cause := h.Cause
		if cause == "" {
			cause = CauseUnknown
		}
		a.causes[cause]++
	}
}

// CauseUnknown is the cause of a saturated second recorded without one (by
// an older loadgen).
const CauseUnknown = "unknown"

// Generator is the "generator" object of summary.json: the load generator's
// own health over the run. Each figure is the largest per-second reading
// (a per-second p99 cannot be merged exactly into a run p99; the largest
// is the conservative choice), or null when no second measured it: a run
// too short to measure, a platform without the figure, no open executor
// (start lag), no embedded service. CPU percentages are of one core.
type Generator struct {
	CPUMaxPct            *float64 `json:"cpu_max_pct"`
	ThreadCPUMaxPct      *float64 `json:"thread_cpu_max_pct"`
	ThreadRunnableMaxPct *float64 `json:"thread_runnable_max_pct"`
	CryptoCPUMaxPct      *float64 `json:"crypto_cpu_max_pct"`
	ServiceCPUMaxPct     *float64 `json:"service_cpu_max_pct"`
	GCCPUMaxPct          *float64 `json:"gc_cpu_max_pct"`
	RunQueueMaxPct       *float64 `json:"run_queue_max_pct"`
	SchedLatencyP99MS    *float64 `json:"sched_latency_p99_ms"`
	StartLagP99MS        *float64 `json:"start_lag_p99_ms"`
	// Saturated is true if any second was; SaturatedSeconds counts them
	// out of Seconds measured, and Causes counts them by cause (the
	// Cause constants).
	Saturated        bool             `json:"saturated"`
	Seconds          int64            `json:"seconds"`
	SaturatedSeconds int64            `json:"saturated_s"`
	Causes           map[string]int64 `json:"causes,omitempty"`
	// GoroutinesMax and HeapMaxBytes are the largest per-second readings
	// of the Go runtime (null: not measured); Runtime holds what the
	// process said at its end.
	GoroutinesMax *int     `json:"goroutines_max"`
	HeapMaxBytes  *uint64  `json:"heap_max_bytes"`
	Runtime       *Runtime `json:"runtime,omitempty"`

	// FirstSaturated is the first saturated second (since the start). Not
	// part of summary.json.
	FirstSaturated int64 `json:"-"`
}

// BusyMachineOnly reports whether every saturated second was the
// machine's doing (CauseMachine: other processes kept loadgen's threads
// waiting for a CPU), none loadgen's own work's.
func (g Generator) BusyMachineOnly() bool {
	return g.Saturated && len(g.Causes) == 1 && g.Causes[CauseMachine] > 0
}

func (a *healthAgg) generator() Generator {
	g := Generator{
		CPUMaxPct: a.cpu.get(), ThreadCPUMaxPct: a.thread.get(), ThreadRunnableMaxPct: a.runnable.get(), CryptoCPUMaxPct: a.crypto.get(),
		ServiceCPUMaxPct: a.service.get(), GCCPUMaxPct: a.gc.get(), RunQueueMaxPct: a.runq.get(),
		SchedLatencyP99MS: a.sched.get(), StartLagP99MS: a.lag.get(),
		Saturated: a.saturated > 0, Seconds: a.n, SaturatedSeconds: a.saturated, FirstSaturated: a.firstSaturated,
	}
	if len(a.causes) > 0 {
		g.Causes = make(map[string]int64, len(a.causes))
		for k, v := range a.causes {
			g.Causes[k] = v
		}
	}
	if a.n > 0 {
		gr, heap := a.goroutinesMax, a.heapMax
		g.GoroutinesMax, g.HeapMaxBytes = &gr, &heap
	}
	return g
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
