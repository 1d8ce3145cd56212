package scenarios

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"
)

// TestMarshalRoundTrip checks that every good workload survives Marshal
// and Parse unchanged, and that Marshal is stable.
func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/good/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"IRONCORE_CONFIG": "cfg ${not a var}", "IRONCORE_IAK": "k"}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			w, err := Load(path, LoadOptions{Getenv: noEnv, Vars: vars, Catalog: testCatalog()})
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, w)
		})
	}
}

// checkRoundTrip marshals w, parses the result and compares.
func checkRoundTrip(t *testing.T, w *Workload) {
	t.Helper()
	data, err := w.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	w2, err := Parse("marshaled.yaml", data, LoadOptions{Getenv: noEnv, Catalog: testCatalog(), AllowProduction: true})
	if err != nil {
		t.Fatalf("Parse(Marshal(w)): %v\n%s", err, data)
	}
	if a, b := stripPos(w), stripPos(w2); !reflect.DeepEqual(a, b) {
		t.Errorf("Parse(Marshal(w)) differs from w\n%s", data)
		diffWorkloads(t, b, a)
	}
	data2, err := w2.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, data2) {
		t.Errorf("Marshal is not stable:\n%s\n---\n%s", data, data2)
	}
}
