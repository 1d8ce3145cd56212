package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds Parse arbitrary files, seeded with the testdata
// workloads. Parse must never panic; every problem it reports must be an
// *Error with a line.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/good", "testdata/bad"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	vars := map[string]string{"IRONCORE_CONFIG": "c.json", "IRONCORE_IAK": "${IAK}", "RATE": "5/s"}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Parse("fuzz.yaml", data, LoadOptions{Getenv: noEnv, Vars: vars, Catalog: testCatalog()})
		if err != nil {
			if w != nil {
				t.Fatalf("Parse returned a workload and an error")
			}
			for _, e := range unwrapAll(err) {
				var pe *Error
				if !errors.As(e, &pe) {
					t.Fatalf("error %T is not an *Error: %v", e, e)
				}
				if pe.Line <= 0 || pe.File != "fuzz.yaml" {
					t.Fatalf("error without line or file: %#v", pe)
				}
			}
		}
	})
}

// unwrapAll returns the errors joined in err, or err itself.
func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
