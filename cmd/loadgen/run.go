package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/results"
	"github.com/ironcorelabs/loadgen/scenarios"
)

// runFlags are the flags of `loadgen run`.
type runFlags struct {
	out             string
	rate            string
	duration        time.Duration
	workers         int
	scenario        string
	vars            []string
	dryRun          bool
	allowProduction bool
	seed            int64
	quiet           bool
}

func newRunCommand(st *state) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run <workload.yaml>",
		Short: "Run a workload",
		Long: `Run a workload file and write its run folder: summary.json, report.txt and the
durable sample stream (samples.*), flushed at least once a second so a killed run
keeps what it measured. The report is printed when the run ends.

The first SIGINT or SIGTERM stops starting iterations, lets those in flight
finish within each scenario's graceful_stop, writes every output and exits 105;
a second one cancels at once, still writing what was measured.`,
		Example: `  # the smoke workload against the built-in reference service
  loadgen run configs/http-smoke.yaml

  # the same at 100 iterations/s for 30s, into a folder of your choice
  loadgen run configs/http-smoke.yaml --rate 100/s --duration 30s --out runs/try1

  # what would run, without running it
  loadgen run configs/http-smoke.yaml --dry-run

  # set ${VARS} used in the workload
  loadgen run configs/staging.yaml -e IRONCORE_CONFIG=cfg.json -e IRONCORE_IAK=key.pem`,
		Args: exactArgs(1, "a workload file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := runOverrides{}
			if cmd.Flags().Changed("rate") {
				r, err := scenarios.ParseRate(f.rate)
				if err != nil {
					return &exitError{code: exitUsage, err: fmt.Errorf("--rate: %w", err)}
				}
				o.Rate = r
			}
			if cmd.Flags().Changed("duration") {
				if f.duration <= 0 {
					return &exitError{code: exitUsage, err: fmt.Errorf("--duration: %s is not positive; want e.g. 30s or 5m", f.duration)}
				}
				o.Duration = f.duration
			}
			if cmd.Flags().Changed("workers") {
				if f.workers <= 0 {
					return &exitError{code: exitUsage, err: fmt.Errorf("--workers: %d is not positive", f.workers)}
				}
				o.Workers = f.workers
			}
			o.Scenario = f.scenario
			if !cmd.Flags().Changed("seed") {
				f.seed = time.Now().UnixNano()
			}
			return runWorkload(cmd.Context(), st, args[0], &f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "", "run folder (default: the workload's output.dir, else runs/{name}-{time})")
	fl.StringVar(&f.rate, "rate", "", "override the rate of every rate scenario, e.g. 200/s")
	fl.DurationVar(&f.duration, "duration", 0, "override every scenario's duration, e.g. 30s")
	fl.IntVar(&f.workers, "workers", 0, "override every scenario's worker count")
	fl.StringVar(&f.scenario, "scenario", "", "run only the named scenario")
	fl.StringArrayVarP(&f.vars, "env", "e", nil, "set a ${VAR} of the workload, KEY=VALUE (repeatable; wins over the environment)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print what would run (iterations and requests per op, peak rate, workers) and exit")
	fl.BoolVar(&f.allowProduction, "allow-production", false, "allow a production IronCore URL as the target")
	fl.Int64Var(&f.seed, "seed", 0, "seed for weighted mixes and the reference service's faults (default: from the clock)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no live progress line")
	return cmd
}

// runOverrides are the CLI overrides of the workload.
type runOverrides = scenarios.Overrides

// exactArgs is cobra.ExactArgs with a message that says what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &exitError{code: exitUsage, err: fmt.Errorf("%s takes %s (got %d arguments); see %s --help", cmd.CommandPath(), what, len(args), cmd.CommandPath())}
		}
		return nil
	}
}

// parseVars turns KEY=VALUE flags into a map.
func parseVars(vars []string) (map[string]string, error) {
	m := make(map[string]string, len(vars))
	for _, kv := range vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("-e %q: want KEY=VALUE", kv)}
		}
		m[k] = v
	}
	return m, nil
}

func loadWorkload(st *state, path string, vars []string, allowProd bool) (*scenarios.Workload, error) {
	vm, err := parseVars(vars)
	if err != nil {
		return nil, err
	}
	w, err := scenarios.Load(path, scenarios.LoadOptions{Getenv: st.getenv, Vars: vm, AllowProduction: allowProd})
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	return w, nil
}

