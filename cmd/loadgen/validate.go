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
their fields, ${VAR}s and thresholds. Every problem is listed with its
file:line:column; the exit code is 2 if any file is bad.`,
		Example: `  # check every sample workload
  loadgen validate configs/*.yaml`,
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
