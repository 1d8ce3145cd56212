package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// state is what the commands take from the process, injected so tests can
// run the CLI end to end.
type state struct {
	args    []string
	stdout  io.Writer
	stderr  io.Writer
	getenv  func(string) (string, bool)
	signals func() (<-chan os.Signal, func()) // subscribe to SIGINT/SIGTERM
}

func newState() *state {
	return &state{
		args:   os.Args[1:],
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.LookupEnv,
		signals: func() (<-chan os.Signal, func()) {
			ch := make(chan os.Signal, 2)
			signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
			return ch, func() { signal.Stop(ch) }
		},
	}
}

func newRootCommand(st *state) *cobra.Command {
	root := &cobra.Command{
		Use:   "loadgen",
		Short: "Load generator for the IronCore privacy platform",
		Long: `loadgen runs YAML workloads against an IronCore service, or against its own
reference service built in, and reports per operation and per phase (client
crypto, HTTP, retries) where the time goes.

Latency is measured from each iteration's intended start, so a stalled target
shows in the figures instead of hiding behind fewer requests.`,
		Example: `  # run a workload against the built-in reference service
  loadgen run configs/http-smoke.yaml

  # check workload files without running them
  loadgen validate configs/smoke.yaml configs/http-smoke.yaml

  # rebuild the reports of a run folder, also of a killed run
  loadgen report runs/http-smoke-20261127T031608Z

  # compare a run with the last one (or a Gatling log, vegeta results, ...);
  # exit 99 if p99 got more than 10% worse
  loadgen compare runs/smoke-1 runs/smoke-2 --fail-on 'p99>+10%'`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(st.stdout)
	root.SetErr(st.stderr)
	root.SetArgs(st.args)
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitCodesHelp + "\n")
	root.AddCommand(
		newRunCommand(st),
		newValidateCommand(st),
		newReportCommand(st),
		newCompareCommand(st),
		newMergeCommand(st),
		newServeCommand(st),
		newOpsCommand(st),
		newVersionCommand(st),
	)
	root.SetHelpCommand(newHelpCommand())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	return root
}

// newHelpCommand is cobra's help command, except that an unknown topic is
// a usage error (exit 2) naming the commands, not a usage text and exit 0.
func newHelpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help prints the help of a command: loadgen help run.",
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			cmd, _, err := root.Find(args)
			if err != nil || cmd == nil {
				var names []string
				for _, sub := range root.Commands() {
					if sub.IsAvailableCommand() {
						names = append(names, sub.Name())
					}
				}
				return &exitError{code: exitUsage, err: fmt.Errorf("unknown help topic %q; the commands are: %s", strings.Join(args, " "), strings.Join(names, ", "))}
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// execute runs the CLI and maps errors to exit codes in one place.
func execute(st *state) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(st.stderr, "loadgen: internal error: %v\n", r)
			code = exitRunError
		}
	}()
	root := newRootCommand(st)
	err := root.ExecuteContext(context.Background())
	if err == nil {
		return exitOK
	}
	code = exitCode(err)
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return code
	}
	if code == exitRunError && isUsageError(err) {
		code = exitUsage
	}
	fmt.Fprintf(st.stderr, "loadgen: %v\n", err)
	return code
}

// isUsageError tells cobra's own argument errors apart from run errors.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "accepts ", "requires at least", "unknown shorthand", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// exactArgs is cobra.ExactArgs with a message that says what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &exitError{code: exitUsage, err: fmt.Errorf("%s takes %s (got %d arguments); see %s --help", cmd.CommandPath(), what, len(args), cmd.CommandPath())}
		}
		return nil
	}
}
