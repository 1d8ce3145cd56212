package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/metrics"
	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/results"
	"github.com/ironcorelabs/loadgen/scenarios"
)

// runner runs one workload. run calls its steps in the order they happen:
// listen, setup, start, wait, stop, teardown, write and exitCode; close releases
// what the steps that ran acquired, also when one of them fails.
type runner struct {
	st      *state
	f       *runFlags
	w       *scenarios.Workload
	shard   scenarios.Shard
	startAt time.Time // --start-at; zero: start at once

	stopper *stopper // signals and aborts

	// setup
	tgt      *target
	ic       *ops.IronCore // nil when the run has no IronCore identity
	plan     *loadgen.Plan
	setUp    bool // IronCore setup began: teardown has something to delete
	tornDown bool

	// start
	began        time.Time // the run's clock starts here
	dir          string    // the run folder
	rec          *results.Recorder
	exp          *metrics.Exporter // nil without --metrics-addr or --pushgateway
	metricsLn    net.Listener      // bound before setup; nil without --metrics-addr
	stopMetrics  func()            // nil without --metrics-addr
	dash         *dashboardServer  // bound before setup; nil without --dashboard
	bgCancel     context.CancelFunc
	bgWG         sync.WaitGroup
	aborted      []string // failed abort_on_fail thresholds; written before bgWG is done
	stopProfiles func() error

	// wait
	end    time.Time // when the scenarios ended
	runErr error
}

// runWorkload runs the workload file at path (or prints its dry run) and
// returns the error that carries the exit code.
func runWorkload(ctx context.Context, st *state, path string, f *runFlags, o runOverrides) error {
	r, err := newRunner(st, path, f, o)
	if err != nil {
		return err
	}
	if f.dryRun {
		return dryRun(st.stdout, r.w, r.plan)
	}
	return r.run(ctx)
}

// newRunner loads the workload and applies the command line to it: the
// overrides, the shard and --start-at. It checks everything run needs
// before it starts anything (checkWorkload, checkOutputs), so a bad input
// is refused, exit 2, before anything is written.
func newRunner(st *state, path string, f *runFlags, o runOverrides) (*runner, error) {
	w, err := loadWorkload(st, path, f.vars, f.allowProduction)
	if err != nil {
		return nil, err
	}
	shard, err := resolveShard(st, f)
	if err != nil {
		return nil, err
	}
	if err := w.Apply(o); err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	if err := w.Split(shard); err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	r := &runner{st: st, f: f, w: w, shard: shard}
	if f.startAt != "" {
		if r.startAt, err = parseStartAt(f.startAt, time.Now()); err != nil {
			return nil, &exitError{code: exitUsage, err: err}
		}
	}
	if r.plan, err = checkWorkload(w); err != nil {
		return nil, err
	}
	if err := r.checkOutputs(); err != nil {
		return nil, err
	}
	if f.dashboard != "" {
		if err := checkDashboardAddr(f.dashboard, f.dashboardExpose); err != nil {
			return nil, err
		}
	}
	if f.metricsAddr != "" {
		if err := checkMetricsAddr(f.metricsAddr); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// run runs the steps in order.
func (r *runner) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.stopper = watchSignals(ctx, cancel, r.st)
	defer r.stopper.close()
	defer r.close(ctx)

	if err := r.listen(); err != nil {
		return err
	}
	if err := r.setup(ctx); err != nil {
		return err
	}
	if err := r.start(ctx); err != nil {
		return err
	}
	r.wait(ctx)
	r.stop()
	r.teardown(ctx)
	failed, err := r.write(ctx)
	if err != nil {
		return err
	}
	return r.exitCode(ctx, failed)
}

// listen binds the --metrics-addr and --dashboard addresses before setup,
// so a taken port fails the run before it makes anything.
func (r *runner) listen() error {
	if r.f.metricsAddr != "" {
		ln, err := listenMetrics(r.st, r.f.metricsAddr)
		if err != nil {
			return err
		}
		r.metricsLn = ln
	}
	if r.f.dashboard != "" {
		d, err := listenDashboard(r.st, r.f.dashboard, r.f.dashboardExpose)
		if err != nil {
			return err
		}
		r.dash = d
	}
	return nil
}

// setup starts the target and compiles the plan; with an IronCore target
// it fills the identity pool, which the first signal stops. The target's
// faults are armed after it, so setup is not disturbed.
func (r *runner) setup(ctx context.Context) error {
	tgt, err := startTarget(ctx, r.w, r.f.seed)
	if err != nil {
		return withCode(exitRunError, err)
	}
	r.tgt = tgt
	if r.ic, err = tgt.ironCore(r.w, r.shard); err != nil {
		return withCode(exitRunError, err)
	}
	client, err := rawHTTPClient(r.w)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	env := &ops.Env{Target: tgt.url, Client: client, Timeout: r.w.Target.Timeout, IronCore: r.ic}
	if r.plan, err = scenarios.Compile(r.w, ops.Default(), env); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if r.ic != nil {
		if err := r.setupPool(ctx); err != nil {
			return err
		}
	} else if r.w.Setup != (scenarios.Setup{}) {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: setup needs an IronCore target (target.url: embedded, or identity: {config, key_file})", r.w.File)}
	}
	if err := tgt.armFaults(); err != nil {
		return withCode(exitRunError, err)
	}
	return nil
}

// setupPool runs the IronCore setup; the first signal stops it (exit 105).
func (r *runner) setupPool(ctx context.Context) error {
	r.setUp = true
	sctx, scancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-r.stopper.c:
			scancel()
		case <-sctx.Done():
		}
	}()
	err := setupIronCore(sctx, r.st, r.w, r.ic, r.f)
	stopped := sctx.Err() != nil
	scancel()
	if err != nil {
		if stopped {
			return &exitError{code: exitSignal, err: err}
		}
		return withCode(exitRunError, err)
	}
	select {
	case <-r.stopper.c:
		return &exitError{code: exitSignal, err: errors.New("stopped during setup")}
	default:
	}
	return nil
}

