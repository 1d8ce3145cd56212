package scenarios

import (
	"errors"
	"fmt"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
)

// Compile turns w into the engine's plan, building each step's op with its
// catalog entry's New (cat nil means ops.Default()). Errors from New are
// positioned at the step, or at the field an *ops.FieldError names, and all
// of them are joined.
//
// Compile leaves Plan.Setup and Plan.Teardown nil: they need the identity
// pools of ops, which the caller builds from w.Setup and w.Teardown.
func Compile(w *Workload, cat *ops.Catalog, env *ops.Env) (*loadgen.Plan, error) {
	if cat == nil {
		cat = ops.Default()
	}
	p := &loadgen.Plan{
		Name:       w.Name,
		MaxRate:    w.Target.MaxRate,
		MaxWorkers: w.Target.MaxWorkers,
		Scenarios:  make([]loadgen.Scenario, 0, len(w.Scenarios)),
	}
	var errs []error
	for i, s := range w.Scenarios {
		sc := loadgen.Scenario{
			Name: s.Name,
			Executor: loadgen.Executor{
				Kind:       s.Executor,
				Workers:    s.Workers,
				MaxWorkers: s.MaxWorkers,
				Rate:       s.Rate,
				Duration:   s.Duration,
				Stages:     append([]loadgen.Stage(nil), s.Stages...),
				Iterations: s.Iterations,
				Capacity:   s.Capacity.engine(),
			},
			StartAfter:   s.StartAfter,
			GracefulStop: s.GracefulStop,
			ThinkTime:    s.ThinkTime,
			MaxLateness:  s.MaxLateness,
		}
		if s.Executor == loadgen.RampingRate {
			sc.Executor.Rate = s.StartRate
		}
		path := indexPath("scenarios", i)
		var steps []loadgen.Step
		if len(s.Mix) > 0 {
			steps, errs = compileSteps(w.File, join(path, "mix"), s.Mix, cat, env, errs)
			sc.Mix = steps
		} else {
			steps, errs = compileSteps(w.File, join(path, "steps"), s.Steps, cat, env, errs)
			sc.Steps = steps
		}
		p.Scenarios = append(p.Scenarios, sc)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// compileSteps builds the ops of one steps or mix list, appending any
// errors to errs.
func compileSteps(file, path string, specs []StepSpec, cat *ops.Catalog, env *ops.Env, errs []error) ([]loadgen.Step, []error) {
	out := make([]loadgen.Step, 0, len(specs))
	for j, st := range specs {
		p := indexPath(path, j)
		at := &Error{File: file, Line: st.Line, Col: st.Col, Field: join(p, "op")}
		entry, ok := cat.Lookup(st.Op)
		if !ok {
			at.Msg = fmt.Sprintf("unknown op %q", st.Op)
			errs = append(errs, at)
			continue
		}
		if entry.New == nil {
			at.Msg = fmt.Sprintf("op %q cannot be built yet (its catalog entry has no New)", st.Op)
			errs = append(errs, at)
			continue
		}
		op, err := entry.New(env, cloneArgs(st.Args))
		if err != nil {
			at.Msg = err.Error()
			var fe *ops.FieldError
			if errors.As(err, &fe) {
				at.Field, at.Msg = join(p, fe.Field), fe.Msg
				if pos, ok := st.ArgPos[fe.Field]; ok {
					at.Line, at.Col = pos.Line, pos.Col
				}
			}
			errs = append(errs, at)
			continue
		}
		out = append(out, loadgen.Step{Name: st.Name, Op: op, Weight: st.Weight})
	}
	return out, errs
}

// cloneArgs copies args (one level deep), so an op that keeps or changes
// its arguments cannot change the workload.
func cloneArgs(args ops.Args) ops.Args {
	out := make(ops.Args, len(args))
	for k, v := range args {
		switch v := v.(type) {
		case []string:
			out[k] = append([]string(nil), v...)
		case []int64:
			out[k] = append([]int64(nil), v...)
		case map[string]string:
			m := make(map[string]string, len(v))
			for mk, mv := range v {
				m[mk] = mv
			}
			out[k] = m
		default:
			out[k] = v
		}
	}
	return out
}
