package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/metrics"
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
	shard           string
	shards          int
	startAt         string
	metricsAddr     string
	pushgateway     string
	saveIdentities  string
	cpuProfile      string
	trace           string
	vegeta          string
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
	fl.StringVar(&f.shard, "shard", "", "run shard INDEX/COUNT of the workload (0/3, 1/3, 2/3): 1/COUNT of every rate, worker count, iteration count and setup total")
	fl.IntVar(&f.shards, "shards", 0, "shard count, with the index from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)")
	fl.StringVar(&f.startAt, "start-at", "", "wait until this wall time (RFC 3339, e.g. 2026-11-27T10:00:00Z) before starting, to align shards")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics while running, e.g. 127.0.0.1:9090")
	fl.StringVar(&f.pushgateway, "pushgateway", "", "push the final metrics to this Prometheus Pushgateway URL when the run ends")
	fl.StringVar(&f.saveIdentities, "save-identities", "", "after setup, save the identities it made to this file (0600; it holds device keys), for a later run's setup.from")
	fl.StringVar(&f.vegeta, "vegeta", "", "also write the samples as vegeta's gob result stream to this file (vegeta report, vegeta plot)")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the run to this file (go tool pprof)")
	fl.StringVar(&f.trace, "trace", "", "write a Go execution trace of the run to this file (go tool trace)")
	cmd.MarkFlagsMutuallyExclusive("shard", "shards")
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
	shard, err := resolveShard(st, f)
	if err != nil {
		return err
	}
	if err := w.Apply(o); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if err := w.Split(shard); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	var startAt time.Time
	if f.startAt != "" {
		if startAt, err = time.Parse(time.RFC3339, f.startAt); err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("--start-at %q: want an RFC 3339 time such as 2026-11-27T10:00:00Z", f.startAt)}
		}
	}
	if f.dryRun {
		return dryRun(st.stdout, w)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Signals: the first stops gracefully, the second cancels at once.
	stop := make(chan struct{})
	var stopOnce sync.Once
	var stopMu sync.Mutex
	stopReason := ""
	stopRun := func(reason string) {
		stopOnce.Do(func() {
			stopMu.Lock()
			stopReason = reason
			stopMu.Unlock()
			close(stop)
		})
	}
	var hardStop atomic.Bool
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
					stopRun("signal")
					continue
				}
				fmt.Fprintf(st.stderr, "\nloadgen: %v: stopping now (measured results are still written; a third signal kills)\n", s)
				hardStop.Store(true)
				cancel()
				unsubscribe() // a third signal takes its default action
				return
			}
		}
	}()
	defer func() { cancel(); <-sigDone }()

	tgt, err := startTarget(ctx, w, f.seed)
	if err != nil {
		return withCode(exitRunError, err)
	}
	defer tgt.close()

	ic, err := tgt.ironCore(w, shard)
	if err != nil {
		return withCode(exitRunError, err)
	}
	client, err := rawHTTPClient(w)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	env := &ops.Env{Target: tgt.url, Client: client, Timeout: w.Target.Timeout, IronCore: ic}
	plan, err := scenarios.Compile(w, ops.Default(), env)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	// teardown deletes what setup and the run made, once: where the run
	// ends normally, else (a signal during setup or before --start-at, a
	// run folder that cannot be written, ...) on the way out.
	tornDown := false
	teardown := func() {
		if ic == nil || !w.Teardown || tornDown {
			return
		}
		tornDown = true
		if hardStop.Load() {
			fmt.Fprintln(st.stderr, "loadgen: teardown skipped: stopped at once")
			return
		}
		tctx, tcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		deleted, nfail, err := ic.Teardown(tctx)
		tcancel()
		fmt.Fprintf(st.stderr, "loadgen: teardown deleted %d groups and devices", deleted)
		if nfail > 0 {
			fmt.Fprintf(st.stderr, "; %d failed, first: %v", nfail, err)
		}
		fmt.Fprintln(st.stderr)
	}
	if ic != nil {
		defer ic.Close()
		defer teardown()
		// The first signal stops setup too: it makes no iterations.
		sctx, scancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-stop:
				scancel()
			case <-sctx.Done():
			}
		}()
		err := setupIronCore(sctx, st, w, ic, f)
		stopped := sctx.Err() != nil
		scancel()
		if err != nil {
			if stopped {
				return &exitError{code: exitSignal, err: err}
			}
			return withCode(exitRunError, err)
		}
		select {
		case <-stop:
			return &exitError{code: exitSignal, err: errors.New("stopped during setup")}
		default:
		}
	} else if w.Setup != (scenarios.Setup{}) {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: setup needs an IronCore target (target.url: embedded, or identity: {config, key_file})", w.File)}
	}

	if err := tgt.armFaults(); err != nil {
		return withCode(exitRunError, err)
	}

	if !startAt.IsZero() {
		if d := time.Until(startAt); d > 0 {
			fmt.Fprintf(st.stderr, "loadgen: waiting %s for --start-at %s\n", d.Round(time.Millisecond), f.startAt)
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-stop:
				t.Stop()
				return &exitError{code: exitSignal, err: errors.New("stopped before --start-at")}
			case <-ctx.Done():
				t.Stop()
				return &exitError{code: exitSignal, err: errors.New("stopped before --start-at")}
			}
		}
	}

	start := time.Now()
	dir := expandOutDir(w.Output.Dir, w.Name, start, shard)
	if f.out != "" {
		dir = outDirReplacer(w.Name, start, shard).Replace(f.out) // as given: no -shard-I added
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withCode(exitRunError, fmt.Errorf("run folder: %w", err))
	}
	if err := copyWorkload(w.File, filepath.Join(dir, "workload.yaml")); err != nil {
		return withCode(exitRunError, fmt.Errorf("run folder: %w", err))
	}

	ver, commit := buildInfo()
	rec, err := results.NewRecorder(results.Config{
		Dir:   dir,
		Start: start,
		Meta: results.RunMeta{
			Name:           w.Name,
			Start:          start,
			Shard:          shard.String(),
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

	var sink loadgen.Sink = rec
	var exp *metrics.Exporter
	if f.metricsAddr != "" || f.pushgateway != "" {
		exp = metrics.New(rec, prometheus.Labels{"run": w.Name, "shard": shard.String()})
		sink = exp
	}
	if f.metricsAddr != "" {
		stopMetrics, err := serveMetrics(f.metricsAddr, exp)
		if err != nil {
			rec.Close()
			return &exitError{code: exitUsage, err: err}
		}
		defer stopMetrics()
	}

	fmt.Fprintf(st.stderr, "loadgen: running %s against %s; run folder %s\n", w.Name, tgt.describe, dir)

	bg, bgCancel := context.WithCancel(ctx)
	var bgWG sync.WaitGroup
	bgWG.Add(1)
	go func() {
		defer bgWG.Done()
		if !f.quiet {
			progress(bg, st.stderr, rec)
		}
	}()
	var aborted []string
	if rules := w.AbortRules(); len(rules) > 0 {
		bgWG.Add(1)
		go func() {
			defer bgWG.Done()
			if failed := watchAborts(bg, rec, rules, start); len(failed) > 0 {
				aborted = failed
				fmt.Fprintf(st.stderr, "\nloadgen: aborting: %s\n", strings.Join(failed, "; "))
				stopRun("abort")
				cancel()
			}
		}()
	}

	stopProfiles, err := startProfiles(f.cpuProfile, f.trace)
	if err != nil {
		bgCancel()
		bgWG.Wait()
		rec.Close()
		return &exitError{code: exitUsage, err: err}
	}
	opts := loadgen.Options{Stop: stop, Seed: f.seed, Start: start}
	if exp != nil {
		opts.Progress = exp.SetProgress
	}
	out, runErr := loadgen.Run(ctx, plan, sink, opts)
	end := time.Now()
	if out != nil && !out.End.IsZero() {
		end = out.End // when the scenarios ended: teardown is not run time
	}
	if err := stopProfiles(); err != nil {
		fmt.Fprintf(st.stderr, "loadgen: %v\n", err)
	}
	bgCancel()
	bgWG.Wait()

	teardown()

	rec.SetEnd(end)
	if err := rec.Close(); err != nil {
		fmt.Fprintf(st.stderr, "loadgen: closing the sample stream: %v\n", err)
	}
	sum := rec.Summary()
	sum.Generator.Runtime = results.ReadRuntime()
	failed := evaluate(sum, w)
	if err := sum.WriteFiles(dir); err != nil {
		return withCode(exitRunError, fmt.Errorf("writing the run folder: %w", err))
	}
	if err := sum.Text(st.stdout); err != nil {
		return withCode(exitRunError, err)
	}
	if exp != nil && f.pushgateway != "" {
		job := "loadgen-" + safeName(w.Name)
		if err := exp.Push(context.WithoutCancel(ctx), f.pushgateway, job); err != nil {
			fmt.Fprintf(st.stderr, "loadgen: %v\n", err)
		}
	}
	if f.vegeta != "" {
		if err := writeVegeta(st, dir, f.vegeta); err != nil {
			fmt.Fprintf(st.stderr, "loadgen: %v\n", err)
		}
	}
	fmt.Fprintf(st.stderr, "loadgen: run folder %s\n", dir)

	stopMu.Lock()
	reason := stopReason
	stopMu.Unlock()
	switch {
	case reason == "abort":
		return &exitError{code: exitThresholds, err: fmt.Errorf("aborted by abort_on_fail: %s", strings.Join(aborted, "; "))}
	case runErr != nil && !errors.Is(runErr, context.Canceled):
		return withCode(exitRunError, fmt.Errorf("run: %w", runErr))
	case reason == "signal" || ctx.Err() != nil:
		return &exitError{code: exitSignal}
	case len(failed) > 0:
		return &exitError{code: exitThresholds, err: fmt.Errorf("%d threshold(s) failed:\n  %s", len(failed), strings.Join(failed, "\n  "))}
	}
	return nil
}

// rawHTTPClient returns the client of the workload's http steps, with the
// target's TLS settings (ca_file, insecure_skip_verify) and http2, as the
// SDK ops get them.
func rawHTTPClient(w *scenarios.Workload) (*http.Client, error) {
	c := ops.NewHTTPClient(w.Target.Timeout, w.Target.TLS.InsecureSkipVerify)
	t, ok := c.Transport.(*http.Transport)
	if !ok {
		return c, nil
	}
	if f := w.Target.TLS.CAFile; f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%s: target.tls.ca_file: %w", w.File, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: target.tls.ca_file %s: no PEM certificates in it", w.File, f)
		}
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		t.TLSClientConfig.RootCAs = pool
	}
	if w.Target.HTTP2 == "off" {
		t.ForceAttemptHTTP2 = false
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return c, nil
}

