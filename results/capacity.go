package results

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// A capacity search (the engine's capacity executor) offers a scenario one
// arrival rate after another, each for a step, and judges each level
// against the scenario's SLO from that level's own histograms. The engine
// collects a level in a LevelStats, judges it to choose the next rate, and
// hands the finished level to the Recorder (RecordCapacityLevel), which
// keeps it in the sample stream (a Q record, with its histograms), so
// Rebuild and Merge recompute every level and the verdict from histograms,
// sharded levels from the merged ones.

// CapacitySpec is what a capacity search is judged by.
type CapacitySpec struct {
	// SLO is what a level must meet to pass. A rule's key is an op (a
	// step's name) of the scenario, or "*" for all its ops together.
	SLO []Rule
	// Abort rules end the search at once when one holds (error_rate > 20%).
	Abort []Rule
	// Precision is the bracket, as a fraction of the first failing rate,
	// within which bisection stops.
	Precision float64
	// MaxRate is the highest rate the search offers, iterations per second.
	MaxRate float64
}

// LevelStats collects one level's samples: per op, the latency (from the
// intended start) and the errors, and the iterations, of which those that
// ended within the level's step count as achieved. It is safe for
// concurrent use.
type LevelStats struct {
	mu        sync.Mutex
	windowEnd int64 // µs from the run's start
	ops       map[string]*levelOp
	iters     int64
	achieved  int64
}

type levelOp struct {
	lat  *stat
	errs int64
}

// NewLevelStats returns an empty LevelStats for a level whose step ends at
// windowEnd (from the run's start).
func NewLevelStats(windowEnd time.Duration) *LevelStats {
	return &LevelStats{windowEnd: windowEnd.Microseconds(), ops: make(map[string]*levelOp)}
}

// AddSample records one op's sample; s is not kept. A sample loadgen
// itself cut off (ClassCanceled: the drain after the step ran out, a hard
// stop) is not the target's and is not judged.
func (l *LevelStats) AddSample(s *Sample) {
	if s.Class == ClassCanceled {
		return
	}
	us := s.Latency.Microseconds()
	l.mu.Lock()
	o := l.op(s.Op)
	o.lat.record(us)
	if !s.OK() {
		o.errs++
	}
	l.mu.Unlock()
}

func (l *LevelStats) op(name string) *levelOp {
	o := l.ops[name]
	if o == nil {
		o = &levelOp{lat: newStat()}
		l.ops[name] = o
	}
	return o
}

// AddIteration records one iteration; it is not kept.
func (l *LevelStats) AddIteration(it *Iteration) {
	end := (it.Start + it.ServiceTime).Microseconds()
	l.mu.Lock()
	l.iters++
	if end <= l.windowEnd {
		l.achieved++
	}
	l.mu.Unlock()
}

// Samples returns how many samples the level holds.
func (l *LevelStats) Samples() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var n int64
	for _, o := range l.ops {
		n += o.lat.n
	}
	return n
}

// selectKey merges what key names ("*" or an op) into one stat, with its
// errors; ok is false when it names nothing measured.
func (l *LevelStats) selectKey(key string) (st *stat, errs int64, ok bool) {
	st = newStat()
	for name, o := range l.ops {
		if key == "*" || key == name {
			st.merge(o.lat)
			errs += o.errs
			ok = true
		}
	}
	return st, errs, ok
}

// measure returns rule's metric on the level; ok is false when it cannot
// be measured (no samples for its key).
func (l *LevelStats) measure(r Rule, stepS float64) (v float64, ok bool) {
	st, errs, found := l.selectKey(r.Key)
	if !found || st.n == 0 {
		return 0, false
	}
	switch t := r.T; t.Metric {
	case "p":
		return usToMS(st.percentileUS(t.Percentile)), true
	case "med":
		return usToMS(st.percentileUS(50)), true
	case "mean":
		return st.mean() / 1000, true
	case "min":
		return usToMS(st.min), true
	case "max":
		return usToMS(st.max), true
	case "stddev":
		return st.stddev() / 1000, true
	case "count":
		return float64(st.n), true
	case "rate":
		if stepS <= 0 {
			return 0, false
		}
		return float64(st.n) / stepS, true
	case "error_rate":
		return float64(errs) / float64(st.n), true
	}
	return 0, false
}

