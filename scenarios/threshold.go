package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ironcorelabs/loadgen/results"
)

// thresholds decodes the thresholds map: key → list of expressions (a
// single expression may stand for a list of one). Keys must name what the
// workload runs; expressions must parse.
//
// Keys are checked against w.Scenarios only when checkKeys is set (the
// scenarios decoded without error), so one mistake is not reported twice.
func (d *decoder) thresholds(n *yaml.Node, w *Workload, checkKeys bool) {
	m := resolve(n)
	if m == nil || m.Kind != yaml.MappingNode {
		d.errorf(n, "thresholds", `want a mapping of key to expressions, e.g. "*": ["error_rate < 5%%"]; got %s`, kindName(m))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn, vn := resolve(m.Content[i]), m.Content[i+1]
		if kn == nil || kn.Kind != yaml.ScalarNode {
			d.errorf(m.Content[i], "thresholds", "keys must be strings such as document_encrypt or \"*\"")
			continue
		}
		key := kn.Value
		path := "thresholds." + key
		if line, dup := seen[key]; dup {
			d.errorf(kn, path, "repeated; first given at line %d", line)
			continue
		}
		seen[key] = kn.Line
		if msg := checkThresholdKey(key, w.Scenarios); checkKeys && msg != "" {
			d.errorf(kn, path, "%s", msg)
		}
		exprs := []*yaml.Node{vn}
		if r := resolve(vn); r != nil && r.Kind == yaml.SequenceNode {
			exprs = r.Content
			if len(exprs) == 0 {
				d.errorf(vn, path, `empty; want expressions such as ["p(99) < 500ms"]`)
			}
		}
		for j, en := range exprs {
			p := path
			if len(exprs) > 1 || en != vn {
				p = indexPath(path, j)
			}
			var expr string
			if isNull(en) {
				d.errorf(en, p, `want an expression such as "p(99) < 500ms"`)
				continue
			}
			spec := ThresholdSpec{Key: key}
			exprNode := en
			if r := resolve(en); r != nil && r.Kind == yaml.MappingNode {
				// The long form: {threshold: EXPR, abort_on_fail: true, delay_abort_eval: 10s}.
				f, ok := d.mapping(r, p, []string{"threshold", "abort_on_fail", "delay_abort_eval"})
				if !ok {
					continue
				}
				exprNode = f.get("threshold")
				if exprNode == nil {
					d.errorf(r, f.at("threshold"), `required; want an expression such as "p(99) < 500ms"`)
					continue
				}
				d.boolean(f.get("abort_on_fail"), f.at("abort_on_fail"), &spec.AbortOnFail)
				if d.duration(f.get("delay_abort_eval"), f.at("delay_abort_eval"), &spec.AbortDelay) && !spec.AbortOnFail {
					d.errorf(f.get("delay_abort_eval"), f.at("delay_abort_eval"), "set without abort_on_fail: true; it delays the checks that abort a run")
				}
				p = f.at("threshold")
			}
			if !d.scalarOnly(exprNode, p, `an expression such as "p(99) < 500ms", or {threshold: EXPR, abort_on_fail: true}`) || !d.str(exprNode, p, &expr) {
				continue
			}
			th, err := results.ParseThreshold(expr)
			if err != nil {
				var te *results.ThresholdError
				if errors.As(err, &te) {
					err = fmt.Errorf("%q: %s", te.Expr, te.Reason) // the file names the field
				}
				d.errorf(exprNode, p, "%v", err)
				continue
			}
			r := resolve(exprNode)
			spec.Expr, spec.T, spec.Line, spec.Col = expr, th, r.Line, r.Column
			w.Thresholds = append(w.Thresholds, spec)
		}
	}
}

// checkThresholdKey returns what is wrong with a thresholds key, or "".
// Keys are "*", "op", "scenario/op", "scenario/*" or "op/phase", where op
// is a step's label (its name, else its op) and a phase is "kind:name".
func checkThresholdKey(key string, scs []ScenarioSpec) string {
	if key == "*" {
		return ""
	}
	var names, labels []string
	byScenario := map[string][]string{}
	for _, s := range scs {
		names = append(names, s.Name)
		for _, st := range append(slices.Clip(s.Steps), s.Mix...) {
			byScenario[s.Name] = append(byScenario[s.Name], st.Name)
			if !slices.Contains(labels, st.Name) {
				labels = append(labels, st.Name)
			}
		}
	}
	want := `; keys are "*", op, scenario/op, scenario/* or op/phase`
	unknown := func(what, got string, among []string) string {
		msg := fmt.Sprintf("no %s is called %q", what, got)
		if s := suggest(got, among); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		if len(among) > 0 {
			msg += " (" + what + "s: " + strings.Join(among, ", ") + ")"
		}
		return msg
	}
	head, rest, sub := strings.Cut(key, "/")
	switch {
	case !sub:
		if !slices.Contains(labels, key) {
			return unknown("step", key, labels) + want
		}
	case slices.Contains(names, head):
		if rest != "*" && !slices.Contains(byScenario[head], rest) {
			return unknown("step of scenario "+head, rest, byScenario[head]) + want
		}
	case slices.Contains(labels, head):
		if !strings.Contains(rest, ":") {
			return fmt.Sprintf("%q is not a phase; phases are kind:name such as crypto:pbkdf2 or http:device_add", rest) + want
		}
	default:
		msg := fmt.Sprintf("no scenario or step is called %q", head)
		if s := suggest(head, append(names, labels...)); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return msg + fmt.Sprintf(" (scenarios: %s; steps: %s)", strings.Join(names, ", "), strings.Join(labels, ", ")) + want
	}
	return ""
}

// Rules returns the workload's thresholds as results evaluates them, in
// file order.
func (w *Workload) Rules() []results.Rule {
	out := make([]results.Rule, 0, len(w.Thresholds))
	for _, t := range w.Thresholds {
		out = append(out, results.Rule{Key: t.Key, Expr: t.Expr, T: t.T})
	}
	return out
}

// AbortRules returns the thresholds that abort a run while it runs
// (abort_on_fail), each with the delay before it is first checked.
func (w *Workload) AbortRules() []AbortRule {
	var out []AbortRule
	for _, t := range w.Thresholds {
		if t.AbortOnFail {
			out = append(out, AbortRule{Rule: results.Rule{Key: t.Key, Expr: t.Expr, T: t.T}, Delay: t.AbortDelay})
		}
	}
	return out
}

// AbortRule is a threshold checked while the run goes on; a failure after
// Delay from the start stops the run.
type AbortRule struct {
	results.Rule
	Delay time.Duration
}
