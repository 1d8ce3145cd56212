package main

import (
	"fmt"
	"os"

	"github.com/ironcorelabs/loadgen/results"
)

// writeVegeta writes a run folder's samples as vegeta results to path.
func writeVegeta(st *state, dir, path string) error {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--vegeta: %w", err)
	}
	warnings, err := results.WriteVegeta(dir, out)
	for _, w := range warnings {
		fmt.Fprintf(st.stderr, "loadgen: warning: %s\n", w)
	}
	if cerr := out.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--vegeta %s: %w", path, err)
	}
	return nil
}
