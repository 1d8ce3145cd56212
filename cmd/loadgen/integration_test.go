//go:build integration

// Timing-sensitive end-to-end tests of the loadgen binary against loopback
// targets. Run without -race: go test -tags integration -run Integration ./cmd/loadgen/
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the loadgen command once per test binary.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "loadgen-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "loadgen")
		// -tags testhooks: TestIntegrationUnaccounted sets a delay
		// through $LOADGEN_TEST_DELAY (internal/testhook).
		out, err := exec.Command("go", "build", "-tags", "testhooks", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type opSummary struct {
	Scenario    string             `json:"scenario"`
	Op          string             `json:"op"`
	Count       int64              `json:"count"`
	Errors      int64              `json:"errors"`
	Latency     map[string]float64 `json:"latency_ms"`
	ServiceTime map[string]float64 `json:"service_time_ms"`
}

type summaryFile struct {
	Scenarios []struct {
		Name       string `json:"name"`
		Iterations int64  `json:"iterations"`
		Late       int64  `json:"late"`
		Dropped    int64  `json:"dropped"`
	} `json:"scenarios"`
	Ops        []opSummary `json:"ops"`
	Thresholds []struct {
		Key, Expr string
		OK        bool `json:"ok"`
	} `json:"thresholds"`
}

func readSummary(t *testing.T, dir string) summaryFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s summaryFile
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	return s
}

// arrivals is a loopback target that timestamps every request.
type arrivals struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivals) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.times = append(a.times, time.Now())
	a.mu.Unlock()
	w.Write([]byte("ok"))
}

func TestIntegrationConstantRateEven(t *testing.T) {
	var a arrivals
	srv := httptest.NewServer(&a)
	defer srv.Close()
	dir := t.TempDir()
	wl := writeFile(t, dir, "rate.yaml", fmt.Sprintf(`name: rate
target: {url: "%s/", timeout: 5s}
scenarios:
  - name: even
    executor: constant-rate
    rate: 400/s
    duration: 5s
    max_workers: 50
    steps: [{op: http, url: /x}]
`, srv.URL))
	out := filepath.Join(dir, "run")
	cmd := exec.Command(binary(t), "run", wl, "--out", out, "-q")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, b)
	}
	a.mu.Lock()
	times := append([]time.Time(nil), a.times...)
	a.mu.Unlock()
	if n := len(times); n < 1980 || n > 2020 {
		t.Fatalf("target counted %d requests, want 2000 ±1%%", n)
	}
	// Even spread: each 100 ms bucket holds 40 ±10 in at least 95% of buckets.
	first := times[0]
	buckets := make([]int, 50)
	for _, at := range times {
		i := int(at.Sub(first) / (100 * time.Millisecond))
		if i >= 0 && i < len(buckets) {
			buckets[i]++
		}
	}
	good := 0
	for _, c := range buckets {
		if c >= 30 && c <= 50 {
			good++
		}
	}
	t.Logf("target counted %d requests; %d of 50 buckets of 100 ms hold 40±10", len(times), good)
	if good < 48 {
		t.Errorf("only %d of 50 buckets hold 40±10 requests: %v", good, buckets)
	}
	s := readSummary(t, out)
	if len(s.Ops) != 1 || s.Ops[0].Count != int64(len(times)) {
		t.Errorf("summary.json counts %+v, the target %d", s.Ops, len(times))
	}
}

func TestIntegrationStallCoordinatedOmission(t *testing.T) {
	dir := t.TempDir()
	wl := writeFile(t, dir, "stall.yaml", `name: stall
target:
  url: embedded
  timeout: 10s
  faults:
    - {route: "GET /health", stall: 1s, stall_after: 1500ms}
scenarios:
  - name: stall
    executor: constant-rate
    rate: 200/s
    duration: 4s
    max_workers: 20
    steps: [{op: http, url: /health}]
`)
	out := filepath.Join(dir, "run")
	if b, err := exec.Command(binary(t), "run", wl, "--out", out, "-q").CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, b)
	}
	s := readSummary(t, out)
	if len(s.Ops) != 1 {
		t.Fatalf("ops = %+v", s.Ops)
	}
	op := s.Ops[0]
	t.Logf("stall: latency max %.1f p90 %.1f ms; service time p90 %.1f ms; late %d", op.Latency["max"], op.Latency["p90"], op.ServiceTime["p90"], s.Scenarios[0].Late)
	if op.Latency["max"] < 900 || op.Latency["p90"] < 300 {
		t.Errorf("latency max %.1f ms, p90 %.1f ms; want ≥ 900 and ≥ 300 (measured from intended starts)", op.Latency["max"], op.Latency["p90"])
	}
	if op.ServiceTime["p90"] >= 100 {
		t.Errorf("service time p90 %.1f ms; want < 100", op.ServiceTime["p90"])
	}
	if len(s.Scenarios) != 1 || s.Scenarios[0].Late == 0 {
		t.Errorf("scenarios = %+v; want late > 0", s.Scenarios)
	}
}

var progressSecond = regexp.MustCompile(`(?m)^\s*(\d+)s\b`)

// lastProgressSecond returns the elapsed seconds of the last progress line.
func lastProgressSecond(stderr string) int {
	last := -1
	for _, line := range strings.FieldsFunc(stderr, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if m := progressSecond.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			last = n
		}
	}
	return last
}

// startRun starts the binary and returns it with a reader of its stderr.
func startRun(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	var errb syncBuffer
	cmd.Stderr = &errb
	cmd.Stdout = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &errb
}

