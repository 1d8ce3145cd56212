// Package metrics exposes a run's measurements as Prometheus metrics while
// it runs (for a scrape at --metrics-addr) and pushes the final figures to a
// Pushgateway, so a short Kubernetes Job's end is not lost.
//
// An Exporter is a loadgen.Sink that passes everything on to the next sink
// (the results.Recorder) and updates its collectors on the way. Labels are
// scenario, op and error class only: never a URL, an identity or a key.
package metrics

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/push"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/results"
)

// Histogram buckets, in seconds. Op latency and service time have
// classic buckets fine enough for histogram_quantile to land within 10% of
// the run's own percentiles: 141 bounds from 100 µs to 60 s, each 9.97%
// above the one before (histogram_quantile interpolates inside a bucket,
// so its error is below the bucket's width). Phases, an op's several
// parts, have coarser classic buckets (doubling, 100 µs to 52 s) to bound
// the series count. Every histogram is also native (client_golang's
// sparse buckets, factor nativeFactor), for a server that scrapes those
// (Prometheus with native histograms on): precise at any latency, for
// about as many series as one classic bucket.
//
// Series per (scenario, op), constant labels aside: 144 each for latency
// and service time (141 bounds, +Inf, _sum, _count), 23 per phase, 2 for
// ops_total (ok, error; 1 more, interrupted, once loadgen's own stop cut
// an op off) and 1 per error class seen: 290 + 23·phases + classes (+1);
// an op with 5 phases and 2 error classes has 407. Labels are scenario, op,
// phase and class names from the workload and a fixed list, never values
// from the run, so the count is bounded by the workload.
var (
	latencyBuckets = prometheus.ExponentialBucketsRange(100e-6, 60, 141)
	phaseBuckets   = prometheus.ExponentialBuckets(100e-6, 2, 20)
)

// Native histogram settings: bucket factor about 1.1 (schema 3, 2^(1/8)),
// at most 160 buckets (a reset to coarser ones beyond), kept for an hour
// before such a reset.
const (
	nativeFactor     = 1.1
	nativeMaxBuckets = 160
	nativeMinReset   = time.Hour
)

// Exporter is a loadgen.Sink that feeds Prometheus collectors and forwards
// every call to Next. Its methods are safe for concurrent use.
type Exporter struct {
	next loadgen.Sink
	reg  *prometheus.Registry

	latency   *prometheus.HistogramVec
	service   *prometheus.HistogramVec
	phase     *prometheus.HistogramVec
	ops       *prometheus.CounterVec
	errs      *prometheus.CounterVec
	iters     *prometheus.CounterVec
	late      *prometheus.CounterVec
	dropped   *prometheus.CounterVec
	inflight  *prometheus.GaugeVec
	workers   *prometheus.GaugeVec
	cpu       prometheus.Gauge
	schedLat  prometheus.Gauge
	startLag  prometheus.Gauge
	saturated prometheus.Gauge
}

var (
	_ loadgen.Sink      = (*Exporter)(nil)
	_ loadgen.LevelSink = (*Exporter)(nil)
)

// New returns an Exporter forwarding to next (which may be nil), with its
// own registry holding loadgen's collectors and constant labels (run name,
// shard) on every series.
func New(next loadgen.Sink, constLabels prometheus.Labels) *Exporter {
	e := &Exporter{next: next, reg: prometheus.NewRegistry()}
	f := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "loadgen", Name: name, Help: help, ConstLabels: constLabels}
	}
	hist := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		o := f(name, help)
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: o.Namespace, Name: o.Name, Help: o.Help,
			ConstLabels: o.ConstLabels, Buckets: buckets, NativeHistogramBucketFactor: nativeFactor,
			NativeHistogramMaxBucketNumber: nativeMaxBuckets, NativeHistogramMinResetDuration: nativeMinReset}, labels)
	}
	e.latency = hist("op_latency_seconds", "Op latency from the iteration's intended start.", latencyBuckets, "scenario", "op")
	e.service = hist("op_service_time_seconds", "Op time from its actual start.", latencyBuckets, "scenario", "op")
	e.phase = hist("op_phase_seconds", "Length of each phase of an op (crypto:*, http:*).", phaseBuckets, "scenario", "op", "phase")
	e.ops = prometheus.NewCounterVec(prometheus.CounterOpts(f("ops_total", "Finished ops by result (ok, error, or interrupted: cut off by loadgen's own stop).")), []string{"scenario", "op", "result"})
	e.errs = prometheus.NewCounterVec(prometheus.CounterOpts(f("op_errors_total", "Failed ops by error class.")), []string{"scenario", "op", "class"})
	e.iters = prometheus.NewCounterVec(prometheus.CounterOpts(f("iterations_total", "Finished iterations by result (ok, failed, or interrupted: cut off by loadgen's own stop).")), []string{"scenario", "result"})
	e.late = prometheus.NewCounterVec(prometheus.CounterOpts(f("late_iterations_total", "Iterations that started after their intended start because no worker was free.")), []string{"scenario"})
	e.dropped = prometheus.NewCounterVec(prometheus.CounterOpts(f("dropped_iterations_total", "Iterations never started (later than max_lateness).")), []string{"scenario"})
	e.inflight = prometheus.NewGaugeVec(prometheus.GaugeOpts(f("inflight_iterations", "Iterations running now.")), []string{"scenario"})
	e.workers = prometheus.NewGaugeVec(prometheus.GaugeOpts(f("workers", "Workers started so far.")), []string{"scenario"})
	e.cpu = prometheus.NewGauge(prometheus.GaugeOpts(f("generator_cpu_percent", "Load generator process CPU over the last second (100 = one core).")))
	e.schedLat = prometheus.NewGauge(prometheus.GaugeOpts(f("generator_sched_latency_p99_seconds", "Go scheduler latency p99 over the last second.")))
	e.startLag = prometheus.NewGauge(prometheus.GaugeOpts(f("generator_start_lag_p99_seconds", "Start lag (actual - intended) p99 over the last second.")))
	e.saturated = prometheus.NewGauge(prometheus.GaugeOpts(f("generator_saturated", "1 if the load generator was saturated in the last second.")))
	e.reg.MustRegister(e.latency, e.service, e.phase, e.ops, e.errs, e.iters, e.late, e.dropped,
		e.inflight, e.workers, e.cpu, e.schedLat, e.startLag, e.saturated)
	return e
}

