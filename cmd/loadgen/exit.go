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

const exitCodesHelp = `Exit codes:
  0    ok
  1    the run failed (could not start, setup failed, ...)
  2    bad usage or a bad workload file
  99   a threshold failed (or a compare --fail-on gate)
  105  stopped by a signal after a graceful stop`

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
