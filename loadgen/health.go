package loadgen

import (
	"math"
	"math/bits"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// Thresholds above which a second of the run counts as Saturated: the
// generator itself, not the target, may have shaped what was measured. They
// are set so that a quiet machine on a light run stays clear of them (a
// CPU-heavy op such as PBKDF2 holds a Go P for a 10 ms time slice before
// it is preempted, so shorter waits are normal), and so that one pegged
// core counts as well as all of them.
const (
	// SaturatedCPU is the share of the GOMAXPROCS cores the process may
	// use, and the share of one core its busiest thread may use (one
	// goroutine pegging a core).
	SaturatedCPU = 0.90
	// SaturatedSchedLatency is the p99 of the Go scheduler's latency
	// (runnable to running): two of its 10 ms time slices.
	SaturatedSchedLatency = 20 * time.Millisecond
	// SaturatedStartLag is the least p99 start lag (actual − intended start
	// of open executors' iterations that found a worker ready; a wait for a
	// worker is counted late, as the target's or max_workers' doing) that
	// counts; the threshold is the larger of this and
	// SaturatedStartLagShare of the second's mean inter-arrival time.
	SaturatedStartLag      = 20 * time.Millisecond
	SaturatedStartLagShare = 0.10
	// SaturatedRunQueue is the run-queue wait of the process's threads, in
	// percent of one thread's second, above which a slow scheduler is
	// blamed on the machine (other processes) rather than on loadgen.
	SaturatedRunQueue = 25.0
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

// threadTime is one OS thread's CPU time and run-queue wait so far.
type threadTime struct{ run, wait time.Duration }

// gauges are what the workers feed generator health: start lags and the
// time spent in crypto phases. Shared by every scenario of a run.
type gauges struct {
	lag    lagHistogram
	crypto atomic.Int64 // nanoseconds in top-level crypto:* phases
}

// addCrypto adds the time of the top-level crypto:* phases among ph (a
// sub-phase, crypto:x/part, is inside its phase and not counted again).
func (g *gauges) addCrypto(ph []results.Phase) {
	var d time.Duration
	for _, p := range ph {
		if strings.HasPrefix(p.Name, "crypto:") && !strings.Contains(p.Name, "/") {
			d += p.End - p.Start
		}
	}
	if d > 0 {
		g.crypto.Add(int64(d))
	}
}

// health measures the generator once a second. It belongs to the monitor
// goroutine.
type health struct {
	g        *gauges
	service  func() time.Duration // Options.EmbeddedBusy
	prevLag  [lagBuckets]int64
	samples  []metrics.Sample
	prevSch  []uint64
	prevGC   float64
	prevCPU  time.Duration
	cpuOK    bool
	prevThr  map[int]threadTime
	prevCrp  int64
	prevSvc  time.Duration
	prevTime time.Time
}

const (
	metricSched      = "/sched/latencies:seconds"
	metricGoroutines = "/sched/goroutines:goroutines"
	metricHeap       = "/memory/classes/heap/objects:bytes"
	metricGC         = "/cpu/classes/gc/total:cpu-seconds"
)

func newHealth(now time.Time, service func() time.Duration) *health {
	h := &health{
		g:        &gauges{},
		service:  service,
		samples:  []metrics.Sample{{Name: metricSched}, {Name: metricGoroutines}, {Name: metricHeap}, {Name: metricGC}},
		prevTime: now,
	}
	metrics.Read(h.samples)
	if s := h.samples[0]; s.Value.Kind() == metrics.KindFloat64Histogram {
		h.prevSch = append([]uint64(nil), s.Value.Float64Histogram().Counts...)
	}
	if s := h.samples[3]; s.Value.Kind() == metrics.KindFloat64 {
		h.prevGC = s.Value.Float64()
	}
	h.prevCPU, h.cpuOK = processCPU()
	h.prevThr, _ = threadTimes()
	if service != nil {
		h.prevSvc = service()
	}
	return h
}

// measure returns the health of the interval since the last call.
func (h *health) measure(second int64, now time.Time) results.Health {
	nan := math.NaN()
	out := results.Health{Second: second, CPUPercent: nan, ThreadCPUMaxPercent: nan, ThreadRunnableMaxPercent: nan, ServiceCPUPercent: nan,
		GCCPUPercent: nan, RunQueuePercent: nan}
	wall := now.Sub(h.prevTime)
	h.prevTime = now
	if wall <= 0 {
		return out
	}
	pct := func(d time.Duration) float64 { return 100 * float64(d) / float64(wall) }
	if cpu, ok := processCPU(); ok && h.cpuOK {
		out.CPUPercent = pct(cpu - h.prevCPU)
		h.prevCPU = cpu
	}
	if thr, ok := threadTimes(); ok {
		if h.prevThr != nil {
			out.ThreadCPUMaxPercent, out.ThreadRunnableMaxPercent, out.RunQueuePercent = threadDeltas(thr, h.prevThr, pct)
		}
		h.prevThr = thr
	}
	crypto := h.g.crypto.Load()
	out.CryptoCPUPercent = pct(time.Duration(crypto - h.prevCrp))
	h.prevCrp = crypto
	if h.service != nil {
		svc := h.service()
		out.ServiceCPUPercent = pct(svc - h.prevSvc)
		h.prevSvc = svc
	}
	// Phase and handler times are wall time, which a starved CPU
	// stretches: a share of the CPU is at most what the process used.
	if !math.IsNaN(out.CPUPercent) {
		out.CryptoCPUPercent = min(out.CryptoCPUPercent, out.CPUPercent)
		if !math.IsNaN(out.ServiceCPUPercent) {
			out.ServiceCPUPercent = min(out.ServiceCPUPercent, out.CPUPercent)
		}
	}
	h.readRuntime(&out, wall)
	out.StartLagP99, out.StartLags = h.lagP99()
	out.Saturated, out.Cause = verdict(out, wall, runtime.GOMAXPROCS(0))
	return out
}

// threadDeltas returns, since prev and through pct, the busiest thread's
// CPU, the most time a thread was running or runnable, and the threads'
// summed run-queue wait. Threads new since prev count from zero.
func threadDeltas(cur, prev map[int]threadTime, pct func(time.Duration) float64) (maxRun, maxRunnable, wait float64) {
	var top, busy, sum time.Duration
	for tid, t := range cur {
		p := prev[tid]
		run, w := t.run-p.run, max(t.wait-p.wait, 0)
		top = max(top, run)
		busy = max(busy, run+w)
		sum += w
	}
	return pct(top), pct(busy), pct(sum)
}

// readRuntime fills in what runtime/metrics says about the interval.
func (h *health) readRuntime(out *results.Health, wall time.Duration) {
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
	if s := h.samples[3]; s.Value.Kind() == metrics.KindFloat64 {
		gc := s.Value.Float64()
		out.GCCPUPercent = 100 * (gc - h.prevGC) / wall.Seconds()
		h.prevGC = gc
	}
}

// lagP99 returns the p99 start lag of the interval (by the rank
// n − max(1, ⌊n/100⌋)) and how many lags it is of.
func (h *health) lagP99() (time.Duration, int64) {
	var delta [lagBuckets]int64
	var n int64
	for i := range delta {
		c := h.g.lag.counts[i].Load()
		delta[i] = c - h.prevLag[i]
		h.prevLag[i] = c
		n += delta[i]
	}
	if n == 0 {
		return 0, 0
	}
	// The start that 1% of the second's starts were later than, and never
	// the single latest alone: under 200 starts a p99 by rank is the
	// maximum, and one start a time slice late would make a verdict.
	target, cum := max(1, n-max(1, n/100)), int64(0)
	for i, c := range delta {
		if cum += c; cum >= target {
			return lagUpper(i), n
		}
	}
	return 0, n
}

// verdict applies the thresholds to one interval of length wall and names
// what saturated the generator: the CPU (all cores, or one pegged core),
// split by what used it, else the scheduler, or the machine when the
// kernel kept the process's threads waiting for a CPU.
func verdict(h results.Health, wall time.Duration, cores int) (bool, string) {
	// One pegged core: a thread that ran, or waited to run, nearly all
	// the interval (a light run's threads mostly sleep). One that mostly
	// waited, on a machine whose run queue kept loadgen waiting, was held
	// back by the machine more than by its own work.
	if h.CPUPercent >= SaturatedCPU*100*float64(cores) || h.ThreadCPUMaxPercent >= SaturatedCPU*100 {
		return true, cpuCause(h)
	}
	if h.ThreadRunnableMaxPercent >= SaturatedCPU*100 {
		if h.RunQueuePercent >= SaturatedRunQueue && h.ThreadCPUMaxPercent < h.ThreadRunnableMaxPercent/2 {
			return true, results.CauseMachine
		}
		return true, cpuCause(h)
	}
	slow := h.SchedLatencyP99 > SaturatedSchedLatency
	if h.StartLags > 0 {
		limit := max(SaturatedStartLag, time.Duration(SaturatedStartLagShare*float64(wall)/float64(h.StartLags)))
		slow = slow || h.StartLagP99 > limit
	}
	switch {
	case !slow:
		return false, ""
	case h.RunQueuePercent >= SaturatedRunQueue:
		return true, results.CauseMachine
	}
	return true, results.CauseScheduler
}

// cpuCause returns the largest user of a CPU-bound second: client crypto,
// the embedded service, the garbage collector, or loadgen's own work (the
// rest). Each share is capped at what the process used (crypto phases are
// wall time, which a starved CPU stretches).
func cpuCause(h results.Health) string {
	total := h.CPUPercent
	if math.IsNaN(total) {
		total = h.ThreadCPUMaxPercent
	}
	if math.IsNaN(total) {
		total = 0
	}
	share := func(v float64) float64 {
		if math.IsNaN(v) || v < 0 {
			return 0
		}
		return min(v, total)
	}
	crypto, svc, gc := share(h.CryptoCPUPercent), share(h.ServiceCPUPercent), share(h.GCCPUPercent)
	cause, best := results.CauseCPU, max(total-crypto-svc-gc, 0)
	for _, c := range []struct {
		name string
		v    float64
	}{{results.CauseCrypto, crypto}, {results.CauseService, svc}, {results.CauseGC, gc}} {
		if c.v > best {
			cause, best = c.name, c.v
		}
	}
	return cause
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
