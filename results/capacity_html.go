package results

import "sort"

// htmlCapacity is what report.html draws of one capacity search: p50, p99
// and error rate against the offered rate, the SLO's lines and the knee
// (the bracket between the highest passing and the first failing rate).
type htmlCapacity struct {
	Name    string `json:"name"`
	Verdict string `json:"verdict"`
	// Levels are [rate, p50 ms, p99 ms, error %, verdict] by rate;
	// verdict 1 pass, 0 fail, -1 not judged or generator-limited.
	Levels [][5]float64 `json:"levels"`
	// LatencySLO and ErrorSLO are the SLO's lines: latency rules (ms) and
	// error_rate rules (%) on all the scenario's ops.
	LatencySLO []htmlSLOLine `json:"latency_slo"`
	ErrorSLO   []htmlSLOLine `json:"error_slo"`
	// Knee is [highest pass, first failing rate]; the second is 0 when
	// none failed.
	Knee [2]float64 `json:"knee"`
}

type htmlSLOLine struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// htmlCapacities returns the capacity searches of s for report.html.
func (s *Summary) htmlCapacities() []htmlCapacity {
	out := []htmlCapacity{}
	for _, sc := range s.Scenarios {
		c := sc.Capacity
		if c == nil {
			continue
		}
		h := htmlCapacity{Name: sc.Name, Verdict: c.Verdict, Levels: [][5]float64{}, LatencySLO: []htmlSLOLine{}, ErrorSLO: []htmlSLOLine{}}
		for _, l := range c.Levels {
			v := 0.0
			switch {
			case l.Pass:
				v = 1
			case l.GeneratorLimited || len(l.Reason) >= 10 && l.Reason[:10] == "not judged":
				v = -1
			}
			h.Levels = append(h.Levels, [5]float64{l.RatePerS, l.P50MS, l.P99MS, 100 * l.ErrorRate, v})
		}
		sort.SliceStable(h.Levels, func(i, j int) bool { return h.Levels[i][0] < h.Levels[j][0] })
		for _, r := range s.capacityRules(sc.Name) {
			if r.Key != "*" {
				continue
			}
			switch r.T.Metric {
			case "error_rate":
				h.ErrorSLO = append(h.ErrorSLO, htmlSLOLine{r.Expr, 100 * r.T.Value})
			case "p", "med", "mean", "min", "max":
				h.LatencySLO = append(h.LatencySLO, htmlSLOLine{r.Expr, r.T.Value})
			}
		}
		h.Knee[0] = c.MaxRatePerS
		if c.FirstFailingRatePerS != nil {
			h.Knee[1] = *c.FirstFailingRatePerS
		}
		out = append(out, h)
	}
	return out
}

// capacityRules returns the SLO of a scenario's capacity search, from its
// levels when the Summary has them (one decoded from JSON does not: its
// SLO strings are parsed again).
func (s *Summary) capacityRules(scenario string) []Rule {
	for _, sc := range s.Scenarios {
		if sc.Name != scenario || sc.Capacity == nil {
			continue
		}
		var out []Rule
		for _, label := range sc.Capacity.SLO {
			key, expr := "*", label
			if k, e, ok := cutRuleLabel(label); ok {
				key, expr = k, e
			}
			if t, err := ParseThreshold(expr); err == nil {
				out = append(out, Rule{Key: key, Expr: expr, T: t})
			}
		}
		return out
	}
	return nil
}

// cutRuleLabel splits "op: expr" (ruleLabel's form for a keyed rule).
func cutRuleLabel(s string) (key, expr string, ok bool) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ':' && s[i+1] == ' ' {
			return s[:i], s[i+2:], true
		}
		if s[i] == ' ' || s[i] == '<' || s[i] == '>' || s[i] == '=' || s[i] == '!' {
			return "", "", false
		}
	}
	return "", "", false
}
