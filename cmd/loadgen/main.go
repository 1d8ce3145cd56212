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
	// A console piped into head or less that quits early makes writes
	// fail (EPIPE) instead of killing the run before it writes its folder.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(execute(newState()))
}
