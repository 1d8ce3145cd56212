package results

import (
	"math"
	"sort"
	"time"
)

// Series is a run's figures second by second, read from its sample stream:
// what report.html draws over time. Seconds count from Start; a sample
// belongs to the second of its actual start.
type Series struct {
	// Start is the wall time of second 0, the run's start.
	Start time.Time
	// Seconds is how many seconds the series cover; every OpSeries has
	// that many points.
	Seconds int64
	// Ops are sorted by scenario, then op.
	Ops []OpSeries
	// Scenarios are sorted by name.
	Scenarios []ScenarioSeries
	// Generators holds one health series per load generator (one for a
	// run, one per shard for a merge).
	Generators []GeneratorSeries
}

// OpSeries is one (scenario, op) second by second.
type OpSeries struct {
	Scenario string
	Op       string
	Points   []SecondPoint // Points[i].Second == i
}

// SecondPoint is one second of one op: how many samples started in it, how
// many of those failed, and their latency's median and 99th percentile in
// milliseconds at 2 significant digits (0 when Count is 0).
type SecondPoint struct {
	Second int64
	Count  int64
	Errors int64
	P50MS  float64
	P99MS  float64
}

// ScenarioSeries is one scenario's late and dropped iterations, as running
// totals. The stream records the totals when they change, at most once per
// flush and without a time of their own; each point's second is the latest
// moment the stream had shown when the totals were written, so the series
// is as fine as the flush interval (1 s) and may lag by one flush.
type ScenarioSeries struct {
	Name   string
	Points []CounterPoint
}

// CounterPoint is a scenario's late and dropped totals as of a second.
type CounterPoint struct {
	Second  int64
	Late    int64
	Dropped int64
}

// GeneratorSeries is one load generator's health, one record per second
// (seconds from Series.Start), sorted by second.
type GeneratorSeries struct {
	Name   string // "" for a single run; the shard or folder for a merge
	Points []Health
}

// ReadSeries reads the per-second series of the run folder dir from its
// sample stream. Like Rebuild, it reads a killed run, returning warnings for
// what it skipped.
func ReadSeries(dir string) (*Series, []string, error) {
	acc := newSeriesAcc()
	src := acc.source("", 0)
	rb := &rebuilder{
		onSample:   src.sample,
		onCounts:   src.counts,
		onHealth:   src.health,
		seriesOnly: true, // only the run's span is read from the summary
	}
	sum, warnings, err := rb.replay(dir)
	if err != nil {
		return nil, warnings, err
	}
	return acc.series(sum.Run.Start, sum.Run.DurationS), warnings, nil
}

// seriesAcc builds a Series from stream records of one or more runs.
type seriesAcc struct {
	ops     map[opKey]map[int64]*secBin
	events  []counterEvent
	sources []*seriesSource
}

// seriesSource is one run feeding a seriesAcc: its records' offsets are
// shifted by shiftUS to the accumulator's time base.
type seriesSource struct {
	acc     *seriesAcc
	index   int
	name    string
	shiftUS int64
	nowUS   int64            // the latest moment seen in this run's records (shifted)
	secs    map[int64]Health // health records by (shifted) second
}

// counterEvent is one C record of one source.
type counterEvent struct {
	us            int64
	source        int
	scenario      string
	late, dropped int64
}

// secBin is one (op, second): counts and latency buckets at 2 significant
// digits (bucket's lower bound → count), with the exact maximum.
type secBin struct {
	n, errs, max int64
	buckets      map[int64]int64
}

func newSeriesAcc() *seriesAcc {
	return &seriesAcc{ops: make(map[opKey]map[int64]*secBin)}
}

// source adds a run whose offsets are shifted by shiftUS microseconds.
func (a *seriesAcc) source(name string, shiftUS int64) *seriesSource {
	s := &seriesSource{acc: a, index: len(a.sources), name: name, shiftUS: shiftUS, secs: make(map[int64]Health)}
	a.sources = append(a.sources, s)
	return s
}

// sample adds one sample (an observer of the rebuilder).
func (s *seriesSource) sample(m *sampleUS) {
	start := m.start + s.shiftUS
	s.nowUS = max(s.nowUS, start+m.service)
	sec := floorDiv(start, int64(time.Second/time.Microsecond))
	k := opKey{m.scenario, m.op}
	bins := s.acc.ops[k]
	if bins == nil {
		bins = make(map[int64]*secBin)
		s.acc.ops[k] = bins
	}
	b := bins[sec]
	if b == nil {
		b = &secBin{buckets: make(map[int64]int64)}
		bins[sec] = b
	}
	lat := max(m.latency, 0)
	b.n++
	if m.class != "" {
		b.errs++
	}
	b.max = max(b.max, lat)
	b.buckets[bucket2(lat)]++
}

// counts notes a C record (an observer of the rebuilder).
func (s *seriesSource) counts(scenario string, late, dropped int64) {
	s.acc.events = append(s.acc.events, counterEvent{us: s.nowUS, source: s.index, scenario: scenario, late: late, dropped: dropped})
}