// Judge reports whether the level meets every SLO rule, and why not: the
// first rule it breaks, with what was measured ("p99 1.2 s"). A level
// without samples for a rule fails it.
func (l *LevelStats) Judge(slo []Rule, stepS float64) (pass bool, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range slo {
		v, ok := l.measure(r, stepS)
		if !ok {
			return false, fmt.Sprintf("%s: no samples", keyLabel(r.Key))
		}
		if !r.T.holds(v) {
			return false, describe(r, v)
		}
	}
	return true, ""
}

// Breached returns the first abort rule that holds on what the level
// recorded so far, described with its value, or "" if none does.
func (l *LevelStats) Breached(abort []Rule, stepS float64) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range abort {
		if v, ok := l.measure(r, stepS); ok && r.T.holds(v) {
			return describe(r, v) + " (abort: " + r.Expr + ")"
		}
	}
	return ""
}

// describe names a rule's metric and the value measured: "p99 1.2 s",
// "error_rate 3.1%", with the op when the key is one.
func describe(r Rule, v float64) string {
	m := string(r.T.Metric)
	if r.T.Metric == "p" {
		m = "p" + strconv.FormatFloat(r.T.Percentile, 'f', -1, 64)
	}
	if r.Key != "*" && r.Key != "" {
		m = r.Key + " " + m
	}
	return m + " " + humanValue(r.T, v)
}

func keyLabel(key string) string {
	if key == "*" {
		return "all ops"
	}
	return key
}

// humanValue renders v in t's unit for a sentence: "85 ms", "1.2 s", "3.1%".
func humanValue(t Threshold, v float64) string {
	switch t.Metric {
	case "error_rate":
		return strconv.FormatFloat(v*100, 'g', 3, 64) + "%"
	case "count":
		return strconv.FormatFloat(v, 'f', -1, 64)
	case "rate":
		return strconv.FormatFloat(v, 'f', 1, 64) + "/s"
	}
	return humanMS(v)
}

// humanMS renders milliseconds: "850 µs", "85 ms", "1.2 s".
func humanMS(ms float64) string {
	switch {
	case ms < 1:
		return strconv.FormatFloat(ms*1000, 'f', 0, 64) + " µs"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'g', 3, 64) + " ms"
	}
	return strconv.FormatFloat(ms/1000, 'g', 3, 64) + " s"
}

// CapacityLevel is one finished level of a capacity search.
type CapacityLevel struct {
	Scenario string
	// Rate is the arrival rate offered, iterations per second (this
	// generator's share when the workload is sharded).
	Rate float64
	// Start is the level's start from the run's start; Step how long the
	// rate was offered; End when its last iteration ended.
	Start, Step, End time.Duration
	// Limited, when not "", says why the generator could not drive the
	// level (saturated, max_workers reached, iterations dropped): it is
	// neither a pass nor the target's failure.
	Limited string
	// Cut, when not "", says why the level was cut short (an abort rule
	// held, max_duration, a stop); a level cut short for any reason but an
	// abort is not judged.
	Cut   string
	Spec  CapacitySpec
	Stats *LevelStats
	// partial, in a merge, says how many of the shards ran the level
	// ("1 of 2"), when not all did: their searches diverged, and the
	// level is not judged.
	partial string
}

// aborted reports whether an abort rule cut the level short.
func (l *CapacityLevel) aborted() bool { return strings.HasPrefix(l.Cut, "abort") }

// RecordCapacityLevel records a finished level of a capacity search; the
// Recorder keeps l (the caller must not change it afterwards).
func (r *Recorder) RecordCapacityLevel(l *CapacityLevel) {
	line := judgeLevel(l).line()
	r.healthMu.Lock()
	r.levels = append(r.levels, l)
	r.lastLevel = line
	r.healthMu.Unlock()
	if r.streaming.Load() {
		body, err := json.Marshal(levelToWire(l))
		if err != nil {
			return // every field marshals; nothing to lose
		}
		r.metaMu.Lock()
		r.meta = appendRecord(r.meta, recLevel, body)
		r.metaMu.Unlock()
	}
}