// start waits for --start-at, then starts the run's clock: the run folder,
// the recorder, the metrics endpoint, the progress line, the abort watcher
// and the profiles.
func (r *runner) start(ctx context.Context) error {
	if err := r.waitStartAt(ctx); err != nil {
		return err
	}
	r.began = time.Now()
	r.dir = expandOutDir(r.w.Output.Dir, r.w.Name, r.began, r.shard)
	if r.f.out != "" {
		r.dir = outDirReplacer(r.w.Name, r.began, r.shard).Replace(r.f.out) // as given: no -shard-I added
	}
	var err error
	if r.stopProfiles, err = startProfiles(r.f.cpuProfile, r.f.trace); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return withCode(exitRunError, fmt.Errorf("run folder: %w", err))
	}
	copySHA, err := copyWorkload(r.w.File, filepath.Join(r.dir, "workload.yaml"))
	if err != nil {
		return withCode(exitRunError, fmt.Errorf("run folder: %w", err))
	}
	if copySHA == r.w.SHA256 {
		copySHA = ""
	}
	stderr := r.st.stderr
	ver, commit := buildInfo()
	rec, err := results.NewRecorder(results.Config{
		Dir:   r.dir,
		Start: r.began,
		Meta: results.RunMeta{
			Name:               r.w.Name,
			Start:              r.began,
			Shard:              r.shard.String(),
			Version:            ver,
			Commit:             commit,
			WorkloadSHA256:     r.w.SHA256,
			WorkloadCopySHA256: copySHA,
			Seed:               r.f.seed,
			Target:             r.tgt.describe,
			Host:               results.HostInfo(),
		},
		OnStreamError: func(err error) {
			fmt.Fprintf(stderr, "\nloadgen: error: %v; the run goes on, and its report comes from memory\n", err)
		},
	})
	if err != nil {
		return withCode(exitRunError, fmt.Errorf("recorder: %w", err))
	}
	r.rec = rec
	if r.f.metricsAddr != "" || r.f.pushgateway != "" {
		r.exp = metrics.New(rec, prometheus.Labels{"run": r.w.Name, "shard": r.shard.String()})
	}
	if r.metricsLn != nil {
		r.stopMetrics = serveMetrics(r.metricsLn, r.exp)
		r.metricsLn = nil
	}
	if r.dash != nil {
		r.dash.serve(rec)
	}
	for _, n := range r.w.Notes {
		fmt.Fprintf(r.st.stderr, "loadgen: %s\n", n)
	}
	fmt.Fprintf(r.st.stderr, "loadgen: running %s against %s; run folder %s\n", r.w.Name, r.tgt.describe, r.dir)
	if f := r.plan.RateScale(); f != 1 {
		fmt.Fprintf(r.st.stderr, "loadgen: target.max_rate %g/s caps the summed peak rates: every rate runs at %.4g of what the scenarios ask\n", r.plan.MaxRate, f)
	}
	if n := unpacedNote(r.plan); n != "" {
		fmt.Fprintf(r.st.stderr, "loadgen: %s\n", n)
	}
	r.startBackground(ctx)
	return nil
}