// resolveShard reads --shard I/N, or --shards N with the index from
// $JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
func resolveShard(st *state, f *runFlags) (scenarios.Shard, error) {
	switch {
	case f.shard != "":
		s, err := scenarios.ParseShard(f.shard)
		if err != nil {
			return s, &exitError{code: exitUsage, err: fmt.Errorf("--shard: %w", err)}
		}
		return s, nil
	case f.shards > 0:
		v, ok := st.getenv("JOB_COMPLETION_INDEX")
		if !ok {
			return scenarios.Shard{}, &exitError{code: exitUsage, err: errors.New("--shards needs $JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job); or give --shard INDEX/COUNT")}
		}
		s, err := scenarios.ParseShard(v + "/" + strconv.Itoa(f.shards))
		if err != nil {
			return s, &exitError{code: exitUsage, err: fmt.Errorf("--shards %d with JOB_COMPLETION_INDEX=%q: %w", f.shards, v, err)}
		}
		return s, nil
	case f.shards < 0:
		return scenarios.Shard{}, &exitError{code: exitUsage, err: fmt.Errorf("--shards %d: want 1 or more", f.shards)}
	}
	return scenarios.Shard{}, nil
}

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
			if !res.OK && res.Measured {
				failed = append(failed, res.String())
			}
		}
		if len(failed) > 0 {
			return failed
		}
	}
}

