package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestText(t *testing.T) {
	t.Parallel()
	r := testRecorder(2)
	feed(r)
	r.SetEnd(testStart.Add(3 * time.Second))
	sum := r.Summary()
	th, _ := ParseThreshold("p(99) < 1ms")
	sum.Evaluate([]Rule{{Key: "docs/encrypt", Expr: "p(99) < 1ms", T: th}})
	var b strings.Builder
	if err := sum.Text(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`loadgen run "t"  2026-11-27T03:16:08Z → 2026-11-27T03:16:11Z  (3.0 s)`,
		"Latency (ms, from the intended start)",
		"Service time (ms, from the actual start)",
		"scenario/op  count   ok  errors     rps",
		"docs/encrypt",
		"http_4xx 20, other 20, statuses {200: ",
		"Phases of docs/gen",
		"crypto:pbkdf2",
		"(unaccounted)",
		"(overlap)",
		"idle",
		"WARNING: THE LOAD GENERATOR WAS SATURATED in 1 of 3 seconds (first at 3s)", // the progress line at 3s reports second 2, from 2 s to 3 s,
		"Generator (largest per-second figures over 3 s; % of one core): saturated: YES, 1 of 3 seconds",
		"CPU 90% (busiest thread 95%, runnable not measured; client crypto 60%, embedded service not measured, GC 1%); run-queue wait 3%",
		"client crypto CPU in 1 s: client crypto used the CPU (crypto:* phases up to 60% of a core; process 90%); run more shards",
		"! scenario docs: max_workers (50) was reached in 2 of 3 s; raise max_workers",
		"FAIL docs/encrypt: p(99) < 1ms",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	// The console's headline: verdicts, latencies, errors, thresholds; the
	// rest only in report.txt.
	b.Reset()
	if err := sum.Headline(&b); err != nil {
		t.Fatal(err)
	}
	head := b.String()
	for _, want := range []string{"Latency (ms, from the intended start)", "WARNING: THE LOAD GENERATOR WAS SATURATED", "Errors", "FAIL docs/encrypt"} {
		if !strings.Contains(head, want) {
			t.Errorf("headline lacks %q:\n%s", want, head)
		}
	}
	for _, not := range []string{"Service time", "Phases of", "Scenarios (", "Go runtime"} {
		if strings.Contains(head, not) {
			t.Errorf("headline has %q, which belongs in report.txt only:\n%s", not, head)
		}
	}
}

// TestWorkerCapVerdict checks the arithmetic of the worker-cap line.
func TestWorkerCapVerdict(t *testing.T) {
	t.Parallel()
	s := &Summary{Run: RunMeta{DurationS: 4.9}, Scenarios: []ScenarioSummary{
		{Name: "fast", Iterations: 15000, IterationMS: Stats{Mean: 51}, MaxWorkersReachedS: 4, MaxWorkers: 50, PeakRatePerS: 3000},
		{Name: "fine", Iterations: 10},
		{Name: "shared", Iterations: 10, IterationMS: Stats{Mean: 250}, MaxWorkersReachedS: 1, MaxWorkers: 2, MaxWorkersBudget: true, PeakRatePerS: 10},
	}}
	got := s.WorkerCapVerdicts()
	want := []string{
		"scenario fast: max_workers (50) was reached in 4 of 5 s: at 3000/s × 51 ms service time ~153 must be in flight; raise max_workers (the latencies include the wait for a worker)",
		"scenario shared: target.max_workers left it 2 workers, all busy in 1 of 5 s: at 10/s × 250 ms service time ~3 must be in flight; raise target.max_workers (the latencies include the wait for a worker)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("WorkerCapVerdicts =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Out of the seconds the generator measured, as the saturation line
	// counts them (15 of 15, not of a 16th that the run's last 30 ms began).
	s = &Summary{Run: RunMeta{DurationS: 15.03}, Generator: Generator{Seconds: 15}, Scenarios: []ScenarioSummary{
		{Name: "slow", MaxWorkersReachedS: 15, MaxWorkers: 50},
	}}
	if got, want := s.WorkerCapVerdicts(), "scenario slow: max_workers (50) was reached in 15 of 15 s; raise max_workers"; len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("WorkerCapVerdicts = %q; want %q…", got, want)
	}
}

// TestSaturationHeadlineBusyMachine checks that a run held back only by
// other processes on the machine says so in its loud line, rather than
// calling loadgen saturated (at 7% CPU), and that any second of loadgen's
// own doing keeps the saturation headline.
func TestSaturationHeadlineBusyMachine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		causes      map[string]int64
		want, never string
	}{
		{"machine only", map[string]int64{CauseMachine: 2},
			"WARNING: THE MACHINE WAS TOO BUSY: THE LOAD GENERATOR WAITED FOR A CPU in 2 of 5 seconds", "WAS SATURATED"},
		{"machine and crypto", map[string]int64{CauseMachine: 1, CauseCrypto: 1},
			"WARNING: THE LOAD GENERATOR WAS SATURATED in 2 of 5 seconds", "TOO BUSY"},
	} {
		s := &Summary{Generator: Generator{Saturated: true, Seconds: 5, SaturatedSeconds: 2, Causes: tc.causes}}
		var b strings.Builder
		if err := s.Headline(&b); err != nil {
			t.Fatal(err)
		}
		var h bytes.Buffer
		if err := s.WriteHTML(&h, nil); err != nil {
			t.Fatal(err)
		}
		page := strings.ToUpper(h.String())
		if !strings.Contains(b.String(), tc.want) || strings.Contains(b.String(), tc.never) ||
			!strings.Contains(page, strings.ToUpper(strings.TrimPrefix(strings.Split(tc.want, " in ")[0], "WARNING: "))) || strings.Contains(page, tc.never) {
			t.Errorf("%s: headline\n%s\nwant %q, never %q (report.html likewise)", tc.name, b.String(), tc.want, tc.never)
		}
	}
}

