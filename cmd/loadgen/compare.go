package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ironcorelabs/loadgen/results/compare"
)

// compareFlags are the flags of `loadgen compare`.
type compareFlags struct {
	maps, gates   []string
	columns, unit string
	format, out   string
	noDefaultMap  bool
	seed          uint64
	resamples     int
	confidence    float64
	gatlingRanks  []float64
}

func newCompareCommand(st *state) *cobra.Command {
	var f compareFlags
	cmd := &cobra.Command{
		Use:   "compare <baseline> <candidate>...",
		Short: "Compare runs of loadgen, Gatling, vegeta or other tools, with a verdict per op",
		Long: `Compare sets each candidate beside the baseline, op by op: count, errors,
throughput, min, p50, p75, p95, p99, max, mean and stddev, and their changes.

Each input's format is detected: a loadgen run folder or summary.json, a
Gatling simulation.log (text layouts of 3.0-3.12, binary layout of 3.13-3.15)
or its report's stats.json / global_stats.json, vegeta results (gob, JSON or
CSV), a CSV of percentiles per op, or, with --columns, a CSV or JSON-lines
file of samples.

Where both sides hold distributions (samples or HdrHistograms), the change in
p50 and p99 gets a seeded bootstrap confidence interval; an interval spanning
0 reads "no significant difference". Where one side gives only percentiles
(Gatling's are t-digest estimates in whole ms), the other side's quantiles at
the same rank ±1% bound the comparison. Op names of other tools map to
loadgen's through --map and a built-in map of the ironoxide-java and
ironoxide-scala method names.

--fail-on gates exit with 99 when a rule fails on any op. Rules on p50 or
p99 do not fail while the change is not significant.`,
		Example: `  # this run against the last one, failing on a p99 or error-rate regression
  loadgen compare runs/docs-20261126T031608Z runs/docs-20261127T031608Z \
    --fail-on 'p99>+10%' --fail-on 'error_rate>+0.5pp'

  # against the Scala stress test's Gatling log, mapping one request name
  loadgen compare target/gatling/docs-123/simulation.log runs/docs-20261127T031608Z \
    --map 'encrypt 4KiB=document_encrypt'

  # against a CSV of samples with latencies in microseconds
  loadgen compare scala-samples.csv runs/docs-20261127T031608Z \
    --columns op=method,latency=elapsed:us,ok=success

  # an HTML page of the comparison
  loadgen compare old.bin runs/docs-20261127T031608Z --format html --out compare.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return &exitError{code: exitUsage, err: fmt.Errorf("%s takes a baseline and one or more candidates (got %d arguments); see %s --help",
					cmd.CommandPath(), len(args), cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return compareRuns(st, cmd.OutOrStdout(), args, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.maps, "map", nil, "map an op name of another tool to a loadgen op, NAME=OP (repeatable)")
	fl.BoolVar(&f.noDefaultMap, "no-default-map", false, "do not map the ironoxide-java/scala method names to loadgen ops")
	fl.StringArrayVar(&f.gates, "fail-on", nil, "exit 99 when a change crosses this rule, e.g. 'p99>+10%', 'error_rate>+0.5pp', 'document_encrypt:p50>+5ms' (repeatable)")
	fl.StringVar(&f.columns, "columns", "", "the input is a CSV or JSON-lines file of samples with these columns: op=COL,latency=COL[:unit],ok=COL,error=COL,status=COL,start=COL[:unit]")
	fl.StringVar(&f.unit, "unit", "", "unit of a percentile CSV's time columns without a unit suffix: ns, us, ms or s [default: ms]")
	fl.Float64SliceVar(&f.gatlingRanks, "gatling-percentiles", nil, "ranks of Gatling's percentiles1..4 when not named in the report's index.html [default: 50,75,95,99]")
	fl.StringVar(&f.format, "format", "text", "report format: text, json or html")
	fl.StringVarP(&f.out, "out", "o", "", "write the report to this file instead of stdout")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the bootstrap (same seed, same intervals)")
	fl.IntVar(&f.resamples, "resamples", 2000, "bootstrap resamples")
	fl.Float64Var(&f.confidence, "confidence", 0.95, "confidence level of the intervals")
	return cmd
}

// writeReport writes the report to path, or to stdout when path is empty.
func writeReport(stdout io.Writer, path string, cs []*compare.Comparison, write func(io.Writer, []*compare.Comparison) error) error {
	if path == "" {
		return write(stdout, cs)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	return errors.Join(write(f, cs), f.Close())
}

// compareWriter writes a comparison report in one format.
type compareWriter func(io.Writer, []*compare.Comparison) error

// options checks the flags and turns them into compare's options, the
// --fail-on rules and the report's writer; a bad flag is a usage error.
func (f *compareFlags) options() (compare.Options, []compare.Rule, compareWriter, error) {
	usage := func(err error) error { return &exitError{code: exitUsage, err: err} }
	opts := compare.Options{Mapping: compare.DefaultMapping()}
	if f.noDefaultMap {
		opts.Mapping = &compare.Mapping{}
	}
	for _, m := range f.maps {
		if err := opts.Mapping.Parse(m); err != nil {
			return compare.Options{}, nil, nil, usage(err)
		}
	}
	if f.columns != "" {
		c, err := compare.ParseColumns(f.columns)
		if err != nil {
			return compare.Options{}, nil, nil, usage(err)
		}
		opts.Columns = c
	}
	if f.unit != "" {
		u, err := compare.ParseUnit(f.unit)
		if err != nil {
			return compare.Options{}, nil, nil, usage(fmt.Errorf("--unit: %w", err))
		}
		opts.Unit = u
	}
	switch len(f.gatlingRanks) {
	case 0:
	case 4:
		copy(opts.GatlingPercentiles[:], f.gatlingRanks)
	default:
		return compare.Options{}, nil, nil, usage(fmt.Errorf("--gatling-percentiles takes 4 ranks (percentiles1..4 of gatling.conf), got %d", len(f.gatlingRanks)))
	}
	// Compare would quietly put 0.95 and 2000 in place of values
	// out of range; the user should hear that theirs was not used.
	if f.confidence <= 0 || f.confidence >= 1 {
		return compare.Options{}, nil, nil, usage(fmt.Errorf("--confidence %g: want a level between 0 and 1, e.g. 0.95", f.confidence))
	}
	if f.resamples < 1 {
		return compare.Options{}, nil, nil, usage(fmt.Errorf("--resamples %d: want 1 or more, e.g. 2000", f.resamples))
	}
	var rules []compare.Rule
	for _, g := range f.gates {
		r, err := compare.ParseRule(g)
		if err != nil {
			return compare.Options{}, nil, nil, usage(err)
		}
		rules = append(rules, r)
	}
	var write compareWriter
	switch f.format {
	case "text":
		write = compare.WriteText
	case "json":
		write = compare.WriteJSON
	case "html":
		write = compare.WriteHTML
	default:
		return compare.Options{}, nil, nil, usage(fmt.Errorf("--format %q: want text, json or html", f.format))
	}
	return opts, rules, write, nil
}

// compareRuns loads the runs, compares each candidate with the baseline,
// writes the report and returns the error that carries the exit code.
func compareRuns(st *state, stdout io.Writer, args []string, f *compareFlags) error {
	opts, rules, write, err := f.options()
	if err != nil {
		return err
	}
	usage := func(err error) error { return &exitError{code: exitUsage, err: err} }
	if f.out != "" {
		if err := checkOutFile(f.out); err != nil {
			return usage(fmt.Errorf("--out %s: %w", f.out, err))
		}
		// Never over an input, nor a file of an input's run folder.
		for _, a := range args {
			dir := ""
			if fi, err := os.Stat(a); err == nil && fi.IsDir() {
				dir = a
			}
			if err := checkDistinctOutputs([]output{{"--out", f.out}}, []input{{"an input to compare", a}}, dir); err != nil {
				return usage(err)
			}
		}
	}
	runs := make([]*compare.Run, len(args))
	for i, a := range args {
		r, err := compare.Load(a, opts)
		if err != nil {
			return inputError(err)
		}
		runs[i] = r
	}
	// A gate that passes on no data checks nothing: exit 1.
	if err := compare.CheckGate(runs, rules); err != nil {
		return withCode(exitRunError, err)
	}
	cfg := compare.Config{Seed: f.seed, Resamples: f.resamples, Confidence: f.confidence}
	var cs []*compare.Comparison
	failed := 0
	for _, cand := range runs[1:] {
		c := compare.Compare(runs[0], cand, cfg)
		failed += len(c.ApplyGate(rules))
		cs = append(cs, c)
		for _, d := range c.MetaDiffs {
			fmt.Fprintf(st.stderr, "loadgen: warning: %s differs between %s (%q) and %s (%q)\n", d.Key, runs[0].Source, d.Baseline, cand.Source, d.Candidate)
		}
	}
	if err := writeReport(stdout, f.out, cs, write); err != nil {
		return withCode(exitRunError, err)
	}
	if failed > 0 {
		return &exitError{code: exitThresholds, err: fmt.Errorf("compare: %d gate failure(s)", failed)}
	}
	return nil
}
