package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
)

// executorFields lists, per executor, the executor fields it takes; the
// first ones listed in required must be given.
func executorFields(k loadgen.Kind) (takes, required []string) {
	switch k {
	case loadgen.ConstantWorkers:
		return []string{"workers", "duration", "think_time"}, []string{"workers", "duration"}
	case loadgen.RampingWorkers:
		return []string{"workers", "stages", "think_time"}, []string{"stages"}
	case loadgen.ConstantRate:
		return []string{"rate", "duration", "workers", "max_workers", "max_lateness"}, []string{"rate", "duration"}
	case loadgen.RampingRate:
		return []string{"start_rate", "stages", "workers", "max_workers", "max_lateness"}, []string{"stages"}
	case loadgen.SharedIterations, loadgen.PerWorkerIterations:
		return []string{"iterations", "workers", "duration", "think_time"}, []string{"iterations"}
	case loadgen.Capacity:
		return append([]string{"rate", "workers", "max_workers", "max_lateness"}, capacityFields...),
			[]string{"rate", "max_rate", "step", "slo"}
	}
	return nil, nil
}

// executorKinds are the executor names, in the order the docs list them.
func executorKinds() []string {
	return []string{
		string(loadgen.ConstantWorkers), string(loadgen.RampingWorkers),
		string(loadgen.ConstantRate), string(loadgen.RampingRate),
		string(loadgen.SharedIterations), string(loadgen.PerWorkerIterations),
		string(loadgen.Capacity),
	}
}

// isOpen reports whether k follows a rate schedule.
func isOpen(k loadgen.Kind) bool {
	return k == loadgen.ConstantRate || k == loadgen.RampingRate || k == loadgen.Capacity
}

// scenarios decodes the scenarios list into w.
func (d *decoder) scenarios(n *yaml.Node, w *Workload, cat *ops.Catalog) {
	items, ok := d.sequence(n, "scenarios", "scenarios")
	if !ok {
		return
	}
	if len(items) == 0 {
		d.errorf(n, "scenarios", "empty; want at least one scenario")
	}
	seen := map[string]int{}
	for i, item := range items {
		path := indexPath("scenarios", i)
		s, ok := d.scenario(item, path, cat)
		if !ok {
			continue
		}
		if line, dup := seen[s.Name]; dup {
			d.errorf(item, join(path, "name"), "%q is already the name of the scenario at line %d", s.Name, line)
			continue
		}
		seen[s.Name] = s.Line
		w.Scenarios = append(w.Scenarios, s)
	}
}

