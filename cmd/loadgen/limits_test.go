package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateRefusesWhatRunRefuses checks that absurd inputs (a rate no
// machine could schedule, workers beyond the cap, a run beyond a year) are
// refused by validate and run alike, with exit 2 and a hint, and that the
// command line cannot ask for them either.
func TestValidateRefusesWhatRunRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"rate", "rate: 40/s", "rate: 1e12/s", "scenarios[0].rate: 1e+12/s is more than one generator can schedule"},
		{"workers", "max_workers: 10", "max_workers: 10000000", "scenarios[0].max_workers: 10000000 is out of range; want 1 to 100000"},
		{"duration", "duration: 1s", "duration: 1000000h", "scenarios[0].duration: 1000000h0m0s is longer than a run may be"},
	} {
		p := writeFile(t, dir, tc.name+".yaml", strings.Replace(smallRun, tc.from, tc.to, 1))
		for _, args := range [][]string{{"validate", p}, {"run", p, "-q", "--out", filepath.Join(dir, tc.name)}, {"run", p, "--dry-run"}} {
			code, _, errOut := runCLI(t, args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("%s: %v: code %d, stderr %q; want 2 and %q", tc.name, args[0], code, errOut, tc.want)
			}
		}
	}
	p := writeFile(t, dir, "ok.yaml", smallRun)
	for _, flag := range [][]string{{"--rate", "1e12/s"}, {"--workers", "10000000"}, {"--duration", "1000000h"}} {
		code, _, errOut := runCLI(t, append([]string{"run", p, "--dry-run"}, flag...)...)
		if code != exitUsage || !strings.Contains(errOut, flag[0]) {
			t.Errorf("run %s %s: code %d, stderr %q; want 2 naming the flag", flag[0], flag[1], code, errOut)
		}
	}
}

// TestDryRunMaxRate checks that the dry run shows what target.max_rate
// leaves of the rates: a 10/s scenario under max_rate 1/s for 4s starts 4.
func TestDryRunMaxRate(t *testing.T) {
	dir := t.TempDir()
	body := strings.Replace(smallRun, "target: {url: embedded, timeout: 5s}", "target: {url: embedded, timeout: 5s, max_rate: 1/s}", 1)
	body = strings.Replace(strings.Replace(body, "rate: 40/s", "rate: 10/s", 1), "duration: 1s", "duration: 4s", 1)
	p := writeFile(t, dir, "capped.yaml", body)
	code, out, errOut := runCLI(t, "run", p, "--dry-run")
	if code != 0 || !strings.Contains(out, "scaled by 0.1") || !strings.Contains(out, "iterations 4 ") || !strings.Contains(out, "peak rate      1.0/s") {
		t.Fatalf("dry run: code %d\n%s%s\nwant the rates scaled by 0.1: 4 iterations at 1/s", code, out, errOut)
	}
}

// TestMaxRateUnpacedClosed checks that a closed scenario under
// target.max_rate is named, by the dry run and the run alike, as one the
// cap does not pace: it starts iterations as fast as its workers finish
// them, so the workload's rate may exceed max_rate.
func TestMaxRateUnpacedClosed(t *testing.T) {
	dir := t.TempDir()
	body := strings.Replace(smallRun, "target: {url: embedded, timeout: 5s}", "target: {url: embedded, timeout: 5s, max_rate: 1/s}", 1)
	body = strings.Replace(body, "executor: constant-rate\n    rate: 40/s\n    duration: 1s\n    max_workers: 10",
		"executor: shared-iterations\n    workers: 1\n    iterations: 3", 1)
	p := writeFile(t, dir, "closed.yaml", body)
	want := "target.max_rate 1/s does not pace closed scenarios: health (shared-iterations)"
	code, out, errOut := runCLI(t, "run", p, "--dry-run")
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("dry run: code %d\n%s%s\nwant %q", code, out, errOut, want)
	}
	code, out, errOut = runCLI(t, "run", p, "-q", "--out", filepath.Join(dir, "run"))
	if code != 0 || !strings.Contains(errOut, want) {
		t.Errorf("run: code %d\n%s%s\nwant %q", code, out, errOut, want)
	}
	code, out, errOut = runCLI(t, "run", writeFile(t, dir, "open.yaml", smallRun), "--dry-run")
	if code != 0 || strings.Contains(out+errOut, "does not pace") {
		t.Errorf("dry run without max_rate: code %d\n%s%s\nwant no pacing note", code, out, errOut)
	}
}

// TestRunHeadline checks that the console leads with the headline and
// leaves the phase and service-time tables to report.txt (or -v).
func TestRunHeadline(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "small.yaml", smallRun)
	code, out, errOut := runCLI(t, "run", p, "--out", filepath.Join(dir, "a"), "-q")
	if code != 0 || !strings.Contains(out, "Latency (ms") || strings.Contains(out, "Service time (ms") || !strings.Contains(out, "report.txt (or run with -v)") {
		t.Fatalf("run: code %d\n%s\n%s\nwant the headline and a pointer to report.txt", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "run", p, "--out", filepath.Join(dir, "b"), "-v") // -q with -v is refused
	if code != 0 || !strings.Contains(out, "Service time (ms") || !strings.Contains(out, "Generator") {
		t.Fatalf("run -v: code %d\n%s\n%s\nwant the whole report", code, out, errOut)
	}
}
