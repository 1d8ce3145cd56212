package main

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/scenarios"
)

// dryRun prints what the workload would run: iterations and requests per
// op, peak rate and workers, and an estimate of the client's crypto CPU
// from primitives timed on this machine.
func dryRun(w io.Writer, wl *scenarios.Workload, plan *loadgen.Plan) error {
	fmt.Fprintf(w, "workload %s (%s), GOMAXPROCS %d\n", wl.Name, wl.File, runtime.GOMAXPROCS(0))
	var cal *ops.Calibration
	var peak float64
	var cpu, length time.Duration
	workers := 0
	perOp := map[string]float64{}
	var order []string
	scale := plan.RateScale()
	if scale != 1 {
		fmt.Fprintf(w, "target.max_rate %g/s caps the summed peak rates: every rate below is scaled by %.4g\n", plan.MaxRate, scale)
	}
	if n := unpacedNote(plan); n != "" {
		fmt.Fprintln(w, n)
	}
	for i, sc := range plan.Scenarios {
		n, rate, wk := sc.Executor.Scaled(scale).Planned()
		peak += rate
		workers += wk
		length = max(length, sc.StartAfter+sc.Executor.Length())
		iters := strconv.FormatInt(n, 10)
		switch {
		case sc.Executor.Kind == loadgen.Capacity:
			iters = "by level" // as many as the search's levels offer, up to its peak rate
		case n < 0:
			iters = "as many as fit" // closed executors with a duration: depends on op time
		}
		fmt.Fprintf(w, "  scenario %-20s %-22s iterations %-14s peak rate %8.1f/s  workers %d  start after %s\n",
			sc.Name, sc.Executor.Kind, iters, rate, wk, sc.StartAfter)
		specs := wl.Scenarios[i].Steps
		steps := sc.Steps
		total := 0
		for _, s := range sc.Mix {
			total += s.Weight
		}
		if len(sc.Mix) > 0 {
			steps, specs = sc.Mix, wl.Scenarios[i].Mix
		}
		for j, s := range steps {
			share := 1.0
			if len(sc.Mix) > 0 && total > 0 {
				share = float64(s.Weight) / float64(total)
			}
			key := sc.Name + "/" + s.Name
			if _, ok := perOp[key]; !ok {
				order = append(order, key)
			}
			perOp[key] += float64(n) * share
			if n > 0 && j < len(specs) {
				if cal == nil {
					c, err := ops.Calibrate()
					if err != nil {
						return withCode(exitRunError, err)
					}
					cal = &c
				}
				cpu += time.Duration(float64(n) * share * float64(cal.Estimate(specs[j].Op, specs[j].Args)))
			}
		}
	}
	fmt.Fprintf(w, "requests per op:\n")
	for _, k := range order {
		if perOp[k] < 0 {
			fmt.Fprintf(w, "  %-40s %10s\n", k, "?")
			continue
		}
		fmt.Fprintf(w, "  %-40s %10.0f\n", k, perOp[k])
	}
	fmt.Fprintf(w, "peak rate %.1f/s, peak workers %d\n", peak, workers)
	if cal != nil && cpu > 0 {
		fmt.Fprintf(w, "client crypto CPU at least %.1f s in all", cpu.Seconds())
		if length > 0 {
			fmt.Fprintf(w, ", %.2f cores on average over %s", cpu.Seconds()/length.Seconds(), length)
		}
		fmt.Fprintf(w, " (iterations of fixed count only; this machine: PBKDF2 %s, key pair %s, encrypt %s, decrypt %s, transform key %s)\n",
			cal.PBKDF2.Round(time.Millisecond), cal.KeyGen.Round(time.Microsecond), cal.Encrypt.Round(time.Microsecond),
			cal.Decrypt.Round(time.Microsecond), cal.TransformKey.Round(time.Microsecond))
	}
	return nil
}

// unpacedNote says which closed scenarios target.max_rate does not pace,
// or "" when it paces every scenario (or there is no cap).
func unpacedNote(plan *loadgen.Plan) string {
	u := plan.Unpaced()
	if len(u) == 0 {
		return ""
	}
	return fmt.Sprintf("target.max_rate %g/s does not pace closed scenarios: %s start iterations as fast as their workers finish them (give them a rate executor to cap them)",
		plan.MaxRate, strings.Join(u, ", "))
}
