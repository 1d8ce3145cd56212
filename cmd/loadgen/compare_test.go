package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// runCompare runs `loadgen compare args...` in-process and returns its exit
// code and output. It adds the compare command to the root when root.go
// does not (yet) register it.
func runCompare(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	st := newState()
	st.args = append([]string{"compare"}, args...)
	st.stdout, st.stderr = &out, &errb
	st.getenv = func(string) (string, bool) { return "", false }
	root := newRootCommand(st)
	if c, _, err := root.Find([]string{"compare"}); err != nil || c.Name() != "compare" {
		root.AddCommand(newCompareCommand(st))
	}
	err := root.ExecuteContext(context.Background())
	return exitCode(err), out.String(), errb.String()
}

// writeRun writes a loadgen run folder of document_encrypt samples,
// lognormal around 20 ms times slow, failing at errRate, from a seeded RNG.
func writeRun(t *testing.T, seed uint64, slow, errRate float64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rec, err := results.NewRecorder(results.Config{Dir: dir, Start: start,
		Meta: results.RunMeta{Name: "docs", Version: "test", WorkloadSHA256: "abc"}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < 4000; i++ {
		d := time.Duration(20 * slow * math.Exp(0.4*rng.NormFloat64()) * float64(time.Millisecond))
		s := &results.Sample{Scenario: "docs", Op: "document_encrypt", Worker: i % 3, Start: time.Duration(i) * 15 * time.Millisecond,
			Latency: d, ServiceTime: d, Status: 200}
		if rng.Float64() < errRate {
			s.Class, s.Status = "http_5xx", 503
		}
		rec.RecordSample(s)
	}
	rec.SetEnd(start.Add(time.Minute))
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rec.Summary().WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCompareGate(t *testing.T) {
	t.Parallel()
	base := writeRun(t, 1, 1, 0.001)
	same := writeRun(t, 2, 1, 0.001)
	worse := writeRun(t, 3, 1.25, 0.02)
	gate := []string{"--fail-on", "p99>+10%", "--fail-on", "error_rate>+0.5pp"}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
	}{
		{"same workload", append([]string{base, same}, gate...), exitOK, []string{"document_encrypt", "no significant difference"}},
		{"planted regression", append([]string{base, worse}, gate...), exitThresholds, []string{"slower", "gate FAILED", "p99>+10%", "error_rate>+0.5pp"}},
		{"no gate, regression", []string{base, worse}, exitOK, []string{"slower"}},
		{"two candidates", append([]string{base, same, worse}, gate...), exitThresholds, []string{same, worse}},
		{"bad rule", []string{base, same, "--fail-on", "p99 up"}, exitUsage, nil},
		{"one input", []string{base}, exitUsage, nil},
		{"bad format", []string{base, same, "--format", "xml"}, exitUsage, nil},
		{"missing input", []string{base, filepath.Join(t.TempDir(), "nope")}, exitUsage, nil},
		{"confidence as a percent", []string{base, same, "--confidence", "95"}, exitUsage, nil},
		{"negative confidence", []string{base, same, "--confidence", "-0.5"}, exitUsage, nil},
		{"confidence 0.99", []string{base, same, "--confidence", "0.99"}, exitOK, []string{"99%"}},
		{"no resamples", []string{base, same, "--resamples", "0"}, exitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCompare(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestCompareFormats(t *testing.T) {
	t.Parallel()
	base := writeRun(t, 1, 1, 0)
	cand := writeRun(t, 2, 1, 0)
	code, out, errOut := runCompare(t, base, cand, "--format", "json", "--seed", "9")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Comparisons []struct {
			Ops []struct {
				Op       string
				Verdicts []struct {
					Metric, Method, Result string
				}
			} `json:"ops"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if len(doc.Comparisons) != 1 || len(doc.Comparisons[0].Ops) != 2 || doc.Comparisons[0].Ops[0].Verdicts[0].Method != "bootstrap" {
		t.Errorf("json report: %+v", doc)
	}
	_, again, _ := runCompare(t, base, cand, "--format", "json", "--seed", "9")
	if again != out {
		t.Error("the same seed gave a different report")
	}

	page := filepath.Join(t.TempDir(), "compare.html")
	if code, _, errOut := runCompare(t, base, cand, "--format", "html", "--out", page); code != 0 {
		t.Fatalf("html: exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) || !bytes.Contains(b, []byte("document_encrypt")) || bytes.Contains(b, []byte("<script")) {
		t.Errorf("html page:\n%s", b)
	}
}

// TestCompareGatlingLog compares a Gatling log with its own report through
// the CLI: same figures, so the gate passes, and the verdict says the
// report side is an estimate.
func TestCompareGatlingLog(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "results", "compare", "testdata", "abhijeet-3.7.4")
	code, out, errOut := runCompare(t, filepath.Join(dir, "simulation.log"), filepath.Join(dir, "js", "stats.json"),
		"--fail-on", "p99>+10%", "--fail-on", "count>0")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "rank interval") || !strings.Contains(out, "t-digest") {
		t.Errorf("output lacks the estimate note:\n%s", out)
	}
}
