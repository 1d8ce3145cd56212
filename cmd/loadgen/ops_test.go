package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/scenarios"
)

// TestOpsListsTheCatalog wants loadgen ops to list every op of the catalog
// with its help and each of its fields with kind and help.
func TestOpsListsTheCatalog(t *testing.T) {
	code, out, stderr := runCLI(t, "ops")
	if code != 0 {
		t.Fatalf("ops: code %d, stderr %q", code, stderr)
	}
	cat := ops.Default()
	for _, name := range cat.Names() {
		e, _ := cat.Lookup(name)
		if !strings.Contains(out, "\n"+name+"\n    "+e.Help+"\n") && !strings.HasPrefix(out, name+"\n    "+e.Help+"\n") {
			t.Errorf("op %s and its help missing", name)
		}
		for _, f := range e.Fields {
			line := "    " + f.Name + " "
			if !strings.Contains(out, line) || !strings.Contains(out, f.Kind.String()) || !strings.Contains(out, f.Help) {
				t.Errorf("op %s: field %s missing", name, f.Name)
			}
		}
	}
	for _, want := range []string{"user_rotate_private_key", "document_decrypt_unmanaged", "url  ", "a string, required"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestOpsArgs(t *testing.T) {
	code, out, _ := runCLI(t, "ops", "--names")
	if names := ops.Default().Names(); code != 0 || out != strings.Join(names, "\n")+"\n" {
		t.Errorf("ops --names: code %d, out %q", code, out)
	}
	code, out, _ = runCLI(t, "ops", "group_delete")
	if code != 0 || !strings.HasPrefix(out, "group_delete\n") || strings.Contains(out, "\ngroup_create\n") {
		t.Errorf("ops group_delete: code %d, out %q", code, out)
	}
	code, _, stderr := runCLI(t, "ops", "group_destroy")
	if code != exitUsage || !strings.Contains(stderr, `unknown op "group_destroy"`) {
		t.Errorf("ops group_destroy: code %d, stderr %q; want 2 naming the op", code, stderr)
	}
}

// TestEveryOpConfigCoversCatalog wants configs/every-op.yaml to use each
// op the catalog has, so an op added to the catalog is added there too.
func TestEveryOpConfigCoversCatalog(t *testing.T) {
	w, err := scenarios.Load(filepath.Join("..", "..", "configs", "every-op.yaml"), scenarios.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, sc := range w.Scenarios {
		for _, st := range append(sc.Steps, sc.Mix...) {
			used[st.Op] = true
		}
	}
	for _, name := range ops.Default().Names() {
		if !used[name] {
			t.Errorf("configs/every-op.yaml has no %s step", name)
		}
	}
}
