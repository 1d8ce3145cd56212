package loadgen

import (
	"math"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// TestLagBuckets checks that every lag falls in a bucket whose bounds hold
// it, within 25%.
func TestLagBuckets(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, 1, time.Microsecond, 3 * time.Microsecond, 4 * time.Microsecond, 7 * time.Microsecond,
		999 * time.Microsecond, time.Millisecond, 5 * time.Millisecond, 123456789, time.Hour, -time.Second} {
		i := lagBucket(d)
		up := lagUpper(i)
		lo := time.Duration(0)
		if i > 0 {
			lo = lagUpper(i - 1)
		}
		dd := max(d, 0).Truncate(time.Microsecond)
		if dd < lo || dd >= up || (dd >= 8*time.Microsecond && float64(up-lo) > 0.25*float64(dd)) {
			t.Errorf("lag %v in bucket %d [%v, %v)", d, i, lo, up)
		}
	}
}

// TestVerdict feeds the rule one second of each known cause, and the
// quiet seconds it must leave alone.
func TestVerdict(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	// A quiet second on 2 cores: little CPU, short waits.
	quiet := results.Health{CPUPercent: 6, ThreadCPUMaxPercent: 4, CryptoCPUPercent: 0, ServiceCPUPercent: nan,
		GCCPUPercent: 0.1, RunQueuePercent: 1, SchedLatencyP99: 300 * time.Microsecond,
		StartLagP99: 2 * time.Millisecond, StartLags: 20}
	with := func(f func(h *results.Health)) results.Health { h := quiet; f(&h); return h }
	for _, tc := range []struct {
		name  string
		h     results.Health
		cause string // "" = not saturated
	}{
		{"quiet", quiet, ""},
		// PBKDF2 holds a P for a 10ms time slice: normal, not saturation.
		{"crypto burst waits a time slice", with(func(h *results.Health) {
			h.CPUPercent, h.CryptoCPUPercent, h.SchedLatencyP99, h.StartLagP99 = 60, 50, 10*ms, 10*ms
		}), ""},
		{"not measured", results.Health{CPUPercent: nan, ThreadCPUMaxPercent: nan, ServiceCPUPercent: nan, GCCPUPercent: nan, RunQueuePercent: nan}, ""},
		{"all cores: client crypto", with(func(h *results.Health) { h.CPUPercent, h.CryptoCPUPercent = 190, 150 }), results.CauseCrypto},
		{"all cores: embedded service", with(func(h *results.Health) {
			h.CPUPercent, h.CryptoCPUPercent, h.ServiceCPUPercent = 195, 30, 120
		}), results.CauseService},
		{"all cores: gc", with(func(h *results.Health) { h.CPUPercent, h.GCCPUPercent = 185, 110 }), results.CauseGC},
		{"all cores: loadgen itself", with(func(h *results.Health) { h.CPUPercent, h.GCCPUPercent = 185, 20 }), results.CauseCPU},
		{"one pegged core", with(func(h *results.Health) {
			h.CPUPercent, h.ThreadCPUMaxPercent, h.CryptoCPUPercent = 102, 97, 99
		}), results.CauseCrypto},
		// A thread runnable all the second that mostly ran: its own work
		// (here crypto) is the bottleneck, busy machine or not.
		{"one pegged core, some waiting", with(func(h *results.Health) {
			h.CPUPercent, h.ThreadCPUMaxPercent, h.ThreadRunnableMaxPercent, h.RunQueuePercent, h.CryptoCPUPercent = 70, 65, 97, 40, 60
		}), results.CauseCrypto},
		// A busy machine gave the runnable thread a third of a core: the
		// machine held it back more than its own work.
		{"one pegged core starved by a busy machine", with(func(h *results.Health) {
			h.CPUPercent, h.ThreadCPUMaxPercent, h.ThreadRunnableMaxPercent, h.RunQueuePercent, h.CryptoCPUPercent = 35, 30, 97, 70, 31
			h.SchedLatencyP99 = 40 * ms
		}), results.CauseMachine},
		{"one pegged core, no CPU figure", with(func(h *results.Health) {
			h.CPUPercent, h.ThreadCPUMaxPercent = nan, 95
		}), results.CauseCPU},
		// Crypto phases are wall time; a starved CPU stretches them past
		// what the process used, so they are capped at it.
		{"stretched crypto capped", with(func(h *results.Health) {
			h.CPUPercent, h.CryptoCPUPercent, h.GCCPUPercent = 185, 400, 0
		}), results.CauseCrypto},
		{"go scheduler", with(func(h *results.Health) { h.SchedLatencyP99 = 30 * ms }), results.CauseScheduler},
		{"machine busy", with(func(h *results.Health) {
			h.SchedLatencyP99, h.RunQueuePercent = 80*ms, 140
		}), results.CauseMachine},
		// 1000/s: mean gap 1ms, so the 20ms floor applies.
		{"lag under floor", with(func(h *results.Health) { h.StartLagP99, h.StartLags = 15*ms, 1000 }), ""},
		{"lag over floor", with(func(h *results.Health) { h.StartLagP99, h.StartLags = 25*ms, 1000 }), results.CauseScheduler},
		// 2/s: mean gap 500ms, so 10% is 50ms.
		{"slow rate lag ok", with(func(h *results.Health) { h.StartLagP99, h.StartLags = 40*ms, 2 }), ""},
		{"slow rate lag", with(func(h *results.Health) { h.StartLagP99, h.StartLags = 60*ms, 2 }), results.CauseScheduler},
		{"lag without open iterations", with(func(h *results.Health) { h.StartLagP99, h.StartLags = time.Second, 0 }), ""},
	} {
		sat, cause := verdict(tc.h, time.Second, 2)
		if sat != (tc.cause != "") || cause != tc.cause {
			t.Errorf("%s: verdict = %v, %q; want %v, %q", tc.name, sat, cause, tc.cause != "", tc.cause)
		}
	}
}

