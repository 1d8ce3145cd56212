//go:build integration

package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestIntegrationShippedConfigs runs every workload in configs/ at its
// defaults, shortened to 4 s, against the embedded service: each must exit
// 0 with no error of class other or workload (documents.yaml's mix once
// failed a third of its decrypts as other, at its own defaults).
// staging.yaml needs a real target: it is validated with its variables.
//
// A latency threshold is not judged when the generator itself was
// saturated (2 shared cores): the run says its latencies are then its
// own, not the target's. Every other failure fails the test.
func TestIntegrationShippedConfigs(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("configs: %v, %v", files, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if name == "staging" {
				cfg, iak := writeFile(t, dir, "cfg.json", "{}"), writeFile(t, dir, "iak.pem", "")
				out, err := exec.Command(binary(t), "validate", f, "-e", "IRONCORE_URL=https://staging.example.invalid/api/1/",
					"-e", "IRONCORE_CONFIG="+cfg, "-e", "IRONCORE_IAK="+iak).CombinedOutput()
				if err != nil {
					t.Fatalf("validate: %v\n%s", err, out)
				}
				return
			}
			run := filepath.Join(dir, "run")
			out, err := exec.Command(binary(t), "run", f, "-q", "--duration", "4s", "--out", run).CombinedOutput()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			sum := readShippedSummary(t, run)
			for _, o := range sum.Ops {
				for _, class := range []string{"other", "workload"} {
					if n := o.ErrorClasses[class]; n > 0 {
						t.Errorf("%s/%s: %d errors of class %s: %v", o.Scenario, o.Op, n, class, o.ErrorReasons)
					}
				}
			}
			switch {
			case code == 0:
			case code == exitThresholds && sum.Generator.Saturated && onlyLatencyFailed(sum.Thresholds):
				t.Logf("latency thresholds failed on a saturated generator (not judged):\n%s", out)
			default:
				t.Errorf("exit %d, want 0\n%s", code, out)
			}
		})
	}
}

type shippedSummary struct {
	Generator struct {
		Saturated bool `json:"saturated"`
	} `json:"generator"`
	Ops []struct {
		Scenario     string           `json:"scenario"`
		Op           string           `json:"op"`
		ErrorClasses map[string]int64 `json:"error_classes"`
		ErrorReasons map[string]int64 `json:"error_reasons"`
	} `json:"ops"`
	Thresholds []struct {
		Expr string `json:"expr"`
		OK   bool   `json:"ok"`
	} `json:"thresholds"`
}

func readShippedSummary(t *testing.T, dir string) shippedSummary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s shippedSummary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// latencyExpr matches a threshold on latency: p(99), p99, mean, max, ...
var latencyExpr = regexp.MustCompile(`^\s*(p\(|p\d|mean|max|min|avg|med|stddev)`)

// onlyLatencyFailed reports whether every failed threshold is on latency
// (a percentile, mean, min or max), none on errors, counts or rates.
func onlyLatencyFailed(ths []struct {
	Expr string `json:"expr"`
	OK   bool   `json:"ok"`
}) bool {
	for _, th := range ths {
		if th.OK {
			continue
		}
		if !latencyExpr.MatchString(th.Expr) {
			return false
		}
	}
	return true
}
