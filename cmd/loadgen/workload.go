package main

import (
	"fmt"
	"strings"

	"github.com/ironcorelabs/loadgen/scenarios"
)

// parseVars turns KEY=VALUE flags into a map.
func parseVars(vars []string) (map[string]string, error) {
	m := make(map[string]string, len(vars))
	for _, kv := range vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("-e %q: want KEY=VALUE", kv)}
		}
		m[k] = v
	}
	return m, nil
}

func loadWorkload(st *state, path string, vars []string, allowProd bool) (*scenarios.Workload, error) {
	vm, err := parseVars(vars)
	if err != nil {
		return nil, err
	}
	w, err := scenarios.Load(path, scenarios.LoadOptions{Getenv: st.getenv, Vars: vm, AllowProduction: allowProd})
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	return w, nil
}
