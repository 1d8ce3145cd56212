package results

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Metric is what a threshold measures.
type Metric string

// The metrics of a threshold. Time metrics (p, med, mean, min, max,
// stddev) are in milliseconds; error_rate is a fraction 0..1; count is a
// number of samples; rate is samples per second over the run.
const (
	MetricPercentile Metric = "p" // with Threshold.Percentile: p(99)
	MetricMedian     Metric = "med"
	MetricMean       Metric = "mean"
	MetricMin        Metric = "min"
	MetricMax        Metric = "max"
	MetricStdDev     Metric = "stddev"
	MetricErrorRate  Metric = "error_rate"
	MetricCount      Metric = "count"
	MetricRate       Metric = "rate"
)

// Comparison is a threshold's operator.
type Comparison string

// The operators of a threshold.
const (
	CmpLess      Comparison = "<"
	CmpLessEq    Comparison = "<="
	CmpGreater   Comparison = ">"
	CmpGreaterEq Comparison = ">="
	CmpEqual     Comparison = "=="
	CmpNotEqual  Comparison = "!="
)

// Threshold is a parsed threshold expression such as "p(99) < 500ms": the
// measured Metric (Percentile for MetricPercentile), compared by Op with
// Value in the metric's unit.
type Threshold struct {
	Metric     Metric
	Percentile float64
	Op         Comparison
	Value      float64
}

// String returns the threshold in canonical form ("p(99) < 500ms").
func (t Threshold) String() string {
	m := string(t.Metric)
	if t.Metric == MetricPercentile {
		m = "p(" + strconv.FormatFloat(t.Percentile, 'f', -1, 64) + ")"
	}
	var v string
	switch t.Metric {
	case MetricErrorRate:
		v = strconv.FormatFloat(t.Value*100, 'f', -1, 64) + "%"
	case MetricCount, MetricRate:
		v = strconv.FormatFloat(t.Value, 'f', -1, 64)
	default:
		v = strconv.FormatFloat(t.Value, 'f', -1, 64) + "ms"
	}
	return m + " " + string(t.Op) + " " + v
}

// ThresholdError is an expression ParseThreshold refused: Reason says what
// is wrong and what would be right.
type ThresholdError struct {
	Expr   string
	Reason string
}

func (e *ThresholdError) Error() string {
	return fmt.Sprintf("results: threshold %q: %s", e.Expr, e.Reason)
}

const (
	allowedMetrics = "p(N) or pN with 0 < N ≤ 100, med, mean, avg, min, max, stddev, error_rate, count or rate"
	allowedOps     = "<, <=, >, >=, == or !="
)

// ParseThreshold parses "METRIC OP VALUE". Metrics: p(N) (also written pN:
// p99, p99.9), med, mean (or avg), min, max and stddev take a Go duration
// ("500ms", "1.5s"; a bare number is milliseconds); error_rate takes a
// percentage ("1%") or a fraction ("0.01"); count takes a number of
// samples; rate a number per second ("50" or "50/s"). Operators: < <= > >=
// == !=. Errors are *ThresholdError.
func ParseThreshold(expr string) (Threshold, error) {
	bad := func(format string, a ...any) (Threshold, error) {
		return Threshold{}, &ThresholdError{Expr: expr, Reason: fmt.Sprintf(format, a...)}
	}
	i, op := findOp(expr)
	if i < 0 {
		return bad("no comparison; want METRIC OP VALUE with OP one of %s", allowedOps)
	}
	left, right := strings.TrimSpace(expr[:i]), strings.TrimSpace(expr[i+len(op):])
	if strings.ContainsAny(right, "<>=!") {
		return bad("more than one comparison; want METRIC OP VALUE with OP one of %s", allowedOps)
	}
	t := Threshold{Op: Comparison(op)}
	switch l := strings.ToLower(left); {
	case l == "mean" || l == "avg":
		t.Metric = MetricMean
	case l == "med" || l == "min" || l == "max" || l == "stddev" || l == "error_rate" || l == "count" || l == "rate":
		t.Metric = Metric(l)
	case strings.HasPrefix(l, "p") && len(l) > 1:
		n := l[1:]
		if strings.HasPrefix(n, "(") && strings.HasSuffix(n, ")") {
			n = n[1 : len(n)-1]
		} else if n[0] < '0' || n[0] > '9' {
			return bad("unknown metric %q; want one of %s", left, allowedMetrics)
		}
		p, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err != nil || !(p > 0 && p <= 100) {
			return bad("percentile %q: want p(N) or pN with 0 < N ≤ 100, such as p(99), p99 or p(99.9)", left)
		}
		t.Metric, t.Percentile = MetricPercentile, p
	case left == "":
		return bad("no metric before %q; want one of %s", op, allowedMetrics)
	default:
		return bad("unknown metric %q; want one of %s", left, allowedMetrics)
	}
	if right == "" {
		return bad("no value after %q", op)
	}
	switch t.Metric {
	case MetricErrorRate:
		v, pct := strings.CutSuffix(right, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if pct {
			f /= 100
		}
		if err != nil || f < 0 || f > 1 {
			return bad("error_rate value %q: want a percentage such as 1%% or a fraction such as 0.01, between 0 and 1", right)
		}
		t.Value = f
	case MetricCount, MetricRate:
		v := right
		if t.Metric == MetricRate {
			v = strings.TrimSpace(strings.TrimSuffix(v, "/s"))
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return bad("%s value %q: want a number ≥ 0", t.Metric, right)
		}
		t.Value = f
	default:
		ms, err := parseMS(right)
		if err != nil || ms < 0 {
			return bad("%s value %q: want a duration ≥ 0 such as 500ms or 1.5s (a bare number is milliseconds)", left, right)
		}
		t.Value = ms
	}
	return t, nil
}

// findOp returns the index and text of the first comparison operator in s.
func findOp(s string) (int, string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '>', '=', '!':
			if i+1 < len(s) && s[i+1] == '=' {
				return i, s[i : i+2]
			}
			if s[i] == '<' || s[i] == '>' {
				return i, s[i : i+1]
			}
			return -1, ""
		}
	}
	return -1, ""
}