func runWorkload(ctx context.Context, st *state, path string, f *runFlags, o runOverrides) error {
	w, err := loadWorkload(st, path, f.vars, f.allowProduction)
	if err != nil {
		return err
	}
	if err := w.Apply(o); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if f.dryRun {
		return dryRun(st.stdout, w)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	tgt, err := startTarget(ctx, w, f.seed)
	if err != nil {
		return withCode(exitRunError, err)
	}
	defer tgt.close()

	env := &ops.Env{Target: tgt.url, Client: ops.NewHTTPClient(w.Target.Timeout, w.Target.TLS.InsecureSkipVerify), Timeout: w.Target.Timeout}
	plan, err := scenarios.Compile(w, ops.Default(), env)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}

	dir := f.out
	if dir == "" {
		dir = w.Output.Dir
	}
	start := time.Now()
	dir = expandOutDir(dir, w.Name, start)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withCode(exitRunError, fmt.Errorf("run folder: %w", err))
	}
	if err := copyFile(w.File, filepath.Join(dir, "workload.yaml")); err != nil {
		return withCode(exitRunError, fmt.Errorf("run folder: %w", err))
	}

	ver, commit := buildInfo()
	rec, err := results.NewRecorder(results.Config{
		Dir:   dir,
		Start: start,
		Meta: results.RunMeta{
			Name:           w.Name,
			Start:          start,
			Version:        ver,
			Commit:         commit,
			WorkloadSHA256: w.SHA256,
			Seed:           f.seed,
			Target:         tgt.describe,
			Host:           results.HostInfo(),
		},
	})
	if err != nil {
		return withCode(exitRunError, fmt.Errorf("recorder: %w", err))
	}

	fmt.Fprintf(st.stderr, "loadgen: running %s against %s; run folder %s\n", w.Name, tgt.describe, dir)

	// Signals: the first stops gracefully, the second cancels at once.
	stop := make(chan struct{})
	var stopOnce sync.Once
	stopped := false
	sigs, unsubscribe := st.signals()
	defer unsubscribe()
	sigDone := make(chan struct{})
	go func() {
		defer close(sigDone)
		n := 0
		for {
			select {
			case <-ctx.Done():
				return
			case s, ok := <-sigs:
				if !ok {
					return
				}
				n++
				if n == 1 {
					fmt.Fprintf(st.stderr, "\nloadgen: %v: stopping gracefully (again to stop at once)\n", s)
					stopOnce.Do(func() { stopped = true; close(stop) })
					continue
				}
				fmt.Fprintf(st.stderr, "\nloadgen: %v: stopping now\n", s)
				cancel()
				return
			}
		}
	}()

	progDone := make(chan struct{})
	progCtx, progCancel := context.WithCancel(ctx)
	go func() {
		defer close(progDone)
		if f.quiet {
			<-progCtx.Done()
			return
		}
		progress(progCtx, st.stderr, rec)
	}()

	_, runErr := loadgen.Run(ctx, plan, rec, loadgen.Options{Stop: stop, Seed: f.seed, Start: start})
	progCancel()
	<-progDone
	cancel()
	<-sigDone

	end := time.Now()
	rec.SetEnd(end)
	if err := rec.Close(); err != nil {
		fmt.Fprintf(st.stderr, "loadgen: closing the sample stream: %v\n", err)
	}
	sum := rec.Summary()
	failed := evaluate(sum, w)
	if err := sum.WriteFiles(dir); err != nil {
		return withCode(exitRunError, fmt.Errorf("writing the run folder: %w", err))
	}
	if err := sum.Text(st.stdout); err != nil {
		return withCode(exitRunError, err)
	}
	fmt.Fprintf(st.stderr, "loadgen: run folder %s\n", dir)

	switch {
	case runErr != nil && !errors.Is(runErr, context.Canceled):
		return withCode(exitRunError, fmt.Errorf("run: %w", runErr))
	case stopped:
		return &exitError{code: exitSignal}
	case len(failed) > 0:
		return &exitError{code: exitThresholds, err: fmt.Errorf("%d threshold(s) failed:\n  %s", len(failed), strings.Join(failed, "\n  "))}
	}
	return nil
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

// progress prints one status line a second until ctx is done: rewritten in
// place on a terminal, one line each otherwise (logs, pipes).
func progress(ctx context.Context, w io.Writer, rec *results.Recorder) {
	tty := isTerminal(w)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if tty {
				fmt.Fprintln(w)
			}
			return
		case <-t.C:
			if tty {
				fmt.Fprintf(w, "\r%s\x1b[K", rec.Progress())
			} else {
				fmt.Fprintln(w, rec.Progress())
			}
		}
	}
}

// expandOutDir fills {name} and {time} in a run-folder template.
func expandOutDir(tmpl, name string, start time.Time) string {
	if tmpl == "" {
		tmpl = "runs/{name}-{time}"
	}
	r := strings.NewReplacer("{name}", safeName(name), "{time}", start.UTC().Format("20060102T150405Z"))
	return r.Replace(tmpl)
}

func safeName(s string) string {
	if s == "" {
		return "run"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, s)
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// dryRun prints what the workload would run.
func dryRun(w io.Writer, wl *scenarios.Workload) error {
	placeholder, _ := url.Parse("http://127.0.0.1/")
	plan, err := scenarios.Compile(wl, ops.Default(), &ops.Env{Target: placeholder})
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(w, "workload %s (%s), GOMAXPROCS %d\n", wl.Name, wl.File, runtime.GOMAXPROCS(0))
	var peak float64
	workers := 0
	perOp := map[string]float64{}
	var order []string
	for _, sc := range plan.Scenarios {
		n, rate, wk := sc.Executor.Planned()
		peak += rate
		workers += wk
		fmt.Fprintf(w, "  scenario %-20s %-22s iterations %-8d peak rate %8.1f/s  workers %d  start after %s\n",
			sc.Name, sc.Executor.Kind, n, rate, wk, sc.StartAfter)
		steps := sc.Steps
		total := 0
		for _, s := range sc.Mix {
			total += s.Weight
		}
		if len(sc.Mix) > 0 {
			steps = sc.Mix
		}
		for _, s := range steps {
			share := 1.0
			if len(sc.Mix) > 0 && total > 0 {
				share = float64(s.Weight) / float64(total)
			}
			key := sc.Name + "/" + s.Name
			if _, ok := perOp[key]; !ok {
				order = append(order, key)
			}
			perOp[key] += float64(n) * share
		}
	}
	fmt.Fprintf(w, "requests per op:\n")
	for _, k := range order {
		fmt.Fprintf(w, "  %-40s %10.0f\n", k, perOp[k])
	}
	fmt.Fprintf(w, "peak rate %.1f/s, peak workers %d\n", peak, workers)
	return nil
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
