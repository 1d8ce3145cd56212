// Command loadgen runs YAML workloads against the IronCore service (or its
// built-in reference) and reports, per operation and per phase, where the
// time goes.
package main

import (
	"os"
)

func main() {
	os.Exit(execute(newState()))
}
