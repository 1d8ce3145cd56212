package scenarios

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantComment returns the text after "# want: " on data's first line.
func wantComment(data []byte) (string, bool) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	return strings.CutPrefix(strings.TrimSpace(string(line)), "# want: ")
}

// TestParseBad parses every testdata/bad workload; each must fail with the
// error its first line names, and every error must carry the file and a
// line.
func TestParseBad(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d bad workloads; want at least 10", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := wantComment(data)
			if !ok {
				t.Fatalf("first line is not # want: <error>")
			}
			w, err := Parse(path, data, LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
			if err == nil {
				t.Fatalf("Parse succeeded (%+v); want error containing %q", w, want)
			}
			if w != nil {
				t.Errorf("Parse returned a workload with its error")
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, want)
			}
			errs := Errors(err)
			if len(errs) == 0 {
				t.Fatalf("no *Error in %v", err)
			}
			for _, e := range errs {
				if e.File != path || e.Line <= 0 || e.Msg == "" {
					t.Errorf("error without file, line or message: %#v", e)
				}
			}
		})
	}
}

// TestEveryProblem checks that one pass reports all problems, in order.
func TestEveryProblem(t *testing.T) {
	t.Parallel()
	src := `target: {url: "ftp://x/", timeout: soon}
scenarios:
  - name: a
    executor: constant-workers
    workers: 0
    duration: 1s
    steps: [{op: nope}, {op: http}]
  - name: b
    executor: ramping-rate
    stages: [{target: 5/s}]
    mix: [{op: user_create, weight: -1}]
thresholds:
  "*": ["p(101) < 1s", "mean > soon"]
`
	_, err := Parse("multi.yaml", []byte(src), LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
	want := []string{
		`multi.yaml:1:15: target.url: "ftp://x/" is not a target`,
		`multi.yaml:1:36: target.timeout: "soon" is not a duration`,
		`multi.yaml:5:14: scenarios[0].workers: 0 is out of range; want 1 to 100000`,
		`multi.yaml:7:18: scenarios[0].steps[0].op: unknown op "nope"`,
		`multi.yaml:7:25: scenarios[0].steps[1].url: required by op http`,
		`multi.yaml:10:14: scenarios[1].stages[0].duration: required`,
		`multi.yaml:11:37: scenarios[1].mix[0].weight: -1 is out of range`,
		`multi.yaml:13:9: thresholds.*[0]: "p(101) < 1s": percentile "p(101)": want p(N)`,
		`multi.yaml:13:24: thresholds.*[1]: "mean > soon": mean value "soon": want a duration`,
	}
	errs := Errors(err)
	if len(errs) != len(want) {
		t.Errorf("got %d errors; want %d:\n%v", len(errs), len(want), err)
	}
	for i := range min(len(errs), len(want)) {
		if !strings.HasPrefix(errs[i].Error(), want[i]) {
			t.Errorf("error %d:\n got %s\nwant %s...", i, errs[i], want[i])
		}
	}
}

// TestErrorFormat checks Error's layout with and without column and field.
func TestErrorFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "w.yaml", Line: 12, Col: 11, Field: "scenarios[0].rate", Msg: "bad"}, "w.yaml:12:11: scenarios[0].rate: bad"},
		{Error{File: "w.yaml", Line: 3, Msg: "invalid YAML: x"}, "w.yaml:3: invalid YAML: x"},
		{Error{File: "w.yaml", Line: 3, Col: 1, Msg: "empty"}, "w.yaml:3:1: empty"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q; want %q", got, tt.want)
		}
	}
}

// TestBadWantComments keeps the testdata honest: every want names its own
// file, so a message cannot match another file's error by accident.
func TestBadWantComments(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Scan()
		f.Close()
		if !strings.HasPrefix(sc.Text(), "# want: "+filepath.Base(path)+":") {
			t.Errorf("%s: first line %q does not start with # want: %s:", path, sc.Text(), filepath.Base(path))
		}
	}
}

// TestLoadCap checks that Load refuses a file over MaxFileSize, and an
// endless device, without reading it all, naming the cap.
func TestLoadCap(t *testing.T) {
	t.Parallel()
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#"), MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{big, "/dev/zero"} {
		_, err := Load(path, LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
		want := path + " is larger than 1MiB, the cap on a workload file"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%s) = %v; want %q", path, err, want)
		}
	}
}