// LevelSummary is one level in summary.json. Latencies are of all the
// scenario's ops together, from the intended start.
type LevelSummary struct {
	RatePerS     float64 `json:"rate_per_s"`
	AchievedPerS float64 `json:"achieved_per_s"`
	P50MS        float64 `json:"p50_ms"`
	P99MS        float64 `json:"p99_ms"`
	ErrorRate    float64 `json:"error_rate"`
	Iterations   int64   `json:"iterations"`
	StartS       float64 `json:"start_s"`
	DurationS    float64 `json:"duration_s"`
	Pass         bool    `json:"pass"`
	// GeneratorLimited marks a level loadgen could not drive: it is not
	// the target's failure.
	GeneratorLimited bool `json:"generator_limited,omitempty"`
	// Reason says why a level failed (the rule it broke, with the value),
	// was not judged (generator-limited, cut short), or "" for a pass.
	Reason string `json:"reason"`
}

// CapacitySummary is a scenario's capacity search in summary.json.
type CapacitySummary struct {
	SLO []string `json:"slo"`
	// MaxRatePerS is the highest rate that passed below the first failing
	// one (0: none passed); FirstFailingRatePerS the lowest rate at which
	// the target broke the SLO (null: none did).
	MaxRatePerS          float64  `json:"max_rate_per_s"`
	FirstFailingRatePerS *float64 `json:"first_failing_rate_per_s"`
	// LimitedBy says what ended the search: "slo" (bracketed within
	// precision), "max_rate" (passed it), "generator", "abort",
	// "max_duration", "stopped" (a level was cut short), or "incomplete"
	// (it ended between levels, before any of those).
	LimitedBy string         `json:"limited_by"`
	Verdict   string         `json:"verdict"`
	Levels    []LevelSummary `json:"levels"`
}

// judged is a level with its verdict.
type judged struct {
	l      *CapacityLevel
	sum    LevelSummary
	failed bool // the target broke the SLO
}

// judgeLevel turns a level into its summary and verdict.
func judgeLevel(l *CapacityLevel) judged {
	st := l.Stats
	step := l.Step.Seconds()
	all, errs, _ := st.selectKey("*")
	s := LevelSummary{
		RatePerS: l.Rate, P50MS: usToMS(all.percentileUS(50)), P99MS: usToMS(all.percentileUS(99)),
		Iterations: st.iters, StartS: l.Start.Seconds(), DurationS: step,
	}
	if d := l.End - l.Start; l.Cut != "" && d < l.Step {
		step = d.Seconds() // cut short: achieved over the time it ran
	}
	if step > 0 {
		s.AchievedPerS = float64(st.achieved) / step
	}
	if all.n > 0 {
		s.ErrorRate = float64(errs) / float64(all.n)
	}
	j := judged{l: l}
	switch {
	case l.partial != "":
		s.Reason = "not judged: ran by " + l.partial + " shards"
	case l.aborted():
		s.Reason = l.Cut
		j.failed = true
	case l.Limited != "":
		s.GeneratorLimited, s.Reason = true, "generator-limited: "+l.Limited
	case l.Cut != "":
		s.Reason = "not judged: " + l.Cut
	default:
		s.Pass, s.Reason = st.Judge(l.Spec.SLO, l.Step.Seconds())
		j.failed = !s.Pass
	}
	j.sum = s
	return j
}

// line describes a judged level in a few words: "decrypt 101/s FAIL: p99
// 123 ms".
func (j judged) line() string {
	v := "pass"
	switch {
	case j.sum.GeneratorLimited || strings.HasPrefix(j.sum.Reason, "not judged"):
		v = j.sum.Reason
	case !j.sum.Pass:
		v = "FAIL: " + j.sum.Reason
	}
	return j.l.Scenario + " " + rateStr(j.l.Rate) + " " + v
}

