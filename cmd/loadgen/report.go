package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ironcorelabs/loadgen/internal/capped"
	"github.com/ironcorelabs/loadgen/results"
	"github.com/ironcorelabs/loadgen/scenarios"
)

func newReportCommand(st *state) *cobra.Command {
	var vars []string
	var vegeta string
	cmd := &cobra.Command{
		Use:   "report <run-folder>",
		Short: "Rebuild a run folder's summary and reports from its sample stream",
		Long: `Rebuild summary.json and report.txt of a run folder from its durable sample
stream. This works on a run that was killed: everything flushed before the kill
is kept, and a torn last record is skipped with a warning. When the stream
lacks samples the run counted, the summary.json the run wrote is kept as
summary.run.json. Thresholds of the workload copied into the folder are
evaluated again.`,
		Example: `  # after a run was killed with SIGKILL
  loadgen report runs/http-smoke-20261127T031608Z

  # for vegeta's tools
  loadgen report runs/http-smoke-20261127T031608Z --vegeta results.bin && vegeta report results.bin`,
		Args: exactArgs(1, "a run folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			keepWritingOnClosedConsole()
			dir := args[0]
			if _, err := parseVars(vars); err != nil {
				return err
			}
			if vegeta != "" {
				if err := checkOutFile(vegeta); err != nil {
					return &exitError{code: exitUsage, err: fmt.Errorf("--vegeta %s: %w", vegeta, err)}
				}
				if err := checkDistinctOutputs([]output{{"--vegeta", vegeta}}, nil, dir); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			sum, warnings, err := results.Rebuild(dir)
			if err != nil {
				return inputError(fmt.Errorf("report %s: %w", dir, err))
			}
			wf := filepath.Join(dir, "workload.yaml")
			if err := checkWorkloadCopy(wf, sum.Run); err != nil {
				return inputError(fmt.Errorf("report %s: %w", dir, err))
			}
			for _, w := range warnings {
				fmt.Fprintf(st.stderr, "loadgen: warning: %s\n", w)
			}
			var failed []string
			if _, err := os.Stat(wf); err == nil {
				vm, err := parseVars(vars)
				if err != nil {
					return err
				}
				w, err := scenarios.Load(wf, scenarios.LoadOptions{Getenv: st.getenv, Vars: vm, AllowProduction: true})
				if err != nil {
					fmt.Fprintf(st.stderr, "loadgen: warning: thresholds not evaluated: %v\n", err)
				} else {
					failed = evaluate(sum, w)
				}
			}
			// Printed first: a folder that cannot be written (a full
			// disk) does not take the report along.
			printErr := sum.Text(cmd.OutOrStdout()) // a closed pipe (| head): the folder is still written
			if err := keepRunSummary(st, dir, sum); err != nil {
				return withCode(exitRunError, err)
			}
			if err := sum.WriteFiles(dir); err != nil {
				return withCode(exitRunError, err)
			}
			if vegeta != "" {
				if err := writeVegeta(st, dir, vegeta); err != nil {
					return withCode(exitRunError, err)
				}
			}
			if printErr != nil {
				return withCode(exitRunError, fmt.Errorf("printing the report: %w", printErr))
			}
			if len(failed) > 0 {
				return &exitError{code: exitThresholds, err: fmt.Errorf("%d threshold(s) failed", len(failed))}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&vars, "env", "e", nil, "set a ${VAR} of the workload, KEY=VALUE (repeatable)")
	cmd.Flags().StringVar(&vegeta, "vegeta", "", "also write the samples as vegeta's gob result stream to this file")
	return cmd
}

// checkWorkloadCopy checks that a run folder's workload.yaml is the one the
// run ran (summary.json's workload_sha256, or workload_copy_sha256 when
// secrets were masked in the copy), so that report and merge never judge a
// run by another workload's thresholds. A folder without workload.yaml, or
// a run that recorded no hash, passes.
func checkWorkloadCopy(path string, run results.RunMeta) error {
	if run.WorkloadSHA256 == "" {
		return nil
	}
	b, err := capped.ReadFile(path, scenarios.MaxFileSize, "a workload file")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	got := hex.EncodeToString(sum[:])
	if got == run.WorkloadSHA256 || got == run.WorkloadCopySHA256 {
		return nil
	}
	return fmt.Errorf("%s is not the workload this run ran (its sha256 is %.12s…, the run's %.12s…): its thresholds would judge the run by another workload; put the run's workload.yaml back, or remove it to rebuild without thresholds", path, got, run.WorkloadSHA256)
}

// runSummaryCopy is where report keeps the summary.json a run wrote from
// memory when its stream holds fewer samples.
const runSummaryCopy = "summary.run.json"

// keepRunSummary keeps the run's own summary.json, which counted every
// sample from memory, as summary.run.json before report replaces it with
// one rebuilt from a stream that lacks samples (torn, corrupt, a full
// disk): its per-op figures were lost before. An existing copy is kept.
func keepRunSummary(st *state, dir string, sum *results.Summary) error {
	if l := sum.StreamLoss; l == nil || l.AtLeast {
		return nil
	}
	from, to := filepath.Join(dir, "summary.json"), filepath.Join(dir, runSummaryCopy)
	if _, err := os.Stat(to); err == nil {
		return nil
	}
	if _, err := os.Stat(from); err != nil {
		return nil
	}
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("keeping the run's summary.json: %w", err)
	}
	fmt.Fprintf(st.stderr, "loadgen: the run's own summary.json (every sample it measured) is kept as %s\n", to)
	return nil
}
