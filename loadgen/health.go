package loadgen

import (
	"math"
	"math/bits"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// Thresholds above which a second of the run counts as Saturated: the
// generator itself, not the target, may have shaped what was measured.
const (
	// SaturatedCPU is the share of GOMAXPROCS cores the process may use.
	SaturatedCPU = 0.90
	// SaturatedSchedLatency is the p99 of the Go scheduler's latency
	// (runnable to running).
	SaturatedSchedLatency = 5 * time.Millisecond
	// SaturatedStartLag is the least p99 start lag (actual − intended start
	// of open executors' iterations that found a worker ready; a wait for a
	// worker is counted late, as the target's doing, not the generator's)
	// that counts; the threshold is the
	// larger of this and SaturatedStartLagShare of the second's mean
	// inter-arrival time.
	SaturatedStartLag      = 5 * time.Millisecond
	SaturatedStartLagShare = 0.10
)

// lagHistogram counts start lags in log-linear buckets (whole microseconds
// below 8µs, then four per power of two, so within 25%) with atomic adds: workers of every
// scenario record into one without locks. Good enough for a p99 that says
// whether the generator kept up; the real latencies go to the Sink.
type lagHistogram struct {
	counts [lagBuckets]atomic.Int64
}

const lagBuckets = 64 * 4

func lagBucket(d time.Duration) int {
	us := uint64(max(d, 0) / time.Microsecond)
	if us < 8 {
		return int(us)
	}
	e := bits.Len64(us) - 1 // us in [2^e, 2^(e+1)), e >= 3
	return 8 + (e-3)*4 + int(us>>(e-2)&3)
}

// lagUpper returns the (exclusive) upper bound of bucket i.
func lagUpper(i int) time.Duration {
	if i < 8 {
		return time.Duration(i+1) * time.Microsecond
	}
	e, sub := (i-8)/4+3, uint64((i-8)%4)
	return time.Duration((4+sub+1)<<(e-2)) * time.Microsecond
}

func (h *lagHistogram) record(d time.Duration) { h.counts[lagBucket(d)].Add(1) }

// health measures the generator once a second. It belongs to the monitor
// goroutine.
type health struct {
	lag      *lagHistogram
	prevLag  [lagBuckets]int64
	samples  []metrics.Sample
	prevSch  []uint64
	prevCPU  time.Duration
	prevTime time.Time
	cpuOK    bool
}

const (
	metricSched      = "/sched/latencies:seconds"
	metricGoroutines = "/sched/goroutines:goroutines"
	metricHeap       = "/memory/classes/heap/objects:bytes"
)

func newHealth(now time.Time) *health {
	h := &health{
		lag:      &lagHistogram{},
		samples:  []metrics.Sample{{Name: metricSched}, {Name: metricGoroutines}, {Name: metricHeap}},
		prevTime: now,
	}
	metrics.Read(h.samples)
	if s := h.samples[0]; s.Value.Kind() == metrics.KindFloat64Histogram {
		h.prevSch = append([]uint64(nil), s.Value.Float64Histogram().Counts...)
	}
	h.prevCPU, h.cpuOK = processCPU()
	return h
}

// measure returns the health of the interval since the last call.
func (h *health) measure(second int64, now time.Time) results.Health {
	out := results.Health{Second: second}
	wall := now.Sub(h.prevTime)
	h.prevTime = now
	if cpu, ok := processCPU(); ok && h.cpuOK && wall > 0 {
		out.CPUPercent = 100 * float64(cpu-h.prevCPU) / float64(wall)
		h.prevCPU = cpu
	}

	metrics.Read(h.samples)
	if s := h.samples[0]; s.Value.Kind() == metrics.KindFloat64Histogram {
		hist := s.Value.Float64Histogram()
		out.SchedLatencyP99 = schedP99(hist, h.prevSch)
		h.prevSch = append(h.prevSch[:0], hist.Counts...)
	}
	if s := h.samples[1]; s.Value.Kind() == metrics.KindUint64 {
		out.Goroutines = int(s.Value.Uint64())
	}
	if s := h.samples[2]; s.Value.Kind() == metrics.KindUint64 {
		out.HeapBytes = s.Value.Uint64()
	}

	var delta [lagBuckets]int64
	var n int64
	for i := range delta {
		c := h.lag.counts[i].Load()
		delta[i] = c - h.prevLag[i]
		h.prevLag[i] = c
		n += delta[i]
	}
	if n > 0 {
		target, cum := (n*99+99)/100, int64(0)
		for i, c := range delta {
			if cum += c; cum >= target {
				out.StartLagP99 = lagUpper(i)
				break
			}
		}
	}
	out.Saturated = saturated(out, n, wall)
	return out
}

// saturated applies the thresholds to one interval in which n open
// iterations started.
func saturated(h results.Health, n int64, wall time.Duration) bool {
	if h.CPUPercent >= SaturatedCPU*100*float64(runtime.GOMAXPROCS(0)) {
		return true
	}
	if h.SchedLatencyP99 > SaturatedSchedLatency {
		return true
	}
	if n > 0 {
		limit := max(SaturatedStartLag, time.Duration(SaturatedStartLagShare*float64(wall)/float64(n)))
		if h.StartLagP99 > limit {
			return true
		}
	}
	return false
}

// schedP99 returns the p99 of the scheduler latencies added since prev, as
// the upper bound of its bucket (the lower one for the last, unbounded one).
func schedP99(h *metrics.Float64Histogram, prev []uint64) time.Duration {
	var n uint64
	for i, c := range h.Counts {
		if i < len(prev) {
			c -= prev[i]
		}
		n += c
	}
	if n == 0 {
		return 0
	}
	target, cum := (n*99+99)/100, uint64(0)
	for i, c := range h.Counts {
		if i < len(prev) {
			c -= prev[i]
		}
		if cum += c; cum >= target {
			b := h.Buckets[i+1]
			if math.IsInf(b, 1) {
				b = h.Buckets[i]
			}
			return time.Duration(b * 1e9)
		}
	}
	return 0
}
