package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ironcorelabs/loadgen/results/compare"
)

func newCompareCommand(st *state) *cobra.Command {
	var (
		maps, gates   []string
		columns, unit string
		format, out   string
		noDefaultMap  bool
		seed          uint64
		resamples     int
		confidence    float64
		gatlingRanks  []float64
	)
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
			usage := func(err error) error { return &exitError{code: exitUsage, err: err} }
			opts := compare.Options{Mapping: compare.DefaultMapping()}
			if noDefaultMap {
				opts.Mapping = &compare.Mapping{}
			}
			for _, m := range maps {
				if err := opts.Mapping.Parse(m); err != nil {
					return usage(err)
				}
			}
			if columns != "" {
				c, err := compare.ParseColumns(columns)
				if err != nil {
					return usage(err)
				}
				opts.Columns = c
			}
			if unit != "" {
				u, err := compare.ParseUnit(unit)
				if err != nil {
					return usage(fmt.Errorf("--unit: %w", err))
				}
				opts.Unit = u
			}
			switch len(gatlingRanks) {
			case 0:
			case 4:
				copy(opts.GatlingPercentiles[:], gatlingRanks)
			default:
				return usage(fmt.Errorf("--gatling-percentiles takes 4 ranks (percentiles1..4 of gatling.conf), got %d", len(gatlingRanks)))
			}
			// Compare would quietly put 0.95 and 2000 in place of values
			// out of range; the user should hear that theirs was not used.
			if confidence <= 0 || confidence >= 1 {
				return usage(fmt.Errorf("--confidence %g: want a level between 0 and 1, e.g. 0.95", confidence))
			}
			if resamples < 1 {
				return usage(fmt.Errorf("--resamples %d: want 1 or more, e.g. 2000", resamples))
			}
			var rules []compare.Rule
			for _, g := range gates {
				r, err := compare.ParseRule(g)
				if err != nil {
					return usage(err)
				}
				rules = append(rules, r)
			}
			var write func(io.Writer, []*compare.Comparison) error
			switch format {
			case "text":
				write = compare.WriteText
			case "json":
				write = compare.WriteJSON
			case "html":
				write = compare.WriteHTML
			default:
				return usage(fmt.Errorf("--format %q: want text, json or html", format))
			}

			if out != "" {
				if err := checkOutFile(out); err != nil {
					return usage(fmt.Errorf("--out %s: %w", out, err))
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
			cfg := compare.Config{Seed: seed, Resamples: resamples, Confidence: confidence}
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
			if err := writeReport(cmd.OutOrStdout(), out, cs, write); err != nil {
				return withCode(exitRunError, err)
			}
			if failed > 0 {
				return &exitError{code: exitThresholds, err: fmt.Errorf("compare: %d gate failure(s)", failed)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&maps, "map", nil, "map an op name of another tool to a loadgen op, NAME=OP (repeatable)")
	f.BoolVar(&noDefaultMap, "no-default-map", false, "do not map the ironoxide-java/scala method names to loadgen ops")
	f.StringArrayVar(&gates, "fail-on", nil, "exit 99 when a change crosses this rule, e.g. 'p99>+10%', 'error_rate>+0.5pp', 'document_encrypt:p50>+5ms' (repeatable)")
	f.StringVar(&columns, "columns", "", "the input is a CSV or JSON-lines file of samples with these columns: op=COL,latency=COL[:unit],ok=COL,error=COL,status=COL,start=COL[:unit]")
	f.StringVar(&unit, "unit", "", "unit of a percentile CSV's time columns without a unit suffix: ns, us, ms or s [default: ms]")
	f.Float64SliceVar(&gatlingRanks, "gatling-percentiles", nil, "ranks of Gatling's percentiles1..4 when not named in the report's index.html [default: 50,75,95,99]")
	f.StringVar(&format, "format", "text", "report format: text, json or html")
	f.StringVarP(&out, "out", "o", "", "write the report to this file instead of stdout")
	f.Uint64Var(&seed, "seed", 1, "seed of the bootstrap (same seed, same intervals)")
	f.IntVar(&resamples, "resamples", 2000, "bootstrap resamples")
	f.Float64Var(&confidence, "confidence", 0.95, "confidence level of the intervals")
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
