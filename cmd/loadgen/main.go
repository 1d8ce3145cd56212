// Command loadgen runs YAML workloads against the IronCore service (or its
// built-in reference) and reports, per operation and per phase, where the
// time goes.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(execute(newState()))
}

// keepWritingOnClosedConsole makes a write to a console piped into head,
// or a pager that quit, fail (EPIPE) instead of killing the process: run,
// report and merge print their report before they write the run folder.
// The other commands keep the usual quiet death by SIGPIPE.
func keepWritingOnClosedConsole() {
	signal.Ignore(syscall.SIGPIPE)
}