// health notes a T record (an observer of the rebuilder).
func (s *seriesSource) health(h Health) {
	h.Second += roundDiv(s.shiftUS, int64(time.Second/time.Microsecond))
	s.nowUS = max(s.nowUS, (h.Second+1)*int64(time.Second/time.Microsecond))
	s.secs[h.Second] = h
}

// series returns the accumulated series over durationS seconds from start.
func (a *seriesAcc) series(start time.Time, durationS float64) *Series {
	n := int64(math.Ceil(durationS))
	for _, bins := range a.ops {
		for sec := range bins {
			n = max(n, sec+1)
		}
	}
	out := &Series{Start: start, Seconds: n}

	keys := sortedOpKeys(a.ops)
	for _, k := range keys {
		ser := OpSeries{Scenario: k.scenario, Op: k.op, Points: make([]SecondPoint, n)}
		for i := range ser.Points {
			ser.Points[i].Second = int64(i)
		}
		for sec, b := range a.ops[k] {
			if sec < 0 || sec >= n {
				continue
			}
			ser.Points[sec] = SecondPoint{Second: sec, Count: b.n, Errors: b.errs,
				P50MS: usToMS(b.percentile(50)), P99MS: usToMS(b.percentile(99))}
		}
		out.Ops = append(out.Ops, ser)
	}

	out.Scenarios = a.counterSeries(n)
	for _, s := range a.sources {
		g := GeneratorSeries{Name: s.name}
		for _, h := range s.secs {
			g.Points = append(g.Points, h)
		}
		sort.Slice(g.Points, func(i, j int) bool { return g.Points[i].Second < g.Points[j].Second })
		if len(g.Points) > 0 {
			out.Generators = append(out.Generators, g)
		}
	}
	return out
}

// counterSeries sums the sources' late and dropped totals over time, from
// zero at second 0 to the final totals at second n.
func (a *seriesAcc) counterSeries(n int64) []ScenarioSeries {
	ev := append([]counterEvent(nil), a.events...)
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].us < ev[j].us })
	type pair struct{ late, dropped int64 }
	last := make(map[string]map[int]pair) // scenario → source → totals
	series := make(map[string]*ScenarioSeries)
	for _, e := range ev {
		bySrc := last[e.scenario]
		if bySrc == nil {
			bySrc = make(map[int]pair)
			last[e.scenario] = bySrc
			series[e.scenario] = &ScenarioSeries{Name: e.scenario, Points: []CounterPoint{{}}}
		}
		bySrc[e.source] = pair{e.late, e.dropped}
		var p CounterPoint
		p.Second = min(max(ceilDiv(e.us, int64(time.Second/time.Microsecond)), 0), n)
		for _, t := range bySrc {
			p.Late += t.late
			p.Dropped += t.dropped
		}
		s := series[e.scenario]
		if l := &s.Points[len(s.Points)-1]; l.Second == p.Second {
			*l = p
		} else {
			s.Points = append(s.Points, p)
		}
	}
	out := make([]ScenarioSeries, 0, len(series))
	for _, name := range sortedKeys(series) {
		s := series[name]
		if l := s.Points[len(s.Points)-1]; l.Second < n {
			l.Second = n
			s.Points = append(s.Points, l)
		}
		out = append(out, *s)
	}
	return out
}

// percentile returns the latency at percentile p (0..100) in
// microseconds: the upper end of the bucket holding it, clamped to the
// exact maximum.
func (b *secBin) percentile(p float64) int64 {
	if b.n == 0 {
		return 0
	}
	keys := make([]int64, 0, len(b.buckets))
	for k := range b.buckets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	want := int64(math.Ceil(p / 100 * float64(b.n)))
	want = max(want, 1)
	var seen int64
	for _, k := range keys {
		seen += b.buckets[k]
		if seen >= want {
			return min(k+bucketWidth2(k)-1, b.max)
		}
	}
	return b.max
}

// bucket2 returns the lower bound of v's bucket at 2 significant digits:
// v itself below 100, else v with all but its two leading digits zeroed.
func bucket2(v int64) int64 {
	w := bucketWidth2(v)
	return v / w * w
}

// bucketWidth2 returns the width of the 2-significant-digit bucket that
// starts at or holds v: 1 below 100, 10 below 1000, and so on.
func bucketWidth2(v int64) int64 {
	w := int64(1)
	for v >= 100 {
		v /= 10
		w *= 10
	}
	return w
}

// floorDiv returns ⌊a/b⌋ for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// ceilDiv returns ⌈a/b⌉ for b > 0.
func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// roundDiv returns a/b rounded to the nearest integer (halves away from
// zero) for b > 0.
func roundDiv(a, b int64) int64 {
	if a < 0 {
		return -roundDiv(-a, b)
	}
	return (a + b/2) / b
}