// capacitySummary judges a scenario's levels (in the order they ran) and
// draws the verdict.
func capacitySummary(levels []*CapacityLevel) *CapacitySummary {
	if len(levels) == 0 {
		return nil
	}
	spec := levels[0].Spec
	cs := &CapacitySummary{SLO: make([]string, 0, len(spec.SLO)), Levels: make([]LevelSummary, 0, len(levels))}
	for _, r := range spec.SLO {
		cs.SLO = append(cs.SLO, ruleLabel(r))
	}
	js := make([]judged, len(levels))
	for i, l := range levels {
		js[i] = judgeLevel(l)
		cs.Levels = append(cs.Levels, js[i].sum)
	}
	var fail *judged
	limit := math.Inf(1) // the lowest rate the generator could not drive
	var limitReason string
	for i := range js {
		j := &js[i]
		switch {
		case j.failed && (fail == nil || j.l.Rate < fail.l.Rate):
			fail = j
		case j.sum.GeneratorLimited && j.l.Rate < limit:
			limit, limitReason = j.l.Rate, j.l.Limited
		}
	}
	upper := limit
	if fail != nil {
		upper = min(upper, fail.l.Rate)
		r := fail.l.Rate
		cs.FirstFailingRatePerS = &r
	}
	for _, j := range js {
		if j.sum.Pass && j.l.Rate < upper {
			cs.MaxRatePerS = max(cs.MaxRatePerS, j.l.Rate)
		}
	}
	last, partial := levels[len(levels)-1], 0
	for _, l := range levels {
		if l.partial != "" {
			partial++
		} else {
			last = l
		}
	}
	switch {
	case fail != nil && fail.l.aborted():
		cs.LimitedBy = "abort"
	case last.Cut != "" && strings.HasPrefix(last.Cut, "max_duration"):
		cs.LimitedBy = "max_duration"
	case last.Cut != "":
		cs.LimitedBy = "stopped"
	case limit < math.Inf(1) && (fail == nil || limit < fail.l.Rate):
		cs.LimitedBy = "generator"
	case fail != nil:
		cs.LimitedBy = "slo"
	default:
		cs.LimitedBy = "max_rate"
	}
	// A search that ended (a stop, max_duration between levels) before
	// the bracket was within precision, or below max_rate, is incomplete.
	switch cs.LimitedBy {
	case "slo":
		if fail.l.Rate-cs.MaxRatePerS > spec.Precision*fail.l.Rate*(1+1e-9) {
			cs.LimitedBy = "incomplete"
		}
	case "max_rate":
		if cs.MaxRatePerS < spec.MaxRate*(1-1e-9) {
			cs.LimitedBy = "incomplete"
		}
	}
	cs.Verdict = verdictLine(cs, spec, fail, limit, limitReason)
	if partial > 0 {
		cs.Verdict += fmt.Sprintf("; the shards' searches diverged: %d levels not judged", partial)
	}
	return cs
}

// verdictLine says it in a sentence: "sustains 330/s at p99 < 100ms;
// fails at 370/s: p99 1.2 s".
func verdictLine(cs *CapacitySummary, spec CapacitySpec, fail *judged, limit float64, limitReason string) string {
	slo := strings.Join(cs.SLO, ", ")
	var b strings.Builder
	if cs.MaxRatePerS > 0 {
		fmt.Fprintf(&b, "sustains %s at %s", rateStr(cs.MaxRatePerS), slo)
	} else {
		fmt.Fprintf(&b, "sustains no rate tried at %s", slo)
	}
	if fail != nil {
		fmt.Fprintf(&b, "; fails at %s: %s", rateStr(fail.l.Rate), fail.sum.Reason)
	}
	switch cs.LimitedBy {
	case "max_rate":
		fmt.Fprintf(&b, "; never failed up to max_rate %s: capacity is higher", rateStr(spec.MaxRate))
	case "generator":
		fmt.Fprintf(&b, "; loadgen could not drive %s (%s): not the target's limit", rateStr(limit), limitReason)
	case "max_duration":
		b.WriteString("; max_duration ended the search before the bracket was within precision")
	case "stopped":
		b.WriteString("; stopped before the bracket was within precision")
	case "incomplete":
		b.WriteString("; ended before the bracket was within precision")
	}
	return b.String()
}

// ruleLabel renders an SLO rule: "p99 < 100ms", or "op: p99 < 100ms".
func ruleLabel(r Rule) string {
	if r.Key == "*" || r.Key == "" {
		return r.Expr
	}
	return r.Key + ": " + r.Expr
}

// rateStr renders a rate: "330/s", "12.5/s".
func rateStr(r float64) string {
	if r >= 100 {
		return strconv.FormatFloat(math.Round(r), 'f', -1, 64) + "/s"
	}
	return strconv.FormatFloat(r, 'g', 3, 64) + "/s"
}