// TestTextNotMeasured checks that a run without health records says "not
// measured" instead of showing zeros.
func TestTextNotMeasured(t *testing.T) {
	t.Parallel()
	r := testRecorder(1)
	r.SetEnd(testStart.Add(200 * time.Millisecond))
	sum := r.Summary()
	var b strings.Builder
	if err := sum.Text(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Generator: not measured") || strings.Contains(b.String(), "CPU max 0") {
		t.Errorf("report:\n%s", b.String())
	}
	js, err := json.Marshal(sum.Generator)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"cpu_max_pct":null`) || !strings.Contains(string(js), `"goroutines_max":null`) {
		t.Errorf("generator JSON %s; want nulls for what was not measured", js)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n--; w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestTextWriteError(t *testing.T) {
	t.Parallel()
	r := testRecorder(1)
	feed(r)
	if err := r.Summary().Text(&failWriter{n: 3}); err == nil {
		t.Error("Text hid a write error")
	}
}

func TestWriteFiles(t *testing.T) {
	t.Parallel()
	r := testRecorder(1)
	feed(r)
	r.SetEnd(testStart.Add(3 * time.Second))
	dir := t.TempDir()
	if err := r.Summary().WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "run", "generator", "scenarios", "ops", "thresholds"} {
		if _, ok := m[k]; !ok {
			t.Errorf("summary.json lacks %q", k)
		}
	}
	op := m["ops"].([]any)[0].(map[string]any)
	for _, k := range []string{"scenario", "op", "count", "ok", "errors", "error_classes", "throughput_per_s",
		"latency_ms", "service_time_ms", "phases", "histogram"} {
		if _, ok := op[k]; !ok {
			t.Errorf("ops[0] lacks %q", k)
		}
	}
	lat := op["latency_ms"].(map[string]any)
	for _, k := range []string{"min", "p50", "p75", "p90", "p95", "p99", "p999", "max", "mean", "stddev"} {
		if _, ok := lat[k]; !ok {
			t.Errorf("latency_ms lacks %q", k)
		}
	}
	if len(lat) != 10 {
		t.Errorf("latency_ms has %d keys, want 10", len(lat))
	}
	if _, err := os.Stat(filepath.Join(dir, "report.txt")); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 { // summary.json, report.txt, report.html, phases.folded
		t.Errorf("folder holds %d files, want 4 (no temporaries)", len(entries))
	}
}

func TestProgressString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Progress
		want string
	}{
		{Progress{Elapsed: 12345 * time.Millisecond, Iterations: 1234, Rate: 102.34, Errors: 3, Late: 1, Dropped: 2},
			"12.3s  iterations 1234  102.3/s  errors 3  late 1  dropped 2"},
		{Progress{Elapsed: time.Second, Saturated: true},
			"1s  iterations 0  0.0/s  errors 0  late 0  dropped 0  SATURATED"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestTextUnaccountedCount checks that the (unaccounted) and (overlap) rows
// count the samples that reported phases, the ones they are computed from,
// not every sample of the op.
func TestTextUnaccountedCount(t *testing.T) {
	t.Parallel()
	r := testRecorder(1)
	ms := time.Millisecond
	with := Sample{Scenario: "s", Op: "gen", Latency: 100 * ms, ServiceTime: 100 * ms,
		Phases: []Phase{{Name: "crypto:pbkdf2", Start: 0, End: 40 * ms}}}
	without := Sample{Scenario: "s", Op: "gen", Latency: 5 * ms, ServiceTime: 5 * ms, Err: errors.New("early")}
	r.RecordSample(&with)
	r.RecordSample(&without)
	r.RecordSample(&without)
	r.SetEnd(testStart.Add(time.Second))
	var b, h strings.Builder
	sum := r.Summary()
	if err := sum.Text(&b); err != nil {
		t.Fatal(err)
	}
	if err := sum.WriteHTML(&h, nil); err != nil {
		t.Fatal(err)
	}
	if want := "<td><em>unaccounted</em></td><td>1</td>"; !strings.Contains(h.String(), want) {
		t.Errorf("report.html lacks %q", want)
	}
	for _, row := range []string{"(unaccounted)", "(overlap)"} {
		for _, line := range strings.Split(b.String(), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == row && f[1] != "1" {
				t.Errorf("%s row counts %s samples; want 1 (the one with phases):\n%s", row, f[1], line)
			}
		}
	}
}