// parseMS parses a Go duration or a bare number of milliseconds.
func parseMS(s string) (float64, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	return durMS(d), nil
}

// holds reports whether v satisfies t.
func (t Threshold) holds(v float64) bool {
	switch t.Op {
	case CmpLess:
		return v < t.Value
	case CmpLessEq:
		return v <= t.Value
	case CmpGreater:
		return v > t.Value
	case CmpGreaterEq:
		return v >= t.Value
	case CmpEqual:
		return v == t.Value
	case CmpNotEqual:
		return v != t.Value
	}
	return false
}

// Rule is one threshold of the workload: a key naming what it applies to
// and the expression, parsed into T.
//
// Keys: "op" (that op in every scenario, taken together), "scenario/op",
// "scenario/*" (every op of the scenario together), "op/phase" (a phase
// name has a colon: "generate_device/crypto:pbkdf2") and "*" (every op).
type Rule struct {
	Key, Expr string
	T         Threshold
}

// Why a rule could not be measured.
var (
	ErrNoHistograms   = errors.New("summary holds no histograms to evaluate") // one decoded from JSON
	ErrNoSamples      = errors.New("no samples")
	ErrNoDuration     = errors.New("the run has no duration to compute a rate over")
	ErrPhaseErrorRate = errors.New("phases have no errors: error_rate applies to op keys")
)

// KeyError is a rule whose key matches nothing measured.
type KeyError struct {
	Key      string
	Measured []string // the measured scenario/op pairs, sorted
}

func (e *KeyError) Error() string {
	ns := e.Measured
	if len(ns) > 10 {
		ns = append(slices.Clip(ns[:10]), "…")
	}
	names := strings.Join(ns, ", ")
	if len(ns) == 0 {
		names = "nothing"
	}
	return fmt.Sprintf("key %q matches nothing measured (measured: %s); keys are op, scenario/op, scenario/*, op/kind:phase or *", e.Key, names)
}

// Violation is a rule whose measured Value does not satisfy its threshold.
type Violation struct {
	Key   string
	T     Threshold
	Value float64 // in T's unit
}

func (e *Violation) Error() string {
	return fmt.Sprintf("%s is %s, not %s %s", e.Key, formatValue(e.T, e.Value), e.T.Op, formatValue(e.T, e.T.Value))
}

// ThresholdResult is the verdict on one Rule. Value is what was measured,
// in the threshold's unit (milliseconds, a fraction, a count or a rate).
type ThresholdResult struct {
	Key   string  `json:"key"`
	Expr  string  `json:"expr"`
	OK    bool    `json:"ok"`
	Value float64 `json:"value"`
	// Err, not in summary.json, says why a rule failed: a *Violation when
	// the value was measured, else why it could not be (a *KeyError,
	// ErrNoSamples, ...). It is nil when OK.
	Err error `json:"-"`
}

// Measured reports whether the metric could be computed; a result that is
// not OK and not Measured failed for want of data (no samples yet, a key
// that matches nothing), not on its value.
func (r ThresholdResult) Measured() bool {
	var v *Violation
	return r.OK || errors.As(r.Err, &v)
}

// Message returns why the rule failed, or "".
func (r ThresholdResult) Message() string {
	if r.Err == nil {
		return ""
	}
	return r.Err.Error()
}