// scenario decodes one scenario; it reports whether it is valid.
func (d *decoder) scenario(n *yaml.Node, path string, cat *ops.Catalog) (ScenarioSpec, bool) {
	before := len(d.errs)
	var s ScenarioSpec
	f, ok := d.mapping(n, path, []string{
		"name", "executor", "workers", "max_workers", "rate", "start_rate", "duration", "stages", "iterations",
		"start_after", "graceful_stop", "think_time", "max_lateness", "steps", "mix",
		"max_rate", "factor", "step", "slo", "precision", "abort", "cooldown", "max_duration",
	})
	if !ok {
		return s, false
	}
	s.Line, s.Col = f.node.Line, f.node.Column
	if d.str(f.get("name"), f.at("name"), &s.Name) {
		switch {
		case s.Name == "":
			d.errorf(f.get("name"), f.at("name"), "empty; name the scenario, e.g. name: browse")
		case s.Name == "*" || strings.ContainsAny(s.Name, "/ \t"):
			d.errorf(f.get("name"), f.at("name"), "%q is not a usable name; names may not be * or hold /, spaces or tabs (threshold keys use scenario/op)", s.Name)
		}
	} else if !f.has("name") {
		d.errorf(n, f.at("name"), "required; name the scenario, e.g. name: browse")
	}

	var kind string
	known := d.oneOf(f.get("executor"), f.at("executor"), executorKinds(), &kind)
	if !f.has("executor") {
		d.errorf(n, f.at("executor"), "required; want one of %s", strings.Join(executorKinds(), ", "))
	}
	s.Executor = loadgen.Kind(kind)
	takes, required := executorFields(s.Executor)
	relevant := func(field string) bool {
		if !known {
			return true // decode it anyway, for its own errors
		}
		if !f.has(field) || slices.Contains(takes, field) {
			return true
		}
		msg := "not used by executor " + kind + " (which takes " + strings.Join(takes, ", ") + ")"
		switch {
		case field == "rate" && s.Executor == loadgen.RampingRate:
			msg += "; ramping-rate starts at start_rate and follows its stages"
		case field == "start_rate" && s.Executor == loadgen.ConstantRate:
			msg += "; constant-rate takes rate"
		case field == "think_time":
			msg += "; an open executor paces by its rate"
		case field == "max_lateness":
			msg += "; only rate executors start iterations late"
		}
		d.errorf(f.pairs[field].key, f.at(field), "%s", msg)
		return false
	}
	if known {
		for _, r := range required {
			if !f.has(r) {
				d.errorf(n, f.at(r), "required by executor %s", kind)
			}
		}
	}

	if relevant("workers") {
		lo := 0
		if s.Executor == loadgen.ConstantWorkers || s.Executor == loadgen.SharedIterations || s.Executor == loadgen.PerWorkerIterations || isOpen(s.Executor) {
			lo = 1
		}
		// Open executors leave it 0 when not given: the engine sizes it
		// (loadgen.Executor.OpenWorkers, the one owner of that default).
		if !d.intVal(f.get("workers"), f.at("workers"), lo, loadgen.WorkersLimit, &s.Workers) &&
			s.Executor != loadgen.RampingWorkers && !isOpen(s.Executor) {
			s.Workers = 1
		}
	}
	if relevant("max_workers") &&
		d.intVal(f.get("max_workers"), f.at("max_workers"), 1, loadgen.WorkersLimit, &s.MaxWorkers) && s.MaxWorkers < s.Workers {
		d.errorf(f.get("max_workers"), f.at("max_workers"), "%d is less than workers (%d)", s.MaxWorkers, s.Workers)
	}
	if relevant("rate") && d.rate(f.get("rate"), f.at("rate"), &s.Rate) {
		if s.Rate == 0 {
			d.errorf(f.get("rate"), f.at("rate"), "must be more than 0, e.g. 200/s")
		}
		d.rateLimit(f.get("rate"), f.at("rate"), s.Rate)
	}
	if relevant("start_rate") && d.rate(f.get("start_rate"), f.at("start_rate"), &s.StartRate) {
		d.rateLimit(f.get("start_rate"), f.at("start_rate"), s.StartRate)
	}
	if relevant("duration") && d.duration(f.get("duration"), f.at("duration"), &s.Duration) {
		if s.Duration == 0 && (s.Executor == loadgen.ConstantWorkers || s.Executor == loadgen.ConstantRate) {
			d.errorf(f.get("duration"), f.at("duration"), "must be more than 0, e.g. 1m")
		}
		d.durationLimit(f.get("duration"), f.at("duration"), s.Duration)
	}
	if relevant("iterations") {
		d.int64Val(f.get("iterations"), f.at("iterations"), 1, math.MaxInt64, &s.Iterations)
	}
	if relevant("stages") && f.has("stages") {
		s.Stages = d.stages(f.get("stages"), f.at("stages"), s.Executor, s.Workers, s.StartRate)
	}
	d.scenarioTimes(f, &s, relevant)
	d.scenarioSteps(n, path, f, &s, cat)
	d.capacity(f, &s, relevant)
	return s, len(d.errs) == before
}

// scenarioTimes decodes a scenario's start_after, graceful_stop, think_time
// and max_lateness (those its executor takes, by relevant).
func (d *decoder) scenarioTimes(f fields, s *ScenarioSpec, relevant func(string) bool) {
	if d.duration(f.get("start_after"), f.at("start_after"), &s.StartAfter) {
		d.durationLimit(f.get("start_after"), f.at("start_after"), s.StartAfter)
	}
	s.GracefulStop = defaultGracefulStop
	if d.duration(f.get("graceful_stop"), f.at("graceful_stop"), &s.GracefulStop) {
		d.durationLimit(f.get("graceful_stop"), f.at("graceful_stop"), s.GracefulStop)
	}
	if relevant("think_time") && d.duration(f.get("think_time"), f.at("think_time"), &s.ThinkTime) {
		d.durationLimit(f.get("think_time"), f.at("think_time"), s.ThinkTime)
	}
	if relevant("max_lateness") {
		// 0 when not given: the engine's default (loadgen.DefaultMaxLateness).
		if d.duration(f.get("max_lateness"), f.at("max_lateness"), &s.MaxLateness) {
			if s.MaxLateness == 0 {
				d.errorf(f.get("max_lateness"), f.at("max_lateness"), "must be more than 0, e.g. 10s")
			}
			d.durationLimit(f.get("max_lateness"), f.at("max_lateness"), s.MaxLateness)
		}
	}
}