func TestSchedP99(t *testing.T) {
	t.Parallel()
	h := &metrics.Float64Histogram{
		Counts:  []uint64{100, 50, 0, 10},
		Buckets: []float64{0, 1e-6, 1e-3, 1e-2, math.Inf(1)},
	}
	for _, tc := range []struct {
		name string
		prev []uint64
		want time.Duration
	}{
		{"all", nil, 10 * time.Millisecond}, // 160 values; the 159th is in [1ms, 10ms)... and 10 are ≥ 10ms
		{"delta fast", []uint64{0, 50, 0, 10}, time.Microsecond},
		{"delta tail", []uint64{100, 50, 0, 0}, 10 * time.Millisecond},
		{"none", []uint64{100, 50, 0, 10}, 0},
	} {
		if got := schedP99(h, tc.prev); got != tc.want {
			t.Errorf("%s: schedP99 = %v; want %v", tc.name, got, tc.want)
		}
	}
}

// TestHealthMeasure checks that one interval's health reads the runtime.
func TestHealthMeasure(t *testing.T) {
	start := time.Now()
	h := newHealth(start, nil)
	for i := range 1000 {
		h.g.lag.record(time.Duration(i) * time.Microsecond)
	}
	h.g.addCrypto([]results.Phase{{Name: "crypto:pbkdf2", End: 5 * ms}, {Name: "crypto:pbkdf2/part", End: 5 * ms}, {Name: "http:x", End: time.Second}})
	x := 0
	for time.Since(start) < 20*ms { // some CPU to measure
		x++
	}
	got := h.measure(3, time.Now())
	if got.Second != 3 || got.Goroutines < 1 || got.HeapBytes == 0 || got.CPUPercent <= 0 {
		t.Errorf("measure = %+v; want second 3, goroutines, heap and CPU", got)
	}
	if !math.IsNaN(got.ServiceCPUPercent) {
		t.Errorf("service CPU %v; want NaN (no embedded service)", got.ServiceCPUPercent)
	}
	if got.CryptoCPUPercent <= 0 || got.StartLags != 1000 {
		t.Errorf("crypto %v%%, lags %d; want the 5ms crypto phase counted and 1000 lags", got.CryptoCPUPercent, got.StartLags)
	}
	if runtime.GOOS == "linux" && (math.IsNaN(got.ThreadCPUMaxPercent) || got.ThreadCPUMaxPercent <= 0 ||
		math.IsNaN(got.ThreadRunnableMaxPercent) || got.ThreadRunnableMaxPercent < got.ThreadCPUMaxPercent || math.IsNaN(got.RunQueuePercent)) {
		t.Errorf("thread CPU %v, runnable %v, run queue %v; want all measured on Linux", got.ThreadCPUMaxPercent, got.ThreadRunnableMaxPercent, got.RunQueuePercent)
	}
	if math.IsNaN(got.GCCPUPercent) {
		t.Errorf("GC CPU not measured")
	}
	if got.StartLagP99 < 990*time.Microsecond || got.StartLagP99 > 1250*time.Microsecond {
		t.Errorf("start lag p99 %v; want about 990µs", got.StartLagP99)
	}
	if again := h.measure(4, time.Now()); again.StartLagP99 != 0 || again.StartLags != 0 {
		t.Errorf("second interval start lag p99 %v; want 0 (no new starts)", again.StartLagP99)
	}
}

// TestLagP99OneBlip checks that one late start among a light second's few
// is not its p99 (it would be by rank: under 200 starts that is the max),
// while two are.
func TestLagP99OneBlip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		late int
		want time.Duration // at least
	}{{1, 0}, {2, 25 * ms}} {
		h := &health{g: &gauges{}}
		for range 40 {
			h.g.lag.record(ms)
		}
		for range tc.late {
			h.g.lag.record(30 * ms)
		}
		p99, n := h.lagP99()
		if n != int64(40+tc.late) || (tc.want == 0 && p99 > 2*ms) || (tc.want > 0 && p99 < tc.want) {
			t.Errorf("%d late of %d: p99 %v; want about %v", tc.late, n, p99, max(tc.want, ms))
		}
	}
}