// String returns one line: "ok   key: expr (value v)", or for a failure
// "FAIL key: expr (value v): why".
func (r ThresholdResult) String() string {
	verdict := "ok  "
	if !r.OK {
		verdict = "FAIL"
	}
	s := fmt.Sprintf("%s %s: %s (value %g)", verdict, r.Key, r.Expr, r.Value)
	if !r.OK && r.Err != nil {
		s += ": " + r.Err.Error()
	}
	return s
}

// Evaluate checks each rule against the summary, stores the results in
// s.Thresholds and returns them. A key that matches nothing fails, as does
// every rule on a Summary without histograms (one decoded from JSON). Time
// metrics of op keys use the latency; of phase keys, the phase's length.
func (s *Summary) Evaluate(rules []Rule) []ThresholdResult {
	out := make([]ThresholdResult, 0, len(rules))
	for _, rule := range rules {
		res := ThresholdResult{Key: rule.Key, Expr: rule.Expr}
		v, err := s.measure(rule)
		switch {
		case err != nil:
			res.Err = err
		case rule.T.holds(v):
			res.Value, res.OK = v, true
		default:
			res.Value, res.Err = v, &Violation{Key: rule.Key, T: rule.T, Value: v}
		}
		out = append(out, res)
	}
	s.Thresholds = out
	return out
}

// measure computes the metric of rule's threshold over what its key names.
func (s *Summary) measure(rule Rule) (float64, error) {
	if s.data == nil {
		return 0, ErrNoHistograms
	}
	sel, n, errs, phase, err := s.data.selectKey(rule.Key)
	if err != nil {
		return 0, err
	}
	return metricValue(rule.T, sel, n, errs, phase, s.data.durationS)
}

// metricValue computes t's metric from a merged stat.
func metricValue(t Threshold, st *stat, n, errs int64, phase bool, durationS float64) (float64, error) {
	switch t.Metric {
	case MetricPercentile:
		return usToMS(st.percentileUS(t.Percentile)), nil
	case MetricMedian:
		return usToMS(st.percentileUS(50)), nil
	case MetricMean:
		return st.mean() / 1000, nil
	case MetricMin:
		return usToMS(st.min), nil
	case MetricMax:
		return usToMS(st.max), nil
	case MetricStdDev:
		return st.stddev() / 1000, nil
	case MetricCount:
		return float64(n), nil
	case MetricRate:
		if durationS <= 0 {
			return 0, ErrNoDuration
		}
		return float64(n) / durationS, nil
	case MetricErrorRate:
		if phase {
			return 0, ErrPhaseErrorRate
		}
		if n == 0 {
			return 0, ErrNoSamples
		}
		return float64(errs) / float64(n), nil
	}
	return 0, fmt.Errorf("unknown metric %q", t.Metric)
}

// formatValue renders v in t's unit.
func formatValue(t Threshold, v float64) string {
	switch t.Metric {
	case MetricErrorRate:
		return strconv.FormatFloat(v*100, 'g', 4, 64) + "%"
	case MetricCount:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case MetricRate:
		return strconv.FormatFloat(v, 'f', 2, 64) + "/s"
	}
	return strconv.FormatFloat(v, 'f', 3, 64) + "ms"
}

// selectKey merges what key names: the latency (or phase) stat, the sample
// count and errors; a *KeyError when the key matches nothing.
func (d *snapshot) selectKey(key string) (st *stat, n, errs int64, phase bool, err error) {
	st = newStat()
	add := func(o *opRec) {
		st.merge(o.latency)
		n += o.latency.n
		errs += o.errors
	}
	matched := 0
	a, b, slash := strings.Cut(key, "/")
	switch {
	case key == "*":
		for _, o := range d.ops {
			add(o)
			matched++
		}
	case slash && b == "*":
		for k, o := range d.ops {
			if k.scenario == a {
				add(o)
				matched++
			}
		}
	case slash && strings.Contains(b, ":"):
		phase = true
		for k, o := range d.ops {
			if p := o.phases[b]; k.op == a && p != nil {
				st.merge(p)
				n += p.n
				matched++
			}
		}
	case slash:
		if o := d.ops[opKey{a, b}]; o != nil {
			add(o)
			matched++
		}
	default:
		for k, o := range d.ops {
			if k.op == key {
				add(o)
				matched++
			}
		}
	}
	if matched == 0 {
		err = &KeyError{Key: key, Measured: d.names()}
	}
	return st, n, errs, phase, err
}

// names lists the measured scenario/op pairs, sorted.
func (d *snapshot) names() []string {
	ns := make([]string, 0, len(d.ops))
	for k := range d.ops {
		ns = append(ns, k.scenario+"/"+k.op)
	}
	sort.Strings(ns)
	return ns
}