// textCapacity writes each capacity search's level table and verdict.
func (s *Summary) textCapacity(e *errWriter) {
	for _, sc := range s.Scenarios {
		c := sc.Capacity
		if c == nil {
			continue
		}
		e.printf("\nCapacity search %q (SLO %s)\n", sc.Name, strings.Join(c.SLO, ", "))
		tw := table(e)
		fmt.Fprintf(tw, "offered/s\tachieved/s\tp50 ms\tp99 ms\terrors\titerations\tverdict\t\n")
		for _, l := range c.Levels {
			v := "pass"
			switch {
			case l.GeneratorLimited || strings.HasPrefix(l.Reason, "not judged"):
				v = l.Reason
			case !l.Pass:
				v = "FAIL: " + l.Reason
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t\n", num(l.RatePerS), num(l.AchievedPerS), ms(l.P50MS), ms(l.P99MS),
				strconv.FormatFloat(l.ErrorRate*100, 'f', 2, 64)+"%", l.Iterations, v)
		}
		tw.Flush()
		e.printf("Verdict: %s\n", c.Verdict)
	}
}

// mergeLevels merges the levels of n shards' runs (each in the order it
// ran, its Start already on the merged time line): levels of the same
// scenario and rate merge into one, offered at the shards' summed rate,
// from their merged histograms. A level not every shard ran (their
// searches diverged) is kept, not judged.
func mergeLevels(runs [][]*CapacityLevel, n int) []*CapacityLevel {
	type key struct {
		scenario string
		rate     string
	}
	var out []*CapacityLevel
	count := map[*CapacityLevel]int{}
	idx := map[key]*CapacityLevel{}
	for _, levels := range runs {
		for _, l := range levels {
			k := key{l.Scenario, strconv.FormatFloat(l.Rate, 'g', 9, 64)}
			m := idx[k]
			if m == nil {
				c := *l
				c.Rate, c.Stats = 0, NewLevelStats(0)
				c.Stats.windowEnd = l.Stats.windowEnd
				m = &c
				idx[k] = m
				out = append(out, m)
			}
			m.Rate += l.Rate
			m.Start, m.End = min(m.Start, l.Start), max(m.End, l.End)
			m.Stats.merge(l.Stats)
			if m.Limited == "" {
				m.Limited = l.Limited
			}
			if m.Cut == "" {
				m.Cut = l.Cut
			}
			count[m]++
		}
	}
	// Summed over shards: the spec's max rate too.
	maxRate := map[string]float64{}
	for _, levels := range runs {
		seen := map[string]bool{}
		for _, l := range levels {
			if !seen[l.Scenario] {
				seen[l.Scenario] = true
				maxRate[l.Scenario] += l.Spec.MaxRate
			}
		}
	}
	for _, m := range out {
		m.Spec.MaxRate = maxRate[m.Scenario]
		if c := count[m]; c < n {
			m.partial = fmt.Sprintf("%d of %d", c, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// merge adds o's samples to l (counting o's achieved iterations as they
// were counted against o's own window).
func (l *LevelStats) merge(o *LevelStats) {
	o.mu.Lock()
	defer o.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, op := range o.ops {
		m := l.op(name)
		m.lat.merge(op.lat)
		m.errs += op.errs
	}
	l.iters += o.iters
	l.achieved += o.achieved
}

// levelsByScenario groups levels by scenario, in the order they ran.
func levelsByScenario(levels []*CapacityLevel) map[string][]*CapacityLevel {
	m := map[string][]*CapacityLevel{}
	for _, l := range levels {
		m[l.Scenario] = append(m[l.Scenario], l)
	}
	return m
}

// The Q record's body: a level as JSON, with its histograms.
type levelWire struct {
	Scenario  string     `json:"scenario"`
	Rate      float64    `json:"rate"`
	StartUS   int64      `json:"start_us"`
	StepUS    int64      `json:"step_us"`
	EndUS     int64      `json:"end_us"`
	WindowUS  int64      `json:"window_us"`
	Limited   string     `json:"limited,omitempty"`
	Cut       string     `json:"cut,omitempty"`
	SLO       []ruleWire `json:"slo"`
	Abort     []ruleWire `json:"abort,omitempty"`
	Precision float64    `json:"precision"`
	MaxRate   float64    `json:"max_rate"`
	Iters     int64      `json:"iterations"`
	Achieved  int64      `json:"achieved"`
	Ops       []opWire   `json:"ops"`
}

type ruleWire struct {
	Key  string `json:"key"`
	Expr string `json:"expr"`
}

type opWire struct {
	Op      string   `json:"op"`
	Errors  int64    `json:"errors"`
	Latency statWire `json:"latency"`
}

// statWire is a stat with its exact moments and its histogram (HdrHistogram
// V2 compressed, base64).
type statWire struct {
	N       int64  `json:"n"`
	Sum     uint64 `json:"sum"`
	SqHi    uint64 `json:"sq_hi"`
	SqLo    uint64 `json:"sq_lo"`
	Min     int64  `json:"min"`
	Max     int64  `json:"max"`
	Clamped int64  `json:"clamped,omitempty"`
	Hist    string `json:"hist"`
}

func levelToWire(l *CapacityLevel) levelWire {
	st := l.Stats
	st.mu.Lock()
	defer st.mu.Unlock()
	w := levelWire{
		Scenario: l.Scenario, Rate: l.Rate, StartUS: l.Start.Microseconds(), StepUS: l.Step.Microseconds(),
		EndUS: l.End.Microseconds(), WindowUS: st.windowEnd, Limited: l.Limited, Cut: l.Cut,
		Precision: l.Spec.Precision, MaxRate: l.Spec.MaxRate, Iters: st.iters, Achieved: st.achieved,
		SLO: rulesToWire(l.Spec.SLO), Abort: rulesToWire(l.Spec.Abort),
	}
	for _, name := range sortedKeys(st.ops) {
		o := st.ops[name]
		h, _ := o.lat.encode()
		w.Ops = append(w.Ops, opWire{Op: name, Errors: o.errs, Latency: statWire{
			N: o.lat.n, Sum: o.lat.sum, SqHi: o.lat.sqHi, SqLo: o.lat.sqLo, Min: o.lat.min, Max: o.lat.max,
			Clamped: o.lat.clamped, Hist: h}})
	}
	return w
}

func rulesToWire(rs []Rule) []ruleWire {
	out := make([]ruleWire, len(rs))
	for i, r := range rs {
		out[i] = ruleWire{r.Key, r.Expr}
	}
	return out
}

func rulesFromWire(ws []ruleWire) ([]Rule, error) {
	out := make([]Rule, len(ws))
	for i, w := range ws {
		t, err := ParseThreshold(w.Expr)
		if err != nil {
			return nil, err
		}
		out[i] = Rule{Key: w.Key, Expr: w.Expr, T: t}
	}
	return out, nil
}

// levelFromWire decodes a Q record's body.
func levelFromWire(body []byte) (*CapacityLevel, error) {
	var w levelWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, err
	}
	slo, err := rulesFromWire(w.SLO)
	if err != nil {
		return nil, err
	}
	abort, err := rulesFromWire(w.Abort)
	if err != nil {
		return nil, err
	}
	st := &LevelStats{windowEnd: w.WindowUS, ops: make(map[string]*levelOp), iters: w.Iters, achieved: w.Achieved}
	for _, o := range w.Ops {
		h, err := hdrhistogram.DecodePacked([]byte(o.Latency.Hist))
		if err != nil {
			return nil, fmt.Errorf("level %s %g/s op %q: %w", w.Scenario, w.Rate, o.Op, err)
		}
		s := o.Latency
		st.ops[o.Op] = &levelOp{errs: o.Errors, lat: &stat{h: h, n: s.N, sum: s.Sum, sqHi: s.SqHi, sqLo: s.SqLo,
			min: s.Min, max: s.Max, clamped: s.Clamped}}
	}
	return &CapacityLevel{
		Scenario: w.Scenario, Rate: w.Rate, Start: time.Duration(w.StartUS) * time.Microsecond,
		Step: time.Duration(w.StepUS) * time.Microsecond, End: time.Duration(w.EndUS) * time.Microsecond,
		Limited: w.Limited, Cut: w.Cut, Stats: st,
		Spec: CapacitySpec{SLO: slo, Abort: abort, Precision: w.Precision, MaxRate: w.MaxRate},
	}, nil
}
