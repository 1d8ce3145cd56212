package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ironcorelabs/loadgen/ops"
)

func newOpsCommand(st *state) *cobra.Command {
	var namesOnly bool
	cmd := &cobra.Command{
		Use:   "ops [OP...]",
		Short: "List the ops a workload step may use, with their fields",
		Long: `ops lists every op a workload step may name (op: NAME), what it does, and the
fields a step of that op may have: each field's name, what kind of value it
takes and what it means. The list is the op catalog itself, so it is what
validate and run accept. Every step may also have name (its label in reports)
and, in a mix, weight.

With OP arguments, it lists only those ops.`,
		Example: `  loadgen ops
  loadgen ops document_encrypt document_decrypt
  loadgen ops --names`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cat := ops.Default()
			names := cat.Names()
			if len(args) > 0 {
				for _, a := range args {
					if _, ok := cat.Lookup(a); !ok {
						return withCode(exitUsage, fmt.Errorf("ops: unknown op %q (known ops: %s)", a, strings.Join(names, ", ")))
					}
				}
				names = args
			}
			if namesOnly {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), strings.Join(names, "\n"))
				return err
			}
			return writeOps(cmd.OutOrStdout(), cat, names)
		},
	}
	cmd.Flags().BoolVar(&namesOnly, "names", false, "print the op names only, one a line")
	return cmd
}

// writeOps writes each named op of cat: its name and help, then a line per
// field with its kind and help.
func writeOps(w io.Writer, cat *ops.Catalog, names []string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, name := range names {
		e, _ := cat.Lookup(name)
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\n    %s\n", e.Name, e.Help)
		if len(e.Fields) == 0 {
			fmt.Fprintln(tw, "    (no fields)")
		}
		for _, f := range e.Fields {
			kind := f.Kind.String()
			if f.Required {
				kind += ", required"
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", f.Name, kind, f.Help)
		}
	}
	return tw.Flush()
}
