package results

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Threshold is a parsed threshold expression such as "p(99) < 500ms".
//
// Metric is one of p (with Percentile), med, mean, min, max, stddev (times,
// Value in milliseconds), error_rate (Value a fraction 0..1), count (samples)
// and rate (samples per second over the run). Op is one of < <= > >= == !=.
type Threshold struct {
	Metric     string
	Percentile float64
	Op         string
	Value      float64
}

// String returns the threshold in canonical form ("p(99) < 500ms").
func (t Threshold) String() string {
	m := t.Metric
	if m == "p" {
		m = "p(" + strconv.FormatFloat(t.Percentile, 'f', -1, 64) + ")"
	}
	var v string
	switch t.Metric {
	case "error_rate":
		v = strconv.FormatFloat(t.Value*100, 'f', -1, 64) + "%"
	case "count", "rate":
		v = strconv.FormatFloat(t.Value, 'f', -1, 64)
	default:
		v = strconv.FormatFloat(t.Value, 'f', -1, 64) + "ms"
	}
	return m + " " + t.Op + " " + v
}

const (
	allowedMetrics = "p(N) with 0 < N ≤ 100, med, mean, avg, min, max, stddev, error_rate, count or rate"
	allowedOps     = "<, <=, >, >=, == or !="
)

// ParseThreshold parses "METRIC OP VALUE". Metrics: p(N), med, mean (or
// avg), min, max and stddev take a Go duration ("500ms", "1.5s"; a bare
// number is milliseconds); error_rate takes a percentage ("1%") or a fraction
// ("0.01"); count takes a number of samples; rate a number per second ("50"
// or "50/s"). Operators: < <= > >= == !=.
func ParseThreshold(expr string) (Threshold, error) {
	bad := func(format string, a ...any) (Threshold, error) {
		return Threshold{}, fmt.Errorf("results: threshold %q: %s", expr, fmt.Sprintf(format, a...))
	}
	i, op := findOp(expr)
	if i < 0 {
		return bad("no comparison; want METRIC OP VALUE with OP one of %s", allowedOps)
	}
	left, right := strings.TrimSpace(expr[:i]), strings.TrimSpace(expr[i+len(op):])
	if strings.ContainsAny(right, "<>=!") {
		return bad("more than one comparison; want METRIC OP VALUE with OP one of %s", allowedOps)
	}
	t := Threshold{Op: op}
	switch l := strings.ToLower(left); {
	case l == "mean" || l == "avg":
		t.Metric = "mean"
	case l == "med" || l == "min" || l == "max" || l == "stddev" || l == "error_rate" || l == "count" || l == "rate":
		t.Metric = l
	case strings.HasPrefix(l, "p(") && strings.HasSuffix(l, ")"):
		p, err := strconv.ParseFloat(strings.TrimSpace(l[2:len(l)-1]), 64)
		if err != nil || !(p > 0 && p <= 100) {
			return bad("percentile %q: want p(N) with 0 < N ≤ 100, such as p(99) or p(99.9)", left)
		}
		t.Metric, t.Percentile = "p", p
	case left == "":
		return bad("no metric before %q; want one of %s", op, allowedMetrics)
	default:
		return bad("unknown metric %q; want one of %s", left, allowedMetrics)
	}
	if right == "" {
		return bad("no value after %q", op)
	}
	switch t.Metric {
	case "error_rate":
		v, pct := strings.CutSuffix(right, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if pct {
			f /= 100
		}
		if err != nil || f < 0 || f > 1 {
			return bad("error_rate value %q: want a percentage such as 1%% or a fraction such as 0.01, between 0 and 1", right)
		}
		t.Value = f
	case "count", "rate":
		v := right
		if t.Metric == "rate" {
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
	case "<":
		return v < t.Value
	case "<=":
		return v <= t.Value
	case ">":
		return v > t.Value
	case ">=":
		return v >= t.Value
	case "==":
		return v == t.Value
	case "!=":
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

// ThresholdResult is the verdict on one Rule. Value is what was measured,
// in the threshold's unit (milliseconds, a fraction, a count or a rate).
// Message, not in summary.json, says why a rule failed.
type ThresholdResult struct {
	Key     string  `json:"key"`
	Expr    string  `json:"expr"`
	OK      bool    `json:"ok"`
	Value   float64 `json:"value"`
	Message string  `json:"-"`
	// Measured reports whether the metric could be computed; a result
	// that is not OK and not Measured failed for want of data (no samples
	// yet, a key that matches nothing), not on its value.
	Measured bool `json:"-"`
}

// String returns one line: "ok   key: expr (value v)", or for a failure
// "FAIL key: expr (value v): why".
func (r ThresholdResult) String() string {
	verdict := "ok  "
	if !r.OK {
		verdict = "FAIL"
	}
	s := fmt.Sprintf("%s %s: %s (value %g)", verdict, r.Key, r.Expr, r.Value)
	if !r.OK && r.Message != "" {
		s += ": " + r.Message
	}
	return s
}

// Failed reports whether any result failed.
func Failed(rs []ThresholdResult) bool {
	for _, r := range rs {
		if !r.OK {
			return true
		}
	}
	return false
}

// Evaluate checks each rule against the summary, stores the results in
// s.Thresholds and returns them. A key that matches nothing fails, as does
// every rule on a Summary without histograms (one decoded from JSON). Time
// metrics of op keys use the latency; of phase keys, the phase's length.
func (s *Summary) Evaluate(rules []Rule) []ThresholdResult {
	out := make([]ThresholdResult, 0, len(rules))
	for _, rule := range rules {
		res := ThresholdResult{Key: rule.Key, Expr: rule.Expr}
		if s.data == nil {
			res.Message = "summary holds no histograms to evaluate"
			out = append(out, res)
			continue
		}
		sel, n, errs, phase, msg := s.data.selectKey(rule.Key)
		if msg != "" {
			res.Message = msg
			out = append(out, res)
			continue
		}
		v, msg := metricValue(rule.T, sel, n, errs, phase, s.data.durationS)
		if msg != "" {
			res.Message = msg
			out = append(out, res)
			continue
		}
		res.Value, res.OK, res.Measured = v, rule.T.holds(v), true
		if !res.OK {
			res.Message = fmt.Sprintf("%s is %s, not %s %s", rule.Key, formatValue(rule.T, v), rule.T.Op, formatValue(rule.T, rule.T.Value))
		}
		out = append(out, res)
	}
	s.Thresholds = out
	return out
}

// metricValue computes t's metric from a merged stat.
func metricValue(t Threshold, st *stat, n, errs int64, phase bool, durationS float64) (float64, string) {
	switch t.Metric {
	case "p":
		return usToMS(st.percentileUS(t.Percentile)), ""
	case "med":
		return usToMS(st.percentileUS(50)), ""
	case "mean":
		return st.mean() / 1000, ""
	case "min":
		return usToMS(st.min), ""
	case "max":
		return usToMS(st.max), ""
	case "stddev":
		return st.stddev() / 1000, ""
	case "count":
		return float64(n), ""
	case "rate":
		if durationS <= 0 {
			return 0, "the run has no duration to compute a rate over"
		}
		return float64(n) / durationS, ""
	case "error_rate":
		if phase {
			return 0, "phases have no errors: error_rate applies to op keys"
		}
		if n == 0 {
			return 0, "no samples"
		}
		return float64(errs) / float64(n), ""
	}
	return 0, fmt.Sprintf("unknown metric %q", t.Metric)
}

// formatValue renders v in t's unit.
func formatValue(t Threshold, v float64) string {
	switch t.Metric {
	case "error_rate":
		return strconv.FormatFloat(v*100, 'g', 4, 64) + "%"
	case "count":
		return strconv.FormatFloat(v, 'f', -1, 64)
	case "rate":
		return strconv.FormatFloat(v, 'f', 2, 64) + "/s"
	}
	return strconv.FormatFloat(v, 'f', 3, 64) + "ms"
}

// selectKey merges what key names: the latency (or phase) stat, the sample
// count and errors. msg is non-empty when the key matches nothing.
func (d *snapshot) selectKey(key string) (st *stat, n, errs int64, phase bool, msg string) {
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
		msg = fmt.Sprintf("key %q matches nothing measured (measured: %s); keys are op, scenario/op, scenario/*, op/kind:phase or *",
			key, d.names())
	}
	return st, n, errs, phase, msg
}

// names lists the measured scenario/op pairs, for error messages.
func (d *snapshot) names() string {
	ns := make([]string, 0, len(d.ops))
	for k := range d.ops {
		ns = append(ns, k.scenario+"/"+k.op)
	}
	sort.Strings(ns)
	if len(ns) == 0 {
		return "nothing"
	}
	if len(ns) > 10 {
		ns = append(ns[:10], "…")
	}
	return strings.Join(ns, ", ")
}
