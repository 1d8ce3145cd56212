package main

import (
	"errors"
	"fmt"
)

// Exit codes, k6's conventions.
const (
	exitOK         = 0
	exitRunError   = 1
	exitUsage      = 2
	exitThresholds = 99
	exitSignal     = 105
)

// exitCodesHelp is the one table of exit codes, the same for every
// command; the README holds it too (TestExitCodesInReadme).
const exitCodesHelp = `Exit codes (every command):
  0    ok
  1    the work failed after it started: setup, the target, writing the
       run folder (a full disk); the report is still printed. compare:
       a --fail-on gate on a run without samples
  2    refused before any work, nothing written: a bad flag, workload
       (file:line:col) or input (missing, unreadable, not a run folder or
       known format, over its size cap), an output that cannot be written
       or is an earlier run's folder
  99   a threshold failed (run, report, merge), a compare --fail-on gate
       failed, or abort_on_fail stopped the run
  105  stopped by a signal (SIGINT, SIGTERM) after a graceful stop`

// exitError attaches an exit code to an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// inputError is the error of an input (a run folder, a file to compare)
// that is missing or cannot be read or understood: exit 2, like any other
// bad input, so that scripts can tell it from a failure of the work.
func inputError(err error) error { return withCode(exitUsage, err) }

// withCode wraps err with an exit code unless it carries one already.
func withCode(code int, err error) error {
	var ee *exitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return &exitError{code: code, err: err}
}

// exitCode returns the code err carries, or 1.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitRunError
}