// waitStartAt waits until --start-at, unless the run is stopped first.
func (r *runner) waitStartAt(ctx context.Context) error {
	if r.startAt.IsZero() {
		return nil
	}
	d := time.Until(r.startAt)
	if d <= 0 {
		return nil
	}
	fmt.Fprintf(r.st.stderr, "loadgen: waiting %s for --start-at %s\n", d.Round(time.Millisecond), r.f.startAt)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-r.stopper.c:
	case <-ctx.Done():
	}
	return &exitError{code: exitSignal, err: errors.New("stopped before --start-at")}
}

// startBackground starts the progress line and the abort watcher; an
// abort_on_fail failure stops the run at once.
func (r *runner) startBackground(ctx context.Context) {
	bg, cancel := context.WithCancel(ctx)
	r.bgCancel = cancel
	r.bgWG.Add(1)
	go func() {
		defer r.bgWG.Done()
		if !r.f.quiet {
			progress(bg, r.st.stderr, r.rec)
		}
	}()
	if rules := r.w.AbortRules(); len(rules) > 0 {
		r.bgWG.Add(1)
		go func() {
			defer r.bgWG.Done()
			if failed := watchAborts(bg, r.rec, rules, r.began); len(failed) > 0 {
				r.aborted = failed
				fmt.Fprintf(r.st.stderr, "\nloadgen: aborting: %s\n", strings.Join(failed, "; "))
				r.stopper.abort()
			}
		}()
	}
}

// stopBackground stops what startBackground started and waits for it.
func (r *runner) stopBackground() {
	if r.bgCancel == nil {
		return
	}
	r.bgCancel()
	r.bgWG.Wait()
	r.bgCancel = nil
}

// wait runs the scenarios until they end, are stopped or the run is
// cancelled.
func (r *runner) wait(ctx context.Context) {
	var sink loadgen.Sink = r.rec
	opts := loadgen.Options{Stop: r.stopper.c, Seed: r.f.seed, Start: r.began}
	if r.tgt.svc != nil {
		opts.EmbeddedBusy = r.tgt.svc.BusyTime // names the embedded service when it saturates the generator
	}
	if r.exp != nil {
		sink = r.exp
		opts.Progress = r.exp.SetProgress
	}
	out, err := loadgen.Run(ctx, r.plan, sink, opts)
	r.runErr = err
	r.end = time.Now()
	if out != nil && !out.End.IsZero() {
		r.end = out.End // when the scenarios ended: teardown is not run time
	}
}

// stop stops the profiles, the progress line and the abort watcher.
func (r *runner) stop() {
	if err := r.stopProfiles(); err != nil {
		fmt.Fprintf(r.st.stderr, "loadgen: %v\n", err)
	}
	r.stopBackground()
}

// teardown deletes what setup and the run made, once: where the run ends
// normally, else (a signal during setup or before --start-at, a run folder
// that cannot be written, ...) on the way out. A hard stop skips it.
func (r *runner) teardown(ctx context.Context) {
	if r.ic == nil || !r.w.Teardown || !r.setUp || r.tornDown {
		return
	}
	r.tornDown = true
	if r.stopper.hard.Load() {
		fmt.Fprintln(r.st.stderr, "loadgen: teardown skipped: stopped at once")
		return
	}
	tctx, tcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	deleted, nfail, err := r.ic.Teardown(tctx)
	tcancel()
	fmt.Fprintf(r.st.stderr, "loadgen: teardown deleted %d groups and devices", deleted)
	if nfail > 0 {
		fmt.Fprintf(r.st.stderr, "; %d failed, first: %v", nfail, err)
	}
	fmt.Fprintln(r.st.stderr)
}

