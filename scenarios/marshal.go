package scenarios

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// Marshal returns w as a workload file in canonical form: every setting
// spelled out (defaults included), values already expanded (a literal ${ is
// written $${), rates per second, sizes in bytes. Parsing the result gives
// back w except for File, SHA256 and positions, so a run folder can keep
// exactly what ran, overrides and all.
func (w *Workload) Marshal() ([]byte, error) {
	top := mapNode()
	add(top, "name", str(w.Name))
	add(top, "target", targetNode(&w.Target))
	if w.Identity != (Identity{}) {
		m := mapNode()
		addStr(m, "config", w.Identity.Config)
		addStr(m, "key_file", w.Identity.KeyFile)
		add(top, "identity", m)
	}
	if w.Setup != (Setup{}) {
		m := mapNode()
		add(m, "users", num(int64(w.Setup.Users)))
		add(m, "groups", num(int64(w.Setup.Groups)))
		add(m, "documents", num(int64(w.Setup.Documents)))
		addStr(m, "from", w.Setup.From)
		add(top, "setup", m)
	}
	add(top, "teardown", boolean(w.Teardown))
	scs := seqNode()
	for i := range w.Scenarios {
		scs.Content = append(scs.Content, scenarioNode(&w.Scenarios[i]))
	}
	add(top, "scenarios", scs)
	if len(w.Thresholds) > 0 {
		th := mapNode()
		byKey := map[string]*yaml.Node{}
		for _, t := range w.Thresholds {
			list, ok := byKey[t.Key]
			if !ok {
				list = seqNode()
				list.Style = yaml.FlowStyle
				byKey[t.Key] = list
				add(th, t.Key, list)
			}
			if t.AbortOnFail {
				long := mapNode()
				add(long, "threshold", str(t.Expr))
				add(long, "abort_on_fail", boolean(true))
				if t.AbortDelay > 0 {
					add(long, "delay_abort_eval", str(t.AbortDelay.String()))
				}
				list.Content = append(list.Content, long)
				continue
			}
			list.Content = append(list.Content, str(t.Expr))
		}
		add(top, "thresholds", th)
	}
	out := mapNode()
	add(out, "dir", str(w.Output.Dir))
	add(top, "output", out)

	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(top); err != nil {
		return nil, fmt.Errorf("scenarios: marshal %s: %w", w.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("scenarios: marshal %s: %w", w.Name, err)
	}
	return b.Bytes(), nil
}

func targetNode(t *Target) *yaml.Node {
	m := mapNode()
	add(m, "url", str(t.URL))
	add(m, "timeout", dur(t.Timeout))
	add(m, "connections", str(t.Connections))
	if t.MaxRate > 0 {
		add(m, "max_rate", str(formatRate(t.MaxRate)))
	}
	if t.MaxWorkers > 0 {
		add(m, "max_workers", num(int64(t.MaxWorkers)))
	}
	if t.TLS != (TLS{}) {
		tls := mapNode()
		addStr(tls, "ca_file", t.TLS.CAFile)
		add(tls, "insecure_skip_verify", boolean(t.TLS.InsecureSkipVerify))
		add(m, "tls", tls)
	}
	add(m, "http2", str(t.HTTP2))
	if len(t.Faults) > 0 {
		fs := seqNode()
		for _, f := range t.Faults {
			fs.Content = append(fs.Content, faultNode(f))
		}
		add(m, "faults", fs)
	}
	return m
}

func faultNode(f Fault) *yaml.Node {
	m := mapNode()
	add(m, "route", str(f.Route))
	if l := f.Latency; l != nil {
		lm := mapNode()
		lm.Style = yaml.FlowStyle
		add(lm, "dist", str(l.Dist))
		for _, p := range []struct {
			name string
			v    time.Duration
			in   []string
		}{
			{"fixed", l.Fixed, []string{DistFixed}},
			{"min", l.Min, []string{DistUniform}}, {"max", l.Max, []string{DistUniform}},
			{"mean", l.Mean, []string{DistNormal}}, {"stddev", l.StdDev, []string{DistNormal}},
			{"median", l.Median, []string{DistLognormal}}, {"p99", l.P99, []string{DistLognormal}},
		} {
			if slices.Contains(p.in, l.Dist) {
				add(lm, p.name, dur(p.v))
			}
		}
		add(m, "latency", lm)
	}
	if f.ErrorRate > 0 || f.Status != 0 || f.RetryAfter != 0 {
		add(m, "error_rate", float(f.ErrorRate))
		if f.Status != 0 {
			add(m, "status", num(int64(f.Status)))
		}
		if f.RetryAfter != 0 {
			add(m, "retry_after", dur(f.RetryAfter))
		}
	}
	if f.Reset > 0 {
		add(m, "reset", float(f.Reset))
	}
	if f.Stall != 0 || f.StallAfter != 0 {
		add(m, "stall", dur(f.Stall))
		if f.StallAfter != 0 {
			add(m, "stall_after", dur(f.StallAfter))
		}
	}
	return m
}

func scenarioNode(s *ScenarioSpec) *yaml.Node {
	m := mapNode()
	add(m, "name", str(s.Name))
	add(m, "executor", str(string(s.Executor)))
	takes, _ := executorFields(s.Executor)
	for _, f := range takes {
		switch f {
		case "workers":
			add(m, f, num(int64(s.Workers)))
		case "max_workers":
			add(m, f, num(int64(s.MaxWorkers)))
		case "rate":
			add(m, f, str(formatRate(s.Rate)))
		case "start_rate":
			add(m, f, str(formatRate(s.StartRate)))
		case "duration":
			if s.Duration != 0 || s.Executor == loadgen.ConstantWorkers || s.Executor == loadgen.ConstantRate {
				add(m, f, dur(s.Duration))
			}
		case "iterations":
			add(m, f, num(s.Iterations))
		case "think_time":
			add(m, f, dur(s.ThinkTime))
		case "max_lateness":
			add(m, f, dur(s.MaxLateness))
		case "stages":
			st := seqNode()
			for _, g := range s.Stages {
				gm := mapNode()
				gm.Style = yaml.FlowStyle
				add(gm, "duration", dur(g.Duration))
				if s.Executor == loadgen.RampingRate {
					add(gm, "target", str(formatRate(g.Target)))
				} else {
					add(gm, "target", num(int64(g.Target)))
				}
				st.Content = append(st.Content, gm)
			}
			add(m, f, st)
		}
	}
	add(m, "start_after", dur(s.StartAfter))
	add(m, "graceful_stop", dur(s.GracefulStop))
	if len(s.Mix) > 0 {
		add(m, "mix", stepsNode(s.Mix, true))
	} else {
		add(m, "steps", stepsNode(s.Steps, false))
	}
	return m
}

func stepsNode(steps []StepSpec, mix bool) *yaml.Node {
	seq := seqNode()
	for _, st := range steps {
		m := mapNode()
		add(m, "op", str(st.Op))
		if st.Name != st.Op {
			add(m, "name", str(st.Name))
		}
		if mix {
			add(m, "weight", num(int64(st.Weight)))
		}
		keys := make([]string, 0, len(st.Args))
		for k := range st.Args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add(m, k, argNode(st.Args[k]))
		}
		seq.Content = append(seq.Content, m)
	}
	return seq
}

