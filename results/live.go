package results

import (
	"encoding/json"
	"math"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// LiveEvent is one second of a running run, as the dashboard's /events
// sends it (JSON, one a second). Latencies are milliseconds at 2
// significant digits (the per-second histograms' precision).
type LiveEvent struct {
	// Second is the second since the run's start whose figures Ops[].Second
	// hold: the samples recorded (finished) in it.
	Second   int64      `json:"second"`
	ElapsedS float64    `json:"elapsed_s"`
	Totals   LiveTotals `json:"totals"`
	// Ops are sorted by scenario, then op; an op appears once it has a
	// sample.
	Ops       []LiveOp       `json:"ops"`
	Scenarios []LiveScenario `json:"scenarios"`
	// Health holds the generator's health records that arrived since the
	// previous event (about one a second).
	Health []LiveHealth `json:"health"`
	// Flame is the phase flame graph so far (the stacks of phases.folded).
	Flame *flameNode `json:"flame"`
	// End is true on the run's last event.
	End bool `json:"end,omitempty"`
}

// LiveTotals are the run's totals so far.
type LiveTotals struct {
	Samples    int64   `json:"samples"`
	Errors     int64   `json:"errors"`
	Iterations int64   `json:"iterations"`
	RatePerS   float64 `json:"rate_per_s"` // iterations per second over the last second
	Late       int64   `json:"late"`
	Dropped    int64   `json:"dropped"`
}

// LiveOp is one (scenario, op): its last second and the run so far, and
// its latency at the percentiles report.html's distribution chart draws
// ([percentile, ms] pairs, the last one the maximum as percentile 100).
type LiveOp struct {
	Name     string       `json:"name"` // scenario/op
	Scenario string       `json:"scenario"`
	Op       string       `json:"op"`
	Second   LiveFigures  `json:"second"`
	Run      LiveFigures  `json:"run"`
	Spectrum [][2]float64 `json:"spectrum"`
}

// LiveFigures are a count of samples, how many failed and their latency.
type LiveFigures struct {
	Count  int64   `json:"count"`
	Errors int64   `json:"errors"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
}

// LiveScenario is a scenario's late and dropped iterations so far.
type LiveScenario struct {
	Name    string `json:"name"`
	Late    int64  `json:"late"`
	Dropped int64  `json:"dropped"`
}

// LiveHealth is one health record of the generator, as report.html's
// generator charts draw it.
type LiveHealth struct {
	Second     int64    `json:"second"`
	CPU        *float64 `json:"cpu"` // null: not measured
	SchedMS    float64  `json:"sched_ms"`
	LagMS      *float64 `json:"lag_ms"` // null: no open iteration started on time
	Goroutines int      `json:"goroutines"`
	HeapMiB    float64  `json:"heap_mib"`
	Saturated  bool     `json:"saturated"`
}

// live keeps, for a dashboard, the run second by second: what report.html
// draws over time, built from the figures the Recorder's goroutine rolls
// every second (no cost per sample). Memory grows by about 50 bytes per
// op and second. Its methods are safe for concurrent use.
type live struct {
	start time.Time

	mu      sync.Mutex
	seconds int64 // seconds rolled: every op has this many points
	ops     map[opKey]*liveOp
	scens   map[string][][3]int64 // scenario → [second, late, dropped] running totals
	health  []Health
	sent    int // health records already in an event
	flame   *flameNode
	// recent are the latest events, JSON, by second mod keepEvents: a
	// client a few seconds behind gets what it missed, not a replay.
	recent [keepEvents]struct {
		second int64
		event  []byte
	}
	ended bool
	// wake is closed, and replaced, when a second is rolled.
	wake chan struct{}
}

// liveOp is one op's points (index: second) and its run so far.
type liveOp struct {
	points  []livePoint
	run     *hdrhistogram.PackedHistogram // 2 significant digits
	n, errs int64
}

// livePoint is one op's second; latencies in microseconds.
type livePoint struct {
	n, errs             int64
	p50, p90, p99, pmax int64
}

func newLive(start time.Time) *live {
	return &live{start: start, ops: make(map[opKey]*liveOp), scens: make(map[string][][3]int64), wake: make(chan struct{})}
}

// keepLive makes r keep the run second by second for a dashboard, from
// its next roll on, and returns what it keeps.
func (r *Recorder) keepLive() *live {
	if l := r.live.Load(); l != nil {
		return l
	}
	r.live.CompareAndSwap(nil, newLive(r.start))
	return r.live.Load()
}

// liveQuantiles are the percentiles a LiveFigures holds.
var liveQuantiles = []float64{50, 90, 99, 100}

// rollLive adds second to r's live view, if it keeps one: each op's
// figures of the second (sec, before the caller resets it), the late and
// dropped totals, the health records and the flame graph. It runs on the
// Recorder's goroutine.
func (r *Recorder) rollLive(second int64, now time.Time, sec map[opKey]*secAgg, final bool) {
	l := r.live.Load()
	if l == nil {
		return
	}
	folds, names := r.liveScan()
	flame := flameTree(foldStacks(folds))
	totals := LiveTotals{RatePerS: math.Float64frombits(r.rate.Load())}
	for _, sh := range r.shards {
		totals.Iterations += sh.iterations.Load()
	}
	for _, m := range []*sync.Map{&r.late, &r.dropped} {
		m.Range(func(k, _ any) bool {
			names[k.(string)] = true
			return true
		})
	}
	var scens []LiveScenario
	for _, name := range sortedKeys(names) {
		scens = append(scens, LiveScenario{Name: name, Late: counter(&r.late, name).Load(), Dropped: counter(&r.dropped, name).Load()})
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return
	}
	second = max(second, l.seconds) // seconds may be skipped (a late tick), never repeated
	n := second + 1
	ev := LiveEvent{Second: second, ElapsedS: now.Sub(l.start).Seconds(), Ops: []LiveOp{}, Flame: flame, End: final}
	for k, a := range sec {
		if a.n == 0 {
			continue
		}
		o := l.ops[k]
		if o == nil {
			o = &liveOp{run: hdrhistogram.NewPacked(lowestUS, highestUS, secSigFigs)}
			l.ops[k] = o
		}
		q := a.h.ValueAtPercentilesSlice(liveQuantiles)
		o.points = append(o.points, make([]livePoint, second-int64(len(o.points)))...)
		o.points = append(o.points, livePoint{n: a.n, errs: a.errs, p50: q[0], p90: q[1], p99: q[2], pmax: q[3]})
		o.run.Merge(a.h)
		o.n += a.n
		o.errs += a.errs
	}
	for _, k := range sortedOpKeys(l.ops) {
		o := l.ops[k]
		o.points = append(o.points, make([]livePoint, n-int64(len(o.points)))...)
		run, spectrum := o.runFigures()
		lo := LiveOp{Name: k.scenario + "/" + k.op, Scenario: k.scenario, Op: k.op,
			Second: o.points[second].figures(), Run: run, Spectrum: spectrum}
		ev.Ops = append(ev.Ops, lo)
		ev.Totals.Samples += o.n
		ev.Totals.Errors += o.errs
	}
	for _, s := range scens {
		l.scens[s.Name] = append(l.scens[s.Name], [3]int64{n, s.Late, s.Dropped})
		ev.Totals.Late += s.Late
		ev.Totals.Dropped += s.Dropped
	}
	ev.Scenarios = append([]LiveScenario{}, scens...)
	ev.Totals.Iterations, ev.Totals.RatePerS = totals.Iterations, totals.RatePerS
	ev.Health = []LiveHealth{}
	for _, h := range l.health[l.sent:] {
		ev.Health = append(ev.Health, liveHealth(h))
	}
	l.sent = len(l.health)
	l.seconds, l.flame, l.ended = n, flame, final
	js, _ := json.Marshal(ev) // plain data: cannot fail
	r0 := &l.recent[second%keepEvents]
	r0.second, r0.event = second, js
	close(l.wake)
	l.wake = make(chan struct{})
}

// addHealth keeps one health record for the next event.
func (l *live) addHealth(h Health) {
	l.mu.Lock()
	l.health = append(l.health, h)
	l.mu.Unlock()
}

// liveScan returns each op's service, phase and unaccounted sums so far,
// summed over the shards (no histogram is merged), and the names of the
// scenarios with iterations.
func (r *Recorder) liveScan() ([]foldOp, map[string]bool) {
	byKey := make(map[opKey]*foldOp)
	names := make(map[string]bool)
	for _, sh := range r.shards {
		sh.mu.Lock()
		for name := range sh.scens {
			names[name] = true
		}
		for k, o := range sh.ops {
			f := byKey[k]
			if f == nil {
				f = &foldOp{scenario: k.scenario, op: k.op, phases: make(map[string]int64)}
				byKey[k] = f
			}
			f.service += int64(o.service.sum)
			for name, st := range o.phases {
				f.phases[name] += int64(st.sum)
			}
			if o.unaccounted != nil {
				if f.unaccounted == nil {
					f.unaccounted = new(int64)
				}
				*f.unaccounted += int64(o.unaccounted.sum)
			}
		}
		sh.mu.Unlock()
	}
	out := make([]foldOp, 0, len(byKey))
	for _, k := range sortedOpKeys(byKey) {
		out = append(out, *byKey[k])
	}
	return out, names
}

func (p livePoint) figures() LiveFigures {
	return LiveFigures{Count: p.n, Errors: p.errs, P50MS: usToMS(p.p50), P90MS: usToMS(p.p90), P99MS: usToMS(p.p99), MaxMS: usToMS(p.pmax)}
}

// runFigures returns the op's run so far and its latency at
// spectrumPercentiles and its maximum (one pass over the histogram).
func (o *liveOp) runFigures() (LiveFigures, [][2]float64) {
	ps := spectrumPercentiles(o.n)
	vs := o.run.ValueAtPercentilesSlice(append(append(ps, 100), liveQuantiles...))
	q := vs[len(ps)+1:]
	run := livePoint{n: o.n, errs: o.errs, p50: q[0], p90: q[1], p99: q[2], pmax: q[3]}.figures()
	spectrum := [][2]float64{}
	if o.n == 0 {
		return run, spectrum
	}
	for i, p := range ps {
		spectrum = append(spectrum, [2]float64{p, usToMS(vs[i])})
	}
	return run, append(spectrum, [2]float64{100, usToMS(vs[len(ps)])})
}

func liveHealth(h Health) LiveHealth {
	return LiveHealth{Second: h.Second, CPU: measured(h.CPUPercent), SchedMS: durMS(h.SchedLatencyP99), LagMS: lagMS(h),
		Goroutines: h.Goroutines, HeapMiB: float64(h.HeapBytes) / (1 << 20), Saturated: h.Saturated}
}

// page returns what report.html's script draws, for the seconds rolled so
// far.
func (l *live) page() htmlData {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := htmlData{Seconds: l.seconds, StartMS: l.start.UnixMilli(), Ops: []htmlOp{}, Scenarios: []htmlScenario{},
		Generators: []htmlGen{}, Flame: l.flame}
	if d.Flame == nil {
		d.Flame = &flameNode{Name: "all"}
	}
	for _, k := range sortedOpKeys(l.ops) {
		o := l.ops[k]
		_, spectrum := o.runFigures()
		h := htmlOp{Name: k.scenario + "/" + k.op, Spectrum: spectrum,
			Count: make([]int64, 0, l.seconds), Errors: make([]int64, 0, l.seconds)}
		for _, p := range o.points[:l.seconds] {
			h.Count, h.Errors = append(h.Count, p.n), append(h.Errors, p.errs)
			if p.n == 0 {
				h.P50, h.P99 = append(h.P50, nil), append(h.P99, nil)
				continue
			}
			p50, p99 := usToMS(p.p50), usToMS(p.p99)
			h.P50, h.P99 = append(h.P50, &p50), append(h.P99, &p99)
		}
		d.Ops = append(d.Ops, h)
	}
	for _, name := range sortedKeys(l.scens) {
		pts := append([][3]int64{{0, 0, 0}}, l.scens[name]...)
		last := pts[len(pts)-1]
		d.Scenarios = append(d.Scenarios, htmlScenario{Name: name, Points: pts, Late: last[1], Dropped: last[2]})
	}
	if len(l.health) > 0 {
		d.Generators = append(d.Generators, genHTML("", l.health[:l.sent]))
	}
	return d
}

// keepEvents is how many of the latest events a live view keeps.
const keepEvents = 16

// latest returns the last second rolled (-1: none yet), a channel closed
// when the next is rolled, and whether the run has ended.
func (l *live) latest() (second int64, wake <-chan struct{}, ended bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seconds - 1, l.wake, l.ended
}

// eventAt returns the event of second, nil if it is no longer kept (or
// was skipped).
func (l *live) eventAt(second int64) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.eventLocked(second)
}

func (l *live) eventLocked(second int64) []byte {
	if second < 0 {
		return nil
	}
	if r := l.recent[second%keepEvents]; r.second == second {
		return r.event
	}
	return nil
}
