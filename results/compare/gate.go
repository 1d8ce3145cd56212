package compare

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Rule is one regression gate, written "[op:]metric(>|<)[+|-]limit[unit]"
// (a percentile also as in thresholds: p(99) is p99):
//
//	p99>+10%           an op's p99 rose by more than 10%
//	error_rate>+0.5pp  an op's error rate rose by more than 0.5 percentage points
//	p50>+5ms           an op's median rose by more than 5 ms
//	throughput<-10%    an op's throughput fell by more than 10%
//	document_encrypt:mean>+20%   only that op; "(all)" is all ops together
//
// Metrics are those of Metrics. Units: % (relative to the baseline, for
// every metric), pp (error_rate only), ms (latency metrics only), or none
// (the metric's own unit: a count, operations per second, or ms).
//
// A rule without an op applies to every op found on both sides. A rule on
// p50 or p99 does not fail while the verdict for that quantile reads "no
// significant difference": a change within the noise is not a regression.
type Rule struct {
	Op     string // "" for every op
	Metric string
	Less   bool // the rule is "<": fail when the change is below Limit
	Limit  float64
	Unit   string // "%", "pp", "ms" or ""
	text   string
}

// String returns the rule as written.
func (r Rule) String() string { return r.text }

var ruleRE = regexp.MustCompile(`^(?:(.+):)?([a-z_0-9.]+|p\(\s*[0-9.]+\s*\))\s*([<>])\s*([+-]?[0-9]*\.?[0-9]+)\s*(%|pp|ms)?$`)

// percentileRE matches a percentile written as in thresholds, p(99), which
// is the same metric as p99.
var percentileRE = regexp.MustCompile(`^p\(\s*([0-9.]+)\s*\)$`)

// ParseRule parses a rule written as described at Rule.
func ParseRule(s string) (Rule, error) {
	m := ruleRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Rule{}, fmt.Errorf("compare: gate %q is not [op:]metric(>|<)[+|-]limit[%%|pp|ms], e.g. 'p99>+10%%'", s)
	}
	r := Rule{Op: m[1], Metric: m[2], Less: m[3] == "<", Unit: m[5], text: strings.TrimSpace(s)}
	if p := percentileRE.FindStringSubmatch(r.Metric); p != nil {
		r.Metric = "p" + p[1]
	}
	if !slices.Contains(Metrics(), r.Metric) {
		return Rule{}, fmt.Errorf("compare: gate %q: unknown metric %q (metrics: %s)", s, r.Metric, strings.Join(Metrics(), ", "))
	}
	v, err := strconv.ParseFloat(m[4], 64)
	if err != nil {
		return Rule{}, fmt.Errorf("compare: gate %q: %w", s, err)
	}
	r.Limit = v
	latency := !slices.Contains([]string{"count", "errors", "error_rate", "throughput"}, r.Metric)
	switch {
	case r.Unit == "pp" && r.Metric != "error_rate":
		return Rule{}, fmt.Errorf("compare: gate %q: pp (percentage points) is for error_rate only", s)
	case r.Unit == "ms" && !latency:
		return Rule{}, fmt.Errorf("compare: gate %q: ms is for latency metrics only", s)
	case r.Unit == "" && r.Metric == "error_rate":
		return Rule{}, fmt.Errorf("compare: gate %q: give error_rate limits in pp or %%", s)
	}
	return r, nil
}

// Failure is one rule that failed on one op.
type Failure struct {
	Rule    string `json:"rule"`
	Op      string `json:"op"`
	Message string `json:"message"`
}

// Gate checks rules against c and returns the failures, in rule then row
// order. A rule naming an op that is not on both sides fails: a gate must
// not pass because its op vanished.
func Gate(c *Comparison, rules []Rule) []Failure {
	var out []Failure
	for _, r := range rules {
		matched := false
		for _, row := range c.Rows {
			if r.Op == "" && row.Op == TotalName || r.Op != "" && r.Op != row.Op {
				continue
			}
			if row.Baseline == nil || row.Candidate == nil {
				if r.Op != "" {
					out = append(out, Failure{Rule: r.text, Op: row.Op, Message: "op missing on one side"})
					matched = true
				}
				continue
			}
			matched = true
			if msg, failed := r.check(row); failed {
				out = append(out, Failure{Rule: r.text, Op: row.Op, Message: msg})
			}
		}
		if r.Op != "" && !matched {
			out = append(out, Failure{Rule: r.text, Op: r.Op, Message: "no such op in either run"})
		}
	}
	return out
}

// check evaluates r on one row present on both sides.
func (r Rule) check(row Row) (string, bool) {
	b, c := row.Baseline.Value(r.Metric), row.Candidate.Value(r.Metric)
	if math.IsNaN(b) || math.IsNaN(c) {
		return "", false
	}
	var change float64
	unit := r.Unit
	switch r.Unit {
	case "%":
		if b == 0 {
			if c == 0 {
				return "", false
			}
			change = math.Inf(1)
			if c < 0 {
				change = math.Inf(-1)
			}
		} else {
			change = (c - b) / math.Abs(b) * 100
		}
	case "pp":
		change = (c - b) * 100
	default:
		change = c - b
	}
	failed := change > r.Limit
	if r.Less {
		failed = change < r.Limit
	}
	if !failed {
		return "", false
	}
	for _, v := range row.Verdicts {
		if v.Metric == r.Metric && v.Result == ResultSame {
			return "", false
		}
	}
	return fmt.Sprintf("%s %s → %s (%+.4g%s, limit %+g%s)", r.Metric, fmtValue(r.Metric, b), fmtValue(r.Metric, c), change, unit, r.Limit, unit), true
}

// fmtValue formats a metric's value with its unit.
func fmtValue(metric string, v float64) string {
	switch metric {
	case "count", "errors":
		return strconv.FormatFloat(v, 'f', -1, 64)
	case "error_rate":
		return fmt.Sprintf("%.3g%%", v*100)
	case "throughput":
		return fmt.Sprintf("%.4g/s", v)
	}
	return fmtMS(v)
}

// fmtMS formats milliseconds with precision fit to their size.
func fmtMS(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0fms", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

// ErrNoSamples is wrapped by CheckGate's error for a run without samples.
var ErrNoSamples = errors.New("no samples")

// CheckGate returns an error, wrapping ErrNoSamples, when rules are given
// and one of runs is Empty: the rules would find nothing to fail on, and a
// gate that passes on no data is a CI check that checks nothing.
func CheckGate(runs []*Run, rules []Rule) error {
	if len(rules) == 0 {
		return nil
	}
	for _, r := range runs {
		if r.Empty() {
			return fmt.Errorf("compare: %s: %w: a --fail-on gate cannot pass or fail a run without data", r.Source, ErrNoSamples)
		}
	}
	return nil
}
