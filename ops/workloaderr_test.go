package ops

import (
	"fmt"
	"testing"

	"github.com/ironcorelabs/loadgen/results"
)

// TestWorkloadErrorsClass checks that loadgen's own errors are classed
// workload, also when wrapped, and not other (the target's unknowns).
func TestWorkloadErrorsClass(t *testing.T) {
	t.Parallel()
	for _, err := range []error{errNoIdentity, workloadErr("group_add_members: no pool users left"), fmt.Errorf("step 2: %w", errNoIdentity)} {
		if got := results.Classify(err); got != results.ClassWorkload {
			t.Errorf("Classify(%v) = %q; want %q", err, got, results.ClassWorkload)
		}
	}
}
