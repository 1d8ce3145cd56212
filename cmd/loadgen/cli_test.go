package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/scenarios"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	st := newState()
	st.args = args
	st.stdout = &out
	st.stderr = &errb
	st.getenv = func(string) (string, bool) { return "", false }
	code = execute(st)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "loadgen ") {
		t.Fatalf("version: code %d, out %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "takes a workload file"},
		{[]string{"run", "x.yaml", "--rate", "fast"}, "--rate"},
		{[]string{"run", "x.yaml", "--bogus"}, "unknown flag"},
		{[]string{"nosuch"}, "unknown command"},
		{[]string{"validate"}, "one or more workload files"},
		{[]string{"run", "x.yaml", "-e", "NOEQUALS"}, "KEY=VALUE"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: code %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestValidateSampleConfigs(t *testing.T) {
	files, _ := filepath.Glob("../../configs/*.yaml")
	if len(files) == 0 {
		t.Fatal("no sample workloads in configs/")
	}
	dir := t.TempDir()
	cfg, iak := writeFile(t, dir, "cfg.json", "{}"), writeFile(t, dir, "iak.pem", "")
	for _, f := range files {
		// staging.yaml takes its target and identity from the environment.
		code, out, errOut := runCLI(t, "validate", f, "-e", "IRONCORE_URL=https://staging.example.invalid/api/1/",
			"-e", "IRONCORE_CONFIG="+cfg, "-e", "IRONCORE_IAK="+iak)
		if code != 0 {
			t.Errorf("validate %s: code %d\n%s%s", f, code, out, errOut)
		}
	}
}

func TestValidateBadWorkload(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "bad.yaml", "name: x\ntarget: {url: embedded}\nscenarios:\n  - name: a\n    executor: constant-rate\n    rate: fast\n    duration: 1s\n    steps: [{op: http, url: /health}]\n")
	code, _, errOut := runCLI(t, "validate", p)
	if code != exitUsage || !strings.Contains(errOut, "bad.yaml:6") {
		t.Fatalf("code %d, stderr %q; want 2 and bad.yaml:6", code, errOut)
	}
}

const smallRun = `name: small
target: {url: embedded, timeout: 5s}
scenarios:
  - name: health
    executor: constant-rate
    rate: 40/s
    duration: 1s
    max_workers: 10
    steps: [{op: http, url: /health, expect_status: [200]}]
thresholds:
  http: ["error_rate < 1%"]
`

func TestRunEmbedded(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "small.yaml", smallRun)
	out := filepath.Join(dir, "run")
	code, stdout, errOut := runCLI(t, "run", p, "--out", out, "-q")
	if code != 0 {
		t.Fatalf("run: code %d\n%s\n%s", code, stdout, errOut)
	}
	for _, f := range []string{"summary.json", "report.txt", "workload.yaml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("run folder lacks %s: %v", f, err)
		}
	}
	var sum struct {
		Schema int `json:"schema"`
		Ops    []struct {
			Op     string `json:"op"`
			Count  int64  `json:"count"`
			Errors int64  `json:"errors"`
		} `json:"ops"`
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Schema != 1 || len(sum.Ops) != 1 || sum.Ops[0].Count < 36 || sum.Ops[0].Count > 41 || sum.Ops[0].Errors != 0 {
		t.Fatalf("summary = %+v; want one op with about 40 requests and no errors", sum)
	}
}

func TestRunThresholdFails(t *testing.T) {
	dir := t.TempDir()
	body := strings.Replace(smallRun, `["error_rate < 1%"]`, `["p(99) < 1us"]`, 1)
	p := writeFile(t, dir, "fail.yaml", body)
	code, _, errOut := runCLI(t, "run", p, "--out", filepath.Join(dir, "run"), "-q")
	if code != exitThresholds || !strings.Contains(errOut, "p(99) < 1us") {
		t.Fatalf("code %d, stderr %q; want 99 naming the threshold", code, errOut)
	}
}

// dryRunWorkload has an open scenario with a weighted mix, a closed one of
// fixed count starting late and a closed one that runs for a time.
const dryRunWorkload = `name: dry
target: {url: embedded, timeout: 5s}
scenarios:
  - name: mixed
    executor: constant-rate
    rate: 40/s
    duration: 2s
    max_workers: 10
    mix:
      - {op: http, name: health, url: /health, weight: 3}
      - {op: http, name: other, url: /health, weight: 1}
  - name: fixed
    executor: shared-iterations
    workers: 3
    iterations: 25
    start_after: 1s
    steps:
      - {op: http, name: a, url: /health}
      - {op: http, name: b, url: /health}
  - name: open
    executor: constant-workers
    workers: 2
    duration: 1s
    steps: [{op: http, url: /health}]
`

// TestDryRun checks the whole plan --dry-run prints: iterations, peak rate,
// workers and start of each scenario, requests per op (a mix split by
// weight; "?" where the count depends on op time) and the totals.
func TestDryRun(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "dry.yaml", dryRunWorkload)
	code, out, errOut := runCLI(t, "run", p, "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: code %d\n%s%s", code, out, errOut)
	}
	want := []string{
		fmt.Sprintf("workload dry (%s), GOMAXPROCS %d", p, runtime.GOMAXPROCS(0)),
		"  scenario mixed                constant-rate          iterations 80             peak rate     40.0/s  workers 10  start after 0s",
		"  scenario fixed                shared-iterations      iterations 25             peak rate      0.0/s  workers 3  start after 1s",
		"  scenario open                 constant-workers       iterations as many as fit peak rate      0.0/s  workers 2  start after 0s",
		"requests per op:",
		"  mixed/health                                     60",
		"  mixed/other                                      20",
		"  fixed/a                                          25",
		"  fixed/b                                          25",
		"  open/http                                         ?",
		"peak rate 40.0/s, peak workers 15",
	}
	if got := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); !slices.Equal(got, want) {
		t.Errorf("dry run printed\n%s\nwant\n%s", out, strings.Join(want, "\n"))
	}
}