// argNode writes an op argument of one of the ops.FieldKind Go types.
func argNode(v any) *yaml.Node {
	switch v := v.(type) {
	case string:
		return str(v)
	case int64:
		return num(v)
	case bool:
		return boolean(v)
	case time.Duration:
		return dur(v)
	case []string:
		s := seqNode()
		s.Style = yaml.FlowStyle
		for _, x := range v {
			s.Content = append(s.Content, str(x))
		}
		return s
	case []int64:
		s := seqNode()
		s.Style = yaml.FlowStyle
		for _, x := range v {
			s.Content = append(s.Content, num(x))
		}
		return s
	case map[string]string:
		m := mapNode()
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add(m, k, str(v[k]))
		}
		return m
	}
	return str(fmt.Sprint(v))
}

func mapNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }
func seqNode() *yaml.Node { return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"} }

// str is a string scalar, with ${ escaped so that Parse reads it back.
func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.ReplaceAll(s, "${", "$${")}
}

func num(v int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v, 10)}
}

func float(v float64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(v, 'g', -1, 64)}
}

func boolean(v bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
}

func dur(d time.Duration) *yaml.Node { return str(d.String()) }

// add appends key: v to the mapping m.
func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

// addStr adds key: s unless s is empty.
func addStr(m *yaml.Node, key, s string) {
	if s != "" {
		add(m, key, str(s))
	}
}
