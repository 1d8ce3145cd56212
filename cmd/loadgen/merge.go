package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ironcorelabs/loadgen/internal/capped"
	"github.com/ironcorelabs/loadgen/results"
	"github.com/ironcorelabs/loadgen/scenarios"
)

func newMergeCommand(st *state) *cobra.Command {
	var (
		out  string
		vars []string
	)
	cmd := &cobra.Command{
		Use:   "merge <run-folder>... --out <folder>",
		Short: "Merge the run folders of a sharded run into one",
		Long: `Merge whole run folders, the shards of one workload run on several generators
(run --shard i/n), into one run folder: summary.json, report.txt, report.html and
phases.folded, as if one generator had recorded every sample. Each folder is read
from its sample stream, so histograms, means and standard deviations, error
classes and per-second series are exact; late and dropped counts are summed and
throughput is over the union of the shards' spans. The workload's thresholds
(workload.yaml, copied into every run folder) are evaluated on the merge.

Folders of different workloads, or two folders with the same shard index, are
refused; folders without a shard index merge freely.`,
		Example: `  # the three shards of an Indexed Job, gathered from their volumes
  loadgen merge runs/shard-0 runs/shard-1 runs/shard-2 --out runs/merged

  # with a ${VAR} the workload's thresholds need
  loadgen merge runs/a runs/b -o runs/ab -e LIMIT=500ms`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &exitError{code: exitUsage, err: fmt.Errorf("%s takes one or more run folders (see --help)", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			keepWritingOnClosedConsole()
			if out == "" {
				return &exitError{code: exitUsage, err: fmt.Errorf("%s needs --out, the merged run folder", cmd.CommandPath())}
			}
			if err := checkMergeOut(out, args); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if _, err := parseVars(vars); err != nil {
				return err
			}
			sum, warnings, err := results.Merge(args)
			for _, w := range warnings {
				fmt.Fprintf(st.stderr, "loadgen: warning: %s\n", w)
			}
			if errors.Is(err, results.ErrMergeMismatch) {
				return &exitError{code: exitUsage, err: fmt.Errorf("merge: %w", err)}
			}
			if err != nil {
				return inputError(fmt.Errorf("merge: %w", err))
			}
			failed, err := mergeThresholds(st, sum, args, out, vars)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return withCode(exitRunError, fmt.Errorf("merge: %w", err))
			}
			printErr := sum.Text(cmd.OutOrStdout()) // a closed pipe (| head): the folder is still written
			if err := sum.WriteFiles(out); err != nil {
				return withCode(exitRunError, fmt.Errorf("merge: %w", err))
			}
			fmt.Fprintf(st.stderr, "loadgen: merged %d run folders into %s\n", len(args), out)
			if printErr != nil {
				return withCode(exitRunError, fmt.Errorf("printing the report: %w", printErr))
			}
			if len(failed) > 0 {
				return &exitError{code: exitThresholds, err: fmt.Errorf("%d threshold(s) failed", len(failed))}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "the merged run folder (required; must not be one of the inputs)")
	cmd.Flags().StringArrayVarP(&vars, "env", "e", nil, "set a ${VAR} of the workload, KEY=VALUE (repeatable)")
	return cmd
}

// checkMergeOut refuses an output folder that is one of the inputs or
// holds a sample stream (whose rebuild would then disagree with the merge).
func checkMergeOut(out string, dirs []string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("merge: --out: %w", err)
	}
	for _, d := range dirs {
		if a, err := filepath.Abs(d); err == nil && a == abs {
			return fmt.Errorf("merge: --out %s is one of the folders to merge", out)
		}
	}
	if _, err := os.Stat(filepath.Join(out, results.StreamFile)); err == nil {
		return fmt.Errorf("merge: --out %s holds a run's sample stream; choose a new folder", out)
	}
	if fi, err := os.Stat(out); err == nil && !fi.IsDir() {
		return fmt.Errorf("merge: --out %s is a file; want a folder", out)
	}
	if err := checkWritable(nearestDir(out)); err != nil {
		return fmt.Errorf("merge: --out %s: %w", out, err)
	}
	return nil
}

// mergeThresholds copies the shards' workload.yaml into out and evaluates
// its thresholds on the merge, returning the failures. Shards whose
// workload.yaml differs from the first's are refused: their thresholds
// would not be the same.
func mergeThresholds(st *state, sum *results.Summary, dirs []string, out string, vars []string) ([]string, error) {
	var first []byte
	var from string
	for _, d := range dirs {
		b, err := capped.ReadFile(filepath.Join(d, "workload.yaml"), scenarios.MaxFileSize, "a workload file")
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(st.stderr, "loadgen: warning: %s has no workload.yaml\n", d)
			continue
		}
		if err != nil {
			return nil, inputError(fmt.Errorf("merge: %w", err))
		}
		if first == nil {
			first, from = b, d
			continue
		}
		if !bytes.Equal(b, first) {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("merge: %s/workload.yaml differs from %s/workload.yaml", d, from)}
		}
	}
	if first == nil {
		fmt.Fprintf(st.stderr, "loadgen: warning: thresholds not evaluated: no run folder has a workload.yaml\n")
		return nil, nil
	}
	if err := checkWorkloadCopy(filepath.Join(from, "workload.yaml"), sum.Run); err != nil {
		return nil, inputError(fmt.Errorf("merge: %w", err))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, withCode(exitRunError, fmt.Errorf("merge: %w", err))
	}
	wf := filepath.Join(out, "workload.yaml")
	if err := os.WriteFile(wf, first, 0o644); err != nil {
		return nil, withCode(exitRunError, fmt.Errorf("merge: %w", err))
	}
	vm, err := parseVars(vars)
	if err != nil {
		return nil, err
	}
	w, err := scenarios.Load(wf, scenarios.LoadOptions{Getenv: st.getenv, Vars: vm, AllowProduction: true})
	if err != nil {
		fmt.Fprintf(st.stderr, "loadgen: warning: thresholds not evaluated: %v\n", err)
		return nil, nil
	}
	return evaluate(sum, w), nil
}
