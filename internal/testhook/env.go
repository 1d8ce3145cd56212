//go:build testhooks

package testhook

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// EnvVar lists the process's delays as op=duration pairs separated by
// commas: LOADGEN_TEST_DELAY=generate_device=20ms.
const EnvVar = "LOADGEN_TEST_DELAY"

func init() {
	var err error
	if process, err = parse(os.Getenv(EnvVar)); err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %s: %v\n", EnvVar, err)
		os.Exit(2)
	}
}

// parse reads op=duration pairs separated by commas.
func parse(s string) (map[string]time.Duration, error) {
	m := map[string]time.Duration{}
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		op, v, ok := strings.Cut(kv, "=")
		d, err := time.ParseDuration(v)
		if !ok || op == "" || err != nil {
			return nil, fmt.Errorf("%q: want op=duration, e.g. generate_device=20ms", kv)
		}
		m[op] = d
	}
	return m, nil
}
