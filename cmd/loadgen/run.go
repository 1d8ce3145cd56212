package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

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
	verbose         bool
	shard           string
	shards          int
	startAt         string
	metricsAddr     string
	dashboard       string
	dashboardExpose bool
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
			keepWritingOnClosedConsole()
			if f.quiet && f.verbose {
				return &exitError{code: exitUsage, err: errors.New("-q/--quiet and -v/--verbose exclude each other: -q drops the progress line, -v prints the whole report; give one")}
			}
			o := runOverrides{}
			if cmd.Flags().Changed("rate") {
				r, err := scenarios.ParseRate(f.rate)
				if err != nil {
					return &exitError{code: exitUsage, err: fmt.Errorf("--rate: %w", err)}
				}
				if r <= 0 {
					return &exitError{code: exitUsage, err: fmt.Errorf("--rate %s: want more than 0, e.g. 200/s (to run nothing, use --dry-run)", f.rate)}
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
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print the whole report (service times, phases, scenarios, generator health), not only the headline; report.txt has it either way")
	fl.StringVar(&f.shard, "shard", "", "run shard INDEX/COUNT of the workload (0/3, 1/3, 2/3): 1/COUNT of every rate, worker count, iteration count and setup total")
	fl.IntVar(&f.shards, "shards", 0, "shard count, with the index from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)")
	fl.StringVar(&f.startAt, "start-at", "", "wait until this wall time (RFC 3339, e.g. 2026-11-27T10:00:00Z, within a day) before starting, to align shards; a time past is refused; now starts at once")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics while running, e.g. 127.0.0.1:9090 (:9090 is every interface; :0 picks a port; the address bound is printed)")
	fl.StringVar(&f.dashboard, "dashboard", "", "serve a live dashboard at http://ADDR/ while running (report.html's charts, updated every second; /events, /summary.json), e.g. 127.0.0.1:8089")
	fl.BoolVar(&f.dashboardExpose, "dashboard-expose", false, "allow --dashboard on an address that is not loopback (it has no login)")
	fl.StringVar(&f.pushgateway, "pushgateway", "", "push the final metrics to this Prometheus Pushgateway URL when the run ends")
	fl.StringVar(&f.saveIdentities, "save-identities", "", "after setup, save the identities it made to this file (0600; it holds device keys), for a later run's setup.from")
	fl.StringVar(&f.vegeta, "vegeta", "", "also write the samples as vegeta's gob result stream to this file (vegeta report, vegeta plot)")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the run to this file (go tool pprof)")
	fl.StringVar(&f.trace, "trace", "", "write a Go execution trace of the run to this file (go tool trace)")
	return cmd
}

// runOverrides are the CLI overrides of the workload.
type runOverrides = scenarios.Overrides

// resolveShard reads --shard I/N, or --shards N with the index from
// $JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
func resolveShard(st *state, f *runFlags) (scenarios.Shard, error) {
	switch {
	case f.shard != "" && f.shards != 0:
		return scenarios.Shard{}, &exitError{code: exitUsage, err: fmt.Errorf("--shard %s and --shards %d exclude each other: give --shard INDEX/COUNT, or --shards COUNT with $JOB_COMPLETION_INDEX", f.shard, f.shards)}
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