// scenarioSteps decodes a scenario's steps or mix: exactly one of them.
func (d *decoder) scenarioSteps(n *yaml.Node, path string, f fields, s *ScenarioSpec, cat *ops.Catalog) {
	switch {
	case f.has("steps") && f.has("mix"):
		d.errorf(f.pairs["mix"].key, f.at("mix"), "a scenario has steps (all run in order) or mix (one weighted pick), not both")
	case f.has("steps"):
		s.Steps = d.steps(f.get("steps"), f.at("steps"), false, cat)
	case f.has("mix"):
		s.Mix = d.steps(f.get("mix"), f.at("mix"), true, cat)
	default:
		d.errorf(n, path, "needs steps (all run in order) or mix (one weighted pick), e.g. steps: [{op: http, url: /health}]")
	}
}

// stages decodes a ramp. Targets are worker counts for ramping-workers and
// rates for ramping-rate; start is the level before the first stage.
func (d *decoder) stages(n *yaml.Node, path string, k loadgen.Kind, startWorkers int, startRate float64) []loadgen.Stage {
	items, ok := d.sequence(n, path, "stages such as {duration: 30s, target: 10}")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(n, path, "empty; want at least one stage such as {duration: 30s, target: 10}")
		return nil
	}
	before := len(d.errs)
	var out []loadgen.Stage
	var total float64
	peak := float64(startWorkers)
	if k == loadgen.RampingRate {
		peak = startRate
	}
	for i, item := range items {
		p := indexPath(path, i)
		f, ok := d.mapping(item, p, []string{"duration", "target"})
		if !ok {
			continue
		}
		var st loadgen.Stage
		if !f.has("duration") {
			d.errorf(item, f.at("duration"), "required; how long this stage ramps, e.g. 30s")
		}
		d.duration(f.get("duration"), f.at("duration"), &st.Duration)
		switch {
		case !f.has("target"):
			hint := "workers at the end of the stage, e.g. target: 10"
			if k == loadgen.RampingRate {
				hint = "the rate at the end of the stage, e.g. target: 50/s"
			}
			d.errorf(item, f.at("target"), "required; %s", hint)
		case k == loadgen.RampingRate:
			if d.rate(f.get("target"), f.at("target"), &st.Target) {
				d.rateLimit(f.get("target"), f.at("target"), st.Target)
			}
		default:
			var w int
			if d.intVal(f.get("target"), f.at("target"), 0, loadgen.WorkersLimit, &w) {
				st.Target = float64(w)
			}
		}
		total += st.Duration.Seconds()
		peak = max(peak, st.Target)
		out = append(out, st)
	}
	if len(d.errs) > before {
		return out
	}
	if total == 0 {
		d.errorf(n, path, "stages last 0s in all; give at least one stage a duration")
	}
	if total > loadgen.DurationLimit.Seconds() {
		d.errorf(n, path, "stages last %v in all, longer than a run may be (%v, a year); shorten them", time.Duration(total*1e9), loadgen.DurationLimit)
	}
	if peak == 0 {
		d.errorf(n, path, "every target is 0, so no iteration would ever start")
	}
	return out
}

// rateLimit reports a rate above what one generator can schedule.
func (d *decoder) rateLimit(n *yaml.Node, path string, r float64) {
	if msg := rateOverLimit(r); msg != "" {
		d.errorf(n, path, "%s", msg)
	}
}

// rateOverLimit describes a rate above loadgen.RateLimit, or returns "".
func rateOverLimit(r float64) string {
	if r <= loadgen.RateLimit {
		return ""
	}
	return fmt.Sprintf("%s/s is more than one generator can schedule (at most %s/s a scenario); lower it, or spread the load over shards of a smaller rate",
		strconv.FormatFloat(r, 'g', -1, 64), strconv.FormatFloat(loadgen.RateLimit, 'g', -1, 64))
}

// durationLimit reports a duration longer than a run may be.
func (d *decoder) durationLimit(n *yaml.Node, path string, v time.Duration) {
	if msg := durationOverLimit(v); msg != "" {
		d.errorf(n, path, "%s", msg)
	}
}

// durationOverLimit describes a duration above loadgen.DurationLimit, or
// returns "".
func durationOverLimit(v time.Duration) string {
	if v <= loadgen.DurationLimit {
		return ""
	}
	return fmt.Sprintf("%v is longer than a run may be (%v, a year); shorten it", v, loadgen.DurationLimit)
}
