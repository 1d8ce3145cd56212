package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/scenarios"
)

// setupIronCore fills the identity pool before the run's clock starts:
// identities from setup.from, then setup's users, groups and documents, with
// a progress line. None of it is measured.
func setupIronCore(ctx context.Context, st *state, w *scenarios.Workload, ic *ops.IronCore, f *runFlags) error {
	began := time.Now()
	if w.Setup.From != "" {
		n, err := ic.LoadIdentities(ctx, w.Setup.From)
		if err != nil {
			return err
		}
		fmt.Fprintf(st.stderr, "loadgen: setup: %d identities from %s\n", n, w.Setup.From)
	}
	want := ops.SetupCounts{Users: w.Setup.Users, Groups: w.Setup.Groups, Documents: w.Setup.Documents}
	if want != (ops.SetupCounts{}) {
		var mu sync.Mutex
		last := time.Time{}
		progress := func(kind string, done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if done == total || time.Since(last) > 500*time.Millisecond {
				last = time.Now()
				fmt.Fprintf(st.stderr, "loadgen: setup: %s %d/%d %s\n", kind, done, total, bar(done, total, 20))
			}
		}
		if err := ic.Setup(ctx, want, 2*runtime.GOMAXPROCS(0), progress); err != nil {
			return err
		}
	}
	if f.saveIdentities != "" {
		if err := ic.SaveIdentities(f.saveIdentities); err != nil {
			return err
		}
		fmt.Fprintf(st.stderr, "loadgen: setup: identities saved to %s (0600)\n", f.saveIdentities)
	}
	if u, g, d := ic.Pool().Counts(); u+g+d > 0 {
		fmt.Fprintf(st.stderr, "loadgen: setup: %d users, %d groups, %d documents in %s (not measured)\n", u, g, d, time.Since(began).Round(time.Millisecond))
	}
	return nil
}

// bar draws a progress bar of width cells.
func bar(done, total, width int) string {
	if total <= 0 {
		return ""
	}
	n := done * width / total
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}