// Registry returns the registry holding the exporter's collectors.
func (e *Exporter) Registry() *prometheus.Registry { return e.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (e *Exporter) Handler() http.Handler {
	return promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{})
}

// RecordSample implements loadgen.Sink.
//
// A sample loadgen's own stop cut off (class canceled) is counted as
// result "interrupted" only: it is not the target's error or latency.
func (e *Exporter) RecordSample(s *results.Sample) {
	if s.Class == results.ClassCanceled {
		e.ops.WithLabelValues(s.Scenario, s.Op, "interrupted").Inc()
		if e.next != nil {
			e.next.RecordSample(s)
		}
		return
	}
	e.latency.WithLabelValues(s.Scenario, s.Op).Observe(s.Latency.Seconds())
	e.service.WithLabelValues(s.Scenario, s.Op).Observe(s.ServiceTime.Seconds())
	for _, p := range s.Phases {
		e.phase.WithLabelValues(s.Scenario, s.Op, p.Name).Observe((p.End - p.Start).Seconds())
	}
	if s.OK() {
		e.ops.WithLabelValues(s.Scenario, s.Op, "ok").Inc()
	} else {
		e.ops.WithLabelValues(s.Scenario, s.Op, "error").Inc()
		e.errs.WithLabelValues(s.Scenario, s.Op, s.Class).Inc()
	}
	if e.next != nil {
		e.next.RecordSample(s)
	}
}

// RecordIteration implements loadgen.Sink.
func (e *Exporter) RecordIteration(it *results.Iteration) {
	res := "ok"
	switch {
	case it.Interrupted:
		res = "interrupted" // cut off by loadgen's own stop
	case it.Failed:
		res = "failed"
	}
	e.iters.WithLabelValues(it.Scenario, res).Inc()
	if e.next != nil {
		e.next.RecordIteration(it)
	}
}

// AddLate implements loadgen.Sink.
func (e *Exporter) AddLate(scenario string, n int64) {
	e.late.WithLabelValues(scenario).Add(float64(n))
	if e.next != nil {
		e.next.AddLate(scenario, n)
	}
}

// AddDropped implements loadgen.Sink.
func (e *Exporter) AddDropped(scenario string, n int64) {
	e.dropped.WithLabelValues(scenario).Add(float64(n))
	if e.next != nil {
		e.next.AddDropped(scenario, n)
	}
}

// RecordWorkerCap implements loadgen.Sink; it only passes the record on.
func (e *Exporter) RecordWorkerCap(c results.WorkerCap) {
	if e.next != nil {
		e.next.RecordWorkerCap(c)
	}
}

// RecordHealth implements loadgen.Sink.
func (e *Exporter) RecordHealth(h results.Health) {
	e.cpu.Set(h.CPUPercent)
	e.schedLat.Set(h.SchedLatencyP99.Seconds())
	e.startLag.Set(h.StartLagP99.Seconds())
	if h.Saturated {
		e.saturated.Set(1)
	} else {
		e.saturated.Set(0)
	}
	if e.next != nil {
		e.next.RecordHealth(h)
	}
}

// SetProgress updates the gauges the engine's progress snapshots carry
// (in-flight iterations, workers). Pass it to loadgen.Options.Progress.
func (e *Exporter) SetProgress(p loadgen.Progress) {
	for _, s := range p.Scenarios {
		e.inflight.WithLabelValues(s.Name).Set(float64(s.Started - s.Completed - s.Interrupted))
		e.workers.WithLabelValues(s.Name).Set(float64(s.Workers))
	}
}

// Push sends every metric to the Pushgateway at url under job, replacing
// what that job pushed before, so the final figures of a short run are kept.
func (e *Exporter) Push(ctx context.Context, url, job string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := push.New(url, job).Gatherer(e.reg).PushContext(ctx); err != nil {
		return fmt.Errorf("pushing metrics to %s: %w", url, err)
	}
	return nil
}

// RecordCapacityLevel passes a capacity search's level on to Next, when
// Next keeps them (loadgen.LevelSink), so the run's summary has it.
func (e *Exporter) RecordCapacityLevel(l *results.CapacityLevel) {
	if ls, ok := e.next.(loadgen.LevelSink); ok {
		ls.RecordCapacityLevel(l)
	}
}