func TestRunVegetaOut(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "small.yaml", smallRun)
	out := filepath.Join(dir, "run")
	vf := filepath.Join(dir, "results.bin")
	if code, stdout, errOut := runCLI(t, "run", p, "--out", out, "-q", "--vegeta", vf); code != 0 {
		t.Fatalf("run: code %d\n%s\n%s", code, stdout, errOut)
	}
	f, err := os.Open(vf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := vegeta.NewDecoder(f)
	var m vegeta.Metrics
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			break
		}
		m.Add(&r)
	}
	m.Close()
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Ops []struct {
			Count int64 `json:"count"`
		} `json:"ops"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	if len(sum.Ops) != 1 || int64(m.Requests) != sum.Ops[0].Count || m.Success != 1 {
		t.Errorf("vegeta read %d requests (success %.2f); summary has %+v", m.Requests, m.Success, sum.Ops)
	}
}

func TestExpandOutDir(t *testing.T) {
	start := time.Date(2026, 11, 27, 3, 16, 8, 0, time.UTC)
	long := strings.Repeat("a", 300)
	tests := []struct {
		tmpl, name string
		shard      scenarios.Shard
		want       string
	}{
		{"", "smoke", scenarios.Shard{}, "runs/smoke-20261127T031608Z"},
		{"", "smoke", scenarios.Shard{Index: 1, Count: 3}, "runs/smoke-20261127T031608Z-shard-1"},
		{"out/{name}/{shard}", "smoke", scenarios.Shard{Index: 2, Count: 3}, "out/smoke/2"},
		{"out/{name}-{shard}", "smoke", scenarios.Shard{}, "out/smoke-"},
		{"", "../../escape", scenarios.Shard{}, "runs/..-..-escape-20261127T031608Z"},
		{"", "ünï ☃", scenarios.Shard{}, "runs/-n----20261127T031608Z"},
		{"", long, scenarios.Shard{}, "runs/" + long[:64] + "-20261127T031608Z"}, // mkdir failed, exit 1
	}
	for _, tt := range tests {
		if got := expandOutDir(tt.tmpl, tt.name, start, tt.shard); got != tt.want {
			t.Errorf("expandOutDir(%q, %.20q, %v) = %q, want %q", tt.tmpl, tt.name, tt.shard, got, tt.want)
		}
	}
}

// brokenWriter fails every write, as a console piped into a head that quit.
type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestConsoleGone checks that run, report and merge whose console is gone
// (loadgen run | head) still write their whole run folder, and exit 1
// saying why: the report was printed first, and its error skipped the
// folder (a run killed by SIGPIPE wrote no summary.json).
func TestConsoleGone(t *testing.T) {
	runA := earlierRun(t)
	dir := t.TempDir()
	wl := writeFile(t, dir, "small.yaml", smallRun)
	killed := filepath.Join(dir, "killed") // a run folder without its reports
	copyDir(t, runA, killed)
	for _, f := range []string{"summary.json", "report.txt", "report.html"} {
		if err := os.Remove(filepath.Join(killed, f)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		args   []string
		folder string
	}{
		{"run", []string{"run", wl, "--duration", "1s", "--out", filepath.Join(dir, "run")}, filepath.Join(dir, "run")},
		{"report", []string{"report", killed}, killed},
		{"merge", []string{"merge", runA, "--out", filepath.Join(dir, "merged")}, filepath.Join(dir, "merged")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			st := newState()
			st.args = tt.args
			st.stdout, st.stderr = brokenWriter{}, &errb
			st.getenv = func(string) (string, bool) { return "", false }
			if code := execute(st); code != exitRunError || !strings.Contains(errb.String(), "printing the report: broken pipe") {
				t.Errorf("exit %d, stderr %q; want 1 and printing the report: broken pipe", code, errb.String())
			}
			for _, f := range []string{"summary.json", "report.txt", "report.html"} {
				if _, err := os.Stat(filepath.Join(tt.folder, f)); err != nil {
					t.Errorf("run folder without %s: %v", f, err)
				}
			}
		})
	}
}

// TestReportKeepsRunSummary checks that report on a run whose stream lacks
// samples (torn) keeps the summary.json the run wrote from memory as
// summary.run.json: it was replaced by the partial rebuild, its figures lost.
func TestReportKeepsRunSummary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "torn")
	copyDir(t, earlierRun(t), dir)
	orig, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	stream := filepath.Join(dir, "samples.bin")
	fi, err := os.Stat(stream)
	if err != nil {
		t.Fatal(err)
	}
	// Torn in the middle: the stream's last frames are not always samples
	// (health, reasons, the end record come after the last flush of
	// samples, in an order timing decides), so a cut of a few bytes could
	// lose none; half the stream always loses some.
	if err := os.Truncate(stream, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // a second report keeps the first copy
		if code, _, errOut := runCLI(t, "report", dir); code != 0 && code != exitThresholds {
			t.Fatalf("report: exit %d\n%s", code, errOut)
		}
	}
	kept, err := os.ReadFile(filepath.Join(dir, runSummaryCopy))
	if err != nil || !bytes.Equal(kept, orig) {
		t.Errorf("%s: %v; want the run's summary.json as it was", runSummaryCopy, err)
	}
	rebuilt, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil || !bytes.Contains(rebuilt, []byte(`"stream_loss"`)) {
		t.Errorf("rebuilt summary.json without stream_loss: %v", err)
	}
}
