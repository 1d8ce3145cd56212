package main

import (
	"context"
	"time"

	"github.com/ironcorelabs/loadgen/results"
	"github.com/ironcorelabs/loadgen/scenarios"
)

// watchAborts checks the abort_on_fail thresholds once a second, each from
// its delay on, and returns the failures that should stop the run (nil
// when ctx ends first). A rule that cannot be measured yet (no samples)
// does not abort.
func watchAborts(ctx context.Context, rec *results.Recorder, rules []scenarios.AbortRule, start time.Time) []string {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		elapsed := time.Since(start)
		var due []results.Rule
		for _, r := range rules {
			if elapsed >= r.Delay {
				due = append(due, r.Rule)
			}
		}
		if len(due) == 0 {
			continue
		}
		var failed []string
		for _, res := range rec.Summary().Evaluate(due) {
			if !res.OK && res.Measured() {
				failed = append(failed, res.String())
			}
		}
		if len(failed) > 0 {
			return failed
		}
	}
}

// evaluate checks the workload's thresholds against the summary, stores the
// results in it and returns a line for each failure.
func evaluate(sum *results.Summary, w *scenarios.Workload) []string {
	rules := w.Rules()
	if len(rules) == 0 {
		return nil
	}
	var failed []string
	for _, r := range sum.Evaluate(rules) {
		if !r.OK {
			failed = append(failed, r.String())
		}
	}
	return failed
}