// serveMetrics serves the exporter at http://addr/metrics until the
// returned stop is called.
func serveMetrics(addr string, exp *metrics.Exporter) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %q: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", exp.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, nil
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

// expandOutDir fills {name}, {time} and {shard} in a run-folder template.
// A sharded run whose template has no {shard} gets "-shard-I" appended, so
// shards writing to one volume never share a folder.
func expandOutDir(tmpl, name string, start time.Time, shard scenarios.Shard) string {
	if tmpl == "" {
		tmpl = "runs/{name}-{time}"
	}
	if shard.Count > 0 && !strings.Contains(tmpl, "{shard}") {
		tmpl += "-shard-{shard}"
	}
	return outDirReplacer(name, start, shard).Replace(tmpl)
}

// outDirReplacer fills {name}, {time} and {shard} (the shard index; empty
// for an unsplit run) in a run-folder path.
func outDirReplacer(name string, start time.Time, shard scenarios.Shard) *strings.Replacer {
	sh := ""
	if shard.Count > 0 {
		sh = strconv.Itoa(shard.Index)
	}
	return strings.NewReplacer("{name}", safeName(name), "{time}", start.UTC().Format("20060102T150405Z"), "{shard}", sh)
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

// copyWorkload copies the workload file into the run folder, with the value
// of every `password:` field and of every credential header of an http
// step (Authorization, Cookie, API keys, tokens) written out literally
// replaced by a marker, and the password of every `url:` masked (a ${VAR} stays as it is: it holds no secret). The copy keeps what
// `loadgen report` and `loadgen merge` need: scenarios and thresholds.
func copyWorkload(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err == nil && redactPasswords(&doc) {
		if out, err := yaml.Marshal(&doc); err == nil {
			b = out
		}
	}
	return os.WriteFile(dst, b, 0o644)
}

// redactPasswords replaces literal password values in n and reports whether
// it changed anything.
func redactPasswords(n *yaml.Node) bool {
	changed := false
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "password" && redactScalar(v) {
				changed = true
			}
			// A URL's password (target.url, an http step's url).
			if k.Value == "url" && v.Kind == yaml.ScalarNode {
				if u, err := url.Parse(v.Value); err == nil && u.User != nil {
					if _, ok := u.User.Password(); ok {
						v.Value = u.Redacted()
						changed = true
					}
				}
			}
			// An http step's credentials: Authorization, cookies, API
			// keys and tokens written out in its headers.
			if k.Value == "headers" && v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					if sensitiveHeader(v.Content[j].Value) && redactScalar(v.Content[j+1]) {
						changed = true
					}
				}
			}
		}
	}
	for _, c := range n.Content {
		if redactPasswords(c) {
			changed = true
		}
	}
	return changed
}

