package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/results"
)

// CapacitySpec is a capacity scenario's search (executor: capacity): the
// scenario's Rate is the first level's, Duration its max_duration.
type CapacitySpec struct {
	MaxRate   float64
	Factor    float64 // 0: the engine's default (loadgen.DefaultCapacityFactor)
	Step      time.Duration
	Precision float64 // 0: the engine's default (loadgen.DefaultCapacityPrecision)
	Cooldown  time.Duration
	// SLO and Abort rules: keys are "*" (every op of the scenario) or a
	// step's label.
	SLO, Abort []results.Rule
}

// capacityFields are the fields only the capacity executor takes.
var capacityFields = []string{"max_rate", "factor", "step", "slo", "precision", "abort", "cooldown", "max_duration"}

// capacity decodes a capacity scenario's search into s.Capacity (and its
// max_duration into s.Duration); for any other executor it reports the
// capacity fields given as not used (relevant). It runs after the steps
// are decoded, so SLO keys can be checked against them.
func (d *decoder) capacity(f fields, s *ScenarioSpec, relevant func(string) bool) {
	c := &CapacitySpec{}
	ok := true
	for _, k := range capacityFields {
		ok = relevant(k) && ok
	}
	if !ok || s.Executor != loadgen.Capacity {
		return
	}
	if d.rate(f.get("max_rate"), f.at("max_rate"), &c.MaxRate) {
		d.rateLimit(f.get("max_rate"), f.at("max_rate"), c.MaxRate)
		if s.Rate > 0 && c.MaxRate < s.Rate {
			d.errorf(f.get("max_rate"), f.at("max_rate"), "%s/s is below rate (%s/s), where the search starts", formatRate(c.MaxRate), formatRate(s.Rate))
		}
	}
	if n := f.get("factor"); n != nil {
		if v, ok := d.scalar(n, f.at("factor"), "a number above 1 such as 1.5"); ok {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || !(x > 1) || x > 100 {
				d.errorf(n, f.at("factor"), "%q: want a number above 1 (and at most 100), such as 1.5: each level's rate is the last one's times factor", v)
			} else {
				c.Factor = x
			}
		}
	}
	if d.duration(f.get("step"), f.at("step"), &c.Step) && c.Step <= 0 {
		d.errorf(f.get("step"), f.at("step"), "must be more than 0, e.g. 10s: how long each level offers its rate")
	}
	if d.prob(f.get("precision"), f.at("precision"), &c.Precision) && !(c.Precision > 0 && c.Precision < 1) {
		d.errorf(f.get("precision"), f.at("precision"), "must be between 0%% and 100%%, e.g. 5%%: bisection stops when the bracket is within it")
	}
	d.duration(f.get("cooldown"), f.at("cooldown"), &c.Cooldown)
	if d.duration(f.get("max_duration"), f.at("max_duration"), &s.Duration) {
		d.durationLimit(f.get("max_duration"), f.at("max_duration"), s.Duration)
	}
	labels := stepLabels(s)
	c.SLO = d.capacityRules(f.get("slo"), f.at("slo"), labels)
	c.Abort = d.capacityRules(f.get("abort"), f.at("abort"), labels)
	s.Capacity = c
}

// stepLabels returns the labels of a scenario's steps (or mix).
func stepLabels(s *ScenarioSpec) []string {
	var out []string
	for _, st := range append(slices.Clip(s.Steps), s.Mix...) {
		if !slices.Contains(out, st.Name) {
			out = append(out, st.Name)
		}
	}
	return out
}

// capacityRules decodes slo: or abort: — one expression, a list of them
// (for every op of the scenario together), or a mapping from "*" or a
// step's label to one expression or a list.
func (d *decoder) capacityRules(n *yaml.Node, path string, labels []string) []results.Rule {
	r := resolve(n)
	if r == nil {
		return nil
	}
	var out []results.Rule
	exprs := func(key string, n *yaml.Node, path string) {
		items := []*yaml.Node{n}
		if x := resolve(n); x != nil && x.Kind == yaml.SequenceNode {
			items = x.Content
			if len(items) == 0 {
				d.errorf(x, path, `empty; want expressions such as ["p99 < 100ms", "error_rate < 1%%"]`)
			}
		}
		for i, en := range items {
			p := path
			if en != n {
				p = indexPath(path, i)
			}
			var expr string
			if !d.str(en, p, &expr) {
				if isNull(en) {
					d.errorf(en, p, `want an expression such as "p99 < 100ms"`)
				}
				continue
			}
			th, err := results.ParseThreshold(expr)
			if err != nil {
				var te *results.ThresholdError
				if errors.As(err, &te) {
					err = fmt.Errorf("%q: %s", te.Expr, te.Reason)
				}
				d.errorf(en, p, "%v", err)
				continue
			}
			out = append(out, results.Rule{Key: key, Expr: expr, T: th})
		}
	}
	if r.Kind != yaml.MappingNode {
		exprs("*", n, path)
		return out
	}
	for i := 0; i+1 < len(r.Content); i += 2 {
		kn, vn := resolve(r.Content[i]), r.Content[i+1]
		if kn == nil || kn.Kind != yaml.ScalarNode {
			d.errorf(r.Content[i], path, `keys are "*" or a step of the scenario`)
			continue
		}
		key := kn.Value
		if key != "*" && !slices.Contains(labels, key) {
			msg := fmt.Sprintf("no step of this scenario is called %q", key)
			if s := suggest(key, labels); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			d.errorf(kn, join(path, key), `%s; keys are "*" (every op together) or a step: %s`, msg, strings.Join(labels, ", "))
			continue
		}
		exprs(key, vn, join(path, key))
	}
	return out
}

// engine returns the engine's form of the search.
func (c *CapacitySpec) engine() *loadgen.CapacitySearch {
	if c == nil {
		return nil
	}
	return &loadgen.CapacitySearch{Factor: c.Factor, Step: c.Step, MaxRate: c.MaxRate, Precision: c.Precision,
		Cooldown: c.Cooldown, SLO: slices.Clone(c.SLO), Abort: slices.Clone(c.Abort)}
}
