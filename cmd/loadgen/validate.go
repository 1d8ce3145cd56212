package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func newValidateCommand(st *state) *cobra.Command {
	var vars []string
	var allowProd bool
	cmd := &cobra.Command{
		Use:   "validate <workload.yaml>...",
		Short: "Check workload files without running them",
		Long: `Check workload files: YAML syntax, every field and its type, executors, ops and
their fields, ${VAR}s and thresholds, and all that run checks before it starts
(run --dry-run checks the same): every step as it would be built (a step URL off
the target's host, a line break in a method or header, a size over the cap), the
files the workload names (identity, CA, setup.from), faults only on the embedded
target. Every problem is listed with its file:line:column; the exit code is 2 if
any file is bad.`,
		Example: `  # check every sample workload
  loadgen validate configs/smoke.yaml configs/http-smoke.yaml

  # staging.yaml takes its target and identity files from variables
  loadgen validate configs/staging.yaml -e IRONCORE_URL=https://staging.example.com/api/1/ \
    -e IRONCORE_CONFIG=ironcore-config.json -e IRONCORE_IAK=iak.pem`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &exitError{code: exitUsage, err: fmt.Errorf("validate takes one or more workload files")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var errs []error
			for _, path := range args {
				w, err := loadWorkload(st, path, vars, allowProd)
				if err == nil {
					_, err = checkWorkload(w) // what run refuses, validate refuses
				}
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d scenarios)\n", path, len(w.Scenarios))
			}
			if len(errs) > 0 {
				return &exitError{code: exitUsage, err: errors.Join(errs...)}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&vars, "env", "e", nil, "set a ${VAR} of the workload, KEY=VALUE (repeatable)")
	cmd.Flags().BoolVar(&allowProd, "allow-production", false, "allow a production IronCore URL as the target")
	return cmd
}