// write closes the sample stream, evaluates the thresholds, writes the run
// folder, prints the report, pushes the metrics and writes the vegeta
// stream. It returns a line for each failed threshold.
func (r *runner) write(ctx context.Context) (failed []string, err error) {
	r.rec.SetEnd(r.end)
	streamErr := r.rec.Close() // told when it happened (OnStreamError)
	sum := r.rec.Summary()
	sum.Generator.Runtime = results.ReadRuntime()
	failed = evaluate(sum, r.w)
	// The report is printed from memory first, so a run folder that
	// cannot be written (a full disk) does not take it along.
	report := sum.Headline
	if r.f.verbose {
		report = sum.Text
	}
	var errs []error
	printErr := report(r.st.stdout)
	if printErr != nil { // a closed pipe (| head): the folder is still written
		errs = append(errs, fmt.Errorf("printing the report: %w", printErr))
	}
	if streamErr != nil {
		errs = append(errs, streamErr)
	}
	if err := sum.WriteFiles(r.dir); err != nil {
		errs = append(errs, fmt.Errorf("writing the run folder %s: %w", r.dir, err))
	} else if !r.f.verbose {
		fmt.Fprintf(r.st.stdout, "\nService times, phases, scenarios and generator health: %s (or run with -v)\n", filepath.Join(r.dir, "report.txt"))
	}
	if r.exp != nil && r.f.pushgateway != "" {
		job := "loadgen-" + safeName(r.w.Name)
		if err := r.exp.Push(context.WithoutCancel(ctx), r.f.pushgateway, job); err != nil {
			fmt.Fprintf(r.st.stderr, "loadgen: %v\n", err)
		}
	}
	if r.f.vegeta != "" {
		if err := writeVegeta(r.st, r.dir, r.f.vegeta); err != nil {
			fmt.Fprintf(r.st.stderr, "loadgen: %v\n", err)
		}
	}
	fmt.Fprintf(r.st.stderr, "loadgen: run folder %s\n", r.dir)
	if len(errs) > 0 {
		if printErr != nil {
			return failed, withCode(exitRunError, errors.Join(errs...))
		}
		return failed, withCode(exitRunError, fmt.Errorf("%w (the report above is complete: it was printed from memory)", errors.Join(errs...)))
	}
	return failed, nil
}

// exitCode returns the error that carries the run's exit code: 99 for an
// abort, 1 for a run error, 105 for a signal, 99 for failed thresholds.
func (r *runner) exitCode(ctx context.Context, failed []string) error {
	reason := r.stopper.stopped()
	switch {
	case reason == stopAbort:
		return &exitError{code: exitThresholds, err: fmt.Errorf("aborted by abort_on_fail: %s", strings.Join(r.aborted, "; "))}
	case r.runErr != nil && !errors.Is(r.runErr, context.Canceled):
		return withCode(exitRunError, fmt.Errorf("run: %w", r.runErr))
	case reason == stopSignal || ctx.Err() != nil:
		return &exitError{code: exitSignal}
	case len(failed) > 0:
		return &exitError{code: exitThresholds, err: fmt.Errorf("%d threshold(s) failed:\n  %s", len(failed), strings.Join(failed, "\n  "))}
	}
	return nil
}

// close releases what the steps acquired, also after a failed step: the
// background goroutines, the recorder, the metrics endpoint, what setup
// made (teardown, unless done), the SDK client and the target.
func (r *runner) close(ctx context.Context) {
	if r.stopProfiles != nil {
		r.stopProfiles() // no-op after stop
	}
	r.stopBackground()
	if r.rec != nil {
		r.rec.Close() // no-op after write; error reported there
	}
	if r.stopMetrics != nil {
		r.stopMetrics()
	}
	if r.metricsLn != nil {
		r.metricsLn.Close() // bound, never served: the run stopped before it started
	}
	if r.dash != nil {
		r.dash.close()
	}
	r.teardown(ctx)
	if r.ic != nil {
		r.ic.Close()
	}
	if r.tgt != nil {
		r.tgt.close()
	}
}
