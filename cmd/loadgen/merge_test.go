package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runMerge runs the merge command in-process (it is run through the root
// command once root.go adds it) and returns its exit code and output.
func runMerge(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	st := newState()
	st.stdout, st.stderr = &out, &errb
	st.getenv = func(string) (string, bool) { return "", false }
	cmd := newMergeCommand(st)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	if err != nil {
		errb.WriteString(err.Error())
	}
	return exitCode(err), out.String(), errb.String()
}

// TestMergeShards runs one workload as two shards and merges them.
func TestMergeShards(t *testing.T) {
	dir := t.TempDir()
	// The threshold is a ${VAR}, so the merge can be judged by another
	// without touching the run folders' workload.yaml.
	p := writeFile(t, dir, "small.yaml", strings.Replace(smallRun, `["error_rate < 1%"]`, `["${LIMIT:-error_rate < 1%}"]`, 1))
	var shards []string
	var want int64
	for _, s := range []string{"0/2", "1/2"} {
		out := filepath.Join(dir, "shard-"+s[:1])
		tmpl := filepath.Join(dir, "shard-{shard}")
		if code, stdout, errOut := runCLI(t, "run", p, "--out", tmpl, "--shard", s, "-q"); code != 0 {
			t.Fatalf("run --shard %s: code %d\n%s\n%s", s, code, stdout, errOut)
		}
		shards = append(shards, out)
		want += readMergeSummary(t, out).Ops[0].Count
	}

	merged := filepath.Join(dir, "merged")
	code, stdout, errOut := runMerge(t, shards[0], shards[1], "--out", merged)
	if code != 0 {
		t.Fatalf("merge: code %d\n%s\n%s", code, stdout, errOut)
	}
	for _, f := range []string{"summary.json", "report.txt", "report.html", "phases.folded", "workload.yaml"} {
		if _, err := os.Stat(filepath.Join(merged, f)); err != nil {
			t.Errorf("merged folder lacks %s: %v", f, err)
		}
	}
	sum := readMergeSummary(t, merged)
	if sum.Run.Shard != "" || len(sum.Ops) != 1 || sum.Ops[0].Count != want {
		t.Errorf("merged: shard %q, ops %+v; want shard \"\" and %d samples", sum.Run.Shard, sum.Ops, want)
	}
	if len(sum.Thresholds) != 1 || !sum.Thresholds[0].OK {
		t.Errorf("thresholds on the merge = %+v, want error_rate evaluated and ok", sum.Thresholds)
	}
	if !strings.Contains(stdout, "health") {
		t.Errorf("merge printed no report:\n%s", stdout)
	}

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no folders", []string{"--out", filepath.Join(dir, "x")}, exitUsage, "one or more run folders"},
		{"no --out", []string{shards[0]}, exitUsage, "needs --out"},
		{"a folder twice (added to itself before)", []string{shards[0], shards[1], shards[0], "--out", filepath.Join(dir, "y")}, exitUsage, "are the same folder"},
		{"out is an input", []string{shards[0], shards[1], "--out", shards[1]}, exitUsage, "one of the folders"},
		{"not a run folder", []string{dir, "--out", filepath.Join(dir, "z")}, exitUsage, "samples.bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runMerge(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("code %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}

	// A threshold the merge fails exits 99.
	if code, _, errOut := runMerge(t, shards[0], shards[1], "--out", filepath.Join(dir, "failing"), "-e", "LIMIT=count > 1000000"); code != exitThresholds {
		t.Errorf("failing threshold: code %d, stderr %q; want 99", code, errOut)
	}

	// A workload.yaml that is not the one the shards ran is refused
	// before anything is written: its thresholds would judge another run.
	for _, s := range shards {
		b, err := os.ReadFile(filepath.Join(s, "workload.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, s, "workload.yaml", strings.Replace(string(b), `${LIMIT:-error_rate < 1%}`, `count > 1000000`, 1))
	}
	swapped := filepath.Join(dir, "swapped")
	if code, _, errOut := runMerge(t, shards[0], shards[1], "--out", swapped); code != exitUsage || !strings.Contains(errOut, "is not the workload this run ran") {
		t.Errorf("swapped workload.yaml: code %d, stderr %q; want 2", code, errOut)
	}
	if _, err := os.Stat(swapped); err == nil {
		t.Errorf("merge refused, but made %s", swapped)
	}
}

type mergeSummary struct {
	Run struct {
		Shard string `json:"shard"`
	} `json:"run"`
	Ops []struct {
		Op    string `json:"op"`
		Count int64  `json:"count"`
	} `json:"ops"`
	Thresholds []struct {
		Key string `json:"key"`
		OK  bool   `json:"ok"`
	} `json:"thresholds"`
}

func readMergeSummary(t *testing.T, dir string) mergeSummary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s mergeSummary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}