// redactScalar replaces a literal scalar value (not a ${VAR}) with a
// marker and reports whether it did.
func redactScalar(v *yaml.Node) bool {
	if v.Kind != yaml.ScalarNode || strings.HasPrefix(strings.TrimSpace(v.Value), "${") {
		return false
	}
	v.Value, v.Style, v.Tag = "redacted-by-loadgen", 0, "!!str"
	return true
}

// sensitiveHeader reports whether an HTTP header of this name carries a
// credential.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	for _, s := range []string{"token", "secret", "password", "api-key", "apikey", "api_key", "auth"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// dryRun prints what the workload would run: iterations and requests per
// op, peak rate and workers, and an estimate of the client's crypto CPU
// from primitives timed on this machine.
func dryRun(w io.Writer, wl *scenarios.Workload) error {
	placeholder, _ := url.Parse("http://127.0.0.1/")
	plan, err := scenarios.Compile(wl, ops.Default(), &ops.Env{Target: placeholder, IronCore: &ops.IronCore{}})
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(w, "workload %s (%s), GOMAXPROCS %d\n", wl.Name, wl.File, runtime.GOMAXPROCS(0))
	var cal *ops.Calibration
	var peak float64
	var cpu, length time.Duration
	workers := 0
	perOp := map[string]float64{}
	var order []string
	for i, sc := range plan.Scenarios {
		n, rate, wk := sc.Executor.Planned()
		peak += rate
		workers += wk
		length = max(length, sc.StartAfter+sc.Executor.Length())
		iters := strconv.FormatInt(n, 10)
		if n < 0 {
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

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// setupIronCore fills the identity pool before the run's clock starts:
// identities from setup.from, then setup's users, groups and documents, with
// a progress line. None of it is measured.
func setupIronCore(ctx context.Context, st *state, w *scenarios.Workload, ic *ops.IronCore, f *runFlags) error {
	began := time.Now()
	if w.Setup.From != "" {
		n, err := ic.LoadIdentities(ctx, w.Setup.From)
		if err != nil {
			return err
		}
		fmt.Fprintf(st.stderr, "loadgen: setup: %d identities from %s\n", n, w.Setup.From)
	}
	want := ops.SetupCounts{Users: w.Setup.Users, Groups: w.Setup.Groups, Documents: w.Setup.Documents}
	if want != (ops.SetupCounts{}) {
		var mu sync.Mutex
		last := time.Time{}
		progress := func(kind string, done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if done == total || time.Since(last) > 500*time.Millisecond {
				last = time.Now()
				fmt.Fprintf(st.stderr, "loadgen: setup: %s %d/%d %s\n", kind, done, total, bar(done, total, 20))
			}
		}
		if err := ic.Setup(ctx, want, 2*runtime.GOMAXPROCS(0), progress); err != nil {
			return err
		}
	}
	if f.saveIdentities != "" {
		if err := ic.SaveIdentities(f.saveIdentities); err != nil {
			return err
		}
		fmt.Fprintf(st.stderr, "loadgen: setup: identities saved to %s (0600)\n", f.saveIdentities)
	}
	if u, g, d := ic.Pool().Counts(); u+g+d > 0 {
		fmt.Fprintf(st.stderr, "loadgen: setup: %d users, %d groups, %d documents in %s (not measured)\n", u, g, d, time.Since(began).Round(time.Millisecond))
	}
	return nil
}

// bar draws a progress bar of width cells.
func bar(done, total, width int) string {
	if total <= 0 {
		return ""
	}
	n := done * width / total
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

// startProfiles starts a CPU profile and an execution trace when their
// files are named; the returned function stops both and closes the files.
func startProfiles(cpuFile, traceFile string) (stop func() error, err error) {
	var closers []func() error
	stop = func() error {
		var errs []error
		for i := len(closers) - 1; i >= 0; i-- {
			errs = append(errs, closers[i]())
		}
		closers = nil
		return errors.Join(errs...)
	}
	if cpuFile != "" {
		f, err := os.Create(cpuFile)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		closers = append(closers, func() error { pprof.StopCPUProfile(); return f.Close() })
	}
	if traceFile != "" {
		f, err := os.Create(traceFile)
		if err != nil {
			stop()
			return nil, fmt.Errorf("--trace: %w", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			stop()
			return nil, fmt.Errorf("--trace: %w", err)
		}
		closers = append(closers, func() error { trace.Stop(); return f.Close() })
	}
	return stop, nil
}

// writeVegeta writes a run folder's samples as vegeta results to path.
func writeVegeta(st *state, dir, path string) error {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--vegeta: %w", err)
	}
	warnings, err := results.WriteVegeta(dir, out)
	for _, w := range warnings {
		fmt.Fprintf(st.stderr, "loadgen: warning: %s\n", w)
	}
	if cerr := out.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--vegeta %s: %w", path, err)
	}
	return nil
}
