package main

import (
	"slices"
	"strings"
	"testing"
)

// TestServePolicies: --policies loads the file into the service's configuration; a bad or
// missing file is a usage error (exit 2) naming the flag, file:line:col and the field.
func TestServePolicies(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.json", `{"categories": ["A"], "rules": [{"category": "A", "groups": ["g-%LOGGED_IN_USER%"]}]}`)
	cfg, err := serveConfig(1, good)
	if err != nil || cfg.Policy == nil || len(cfg.Policy.Rules) != 1 || !slices.Equal(cfg.Policy.Rules[0].Groups, []string{"g-%LOGGED_IN_USER%"}) {
		t.Fatalf("serveConfig with a good file: %+v %v", cfg.Policy, err)
	}
	if cfg, err := serveConfig(1, ""); err != nil || cfg.Policy != nil {
		t.Errorf("serveConfig without --policies: %+v %v, want the service's default (nil)", cfg.Policy, err)
	}
	bad := writeFile(t, dir, "bad.json", "{\n  \"categories\": [\"A\"],\n  \"rules\": [{\"category\": \"B\"}]\n}")
	for _, tt := range []struct{ file, want string }{
		{bad, "--policies: service: policy: " + bad + `:3:26: rules[0].category: "B" is not one of the policy's categories ["A"]`},
		{dir + "/missing.json", "missing.json"},
	} {
		code, _, errOut := runCLI(t, "serve", "--addr", "127.0.0.1:0", "--policies", tt.file)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("serve --policies %s: code %d, stderr %q; want %d and %q", tt.file, code, errOut, exitUsage, tt.want)
		}
	}
}