func TestIntegrationSIGKILLKeepsSamples(t *testing.T) {
	dir := t.TempDir()
	wl := writeFile(t, dir, "kill.yaml", `name: kill
target: {url: embedded, timeout: 5s}
scenarios:
  - name: steady
    executor: constant-rate
    rate: 200/s
    duration: 30s
    max_workers: 20
    steps: [{op: http, url: /health}]
`)
	out := filepath.Join(dir, "run")
	cmd, errb := startRun(t, "run", wl, "--out", out)
	deadline := time.Now().Add(15 * time.Second)
	for lastProgressSecond(errb.String()) < 4 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	last := lastProgressSecond(errb.String())
	if last < 4 {
		t.Fatalf("no progress line reached 4s:\n%s", errb.String())
	}
	rep := exec.Command(binary(t), "report", out)
	b, err := rep.CombinedOutput()
	if err != nil {
		t.Fatalf("report after SIGKILL: %v\n%s", err, b)
	}
	s := readSummary(t, out)
	var n int64
	for _, op := range s.Ops {
		n += op.Count
	}
	t.Logf("killed at progress second %d; report kept %d samples", last, n)
	if want := int64(0.9 * 200 * float64(last-1)); n < want {
		t.Errorf("report kept %d samples after a kill at progress second %d; want ≥ %d", n, last, want)
	}
}

func TestIntegrationSIGTERMGraceful(t *testing.T) {
	dir := t.TempDir()
	wl := writeFile(t, dir, "term.yaml", `name: term
target: {url: embedded, timeout: 5s}
scenarios:
  - name: steady
    executor: constant-rate
    rate: 100/s
    duration: 30s
    graceful_stop: 2s
    max_workers: 20
    steps: [{op: http, url: /health}]
`)
	out := filepath.Join(dir, "run")
	cmd, errb := startRun(t, "run", wl, "--out", out)
	deadline := time.Now().Add(15 * time.Second)
	for lastProgressSecond(errb.String()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitSignal {
		t.Fatalf("exit after SIGTERM: %v; want code 105\n%s", err, errb.String())
	}
	s := readSummary(t, out)
	if len(s.Ops) != 1 || s.Ops[0].Count < 150 {
		t.Fatalf("summary after SIGTERM: %+v", s.Ops)
	}
	if _, err := os.Stat(filepath.Join(out, "report.txt")); err != nil {
		t.Error(err)
	}
	// The stream agrees with the summary: rebuilding gives the same count.
	if b, err := exec.Command(binary(t), "report", out).CombinedOutput(); err != nil {
		t.Fatalf("report: %v\n%s", err, b)
	}
	if s2 := readSummary(t, out); s2.Ops[0].Count != s.Ops[0].Count {
		t.Errorf("rebuilt count %d, run's count %d", s2.Ops[0].Count, s.Ops[0].Count)
	}
}

func TestIntegrationAbortOnFail(t *testing.T) {
	dir := t.TempDir()
	wl := writeFile(t, dir, "abort.yaml", `name: abort
target:
  url: embedded
  timeout: 5s
  faults:
    - {route: "GET /health", error_rate: 1.0, status: 503}
scenarios:
  - name: failing
    executor: constant-rate
    rate: 50/s
    duration: 60s
    steps: [{op: http, url: /health}]
thresholds:
  http:
    - {threshold: "error_rate < 5%", abort_on_fail: true, delay_abort_eval: 2s}
`)
	out := filepath.Join(dir, "run")
	binary(t)
	began := time.Now()
	cmd, errb := startRun(t, "run", wl, "--out", out, "-q")
	err := cmd.Wait()
	took := time.Since(began)
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitThresholds {
		t.Fatalf("exit: %v; want 99\n%s", err, errb.String())
	}
	// The rule is first checked at the first tick after 2s; allow for a
	// loaded machine, but far less than the 60s the run would last.
	if took > 10*time.Second {
		t.Errorf("abort took %s; want it soon after the 2s delay", took)
	}
	if !strings.Contains(errb.String(), "error_rate < 5%") {
		t.Errorf("stderr does not name the failed threshold:\n%s", errb.String())
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Errorf("aborted run left no summary: %v", err)
	}
}

func TestIntegrationMetricsAndPush(t *testing.T) {
	var mu sync.Mutex
	var pushed []string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		pushed = append(pushed, r.Method+" "+r.URL.Path+" "+string(b))
		mu.Unlock()
	}))
	defer gw.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	wl := writeFile(t, dir, "m.yaml", `name: metered
target: {url: embedded, timeout: 5s}
scenarios:
  - name: health
    executor: constant-rate
    rate: 50/s
    duration: 4s
    steps: [{op: http, url: /health}]
`)
	cmd, errb := startRun(t, "run", wl, "--out", filepath.Join(dir, "run"), "-q", "--metrics-addr", addr, "--pushgateway", gw.URL)
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), "loadgen_op_latency_seconds_bucket") && strings.Contains(string(b), "loadgen_workers") {
			body = string(b)
			break
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run: %v\n%s", err, errb.String())
	}
	for _, want := range []string{`loadgen_op_latency_seconds_bucket{op="http",run="metered",scenario="health",shard=""`, "loadgen_ops_total", "loadgen_workers", "loadgen_generator_cpu_percent"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics during the run lacks %s", want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(pushed) != 1 || !strings.HasPrefix(pushed[0], "PUT /metrics/job/loadgen-metered ") || !strings.Contains(pushed[0], "loadgen_ops_total") {
		t.Errorf("pushgateway received %d pushes: %.200q", len(pushed), pushed)
	}
}
