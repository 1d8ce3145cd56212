package compare

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGatlingLogAgainstStats loads real Gatling runs twice, from
// simulation.log and from the report's stats.json, and checks the report's
// figures against the exact ones: count, errors, min and max equal, mean
// within 1 ms, and each t-digest percentile between the exact quantiles at
// its rank ±1%.
func TestGatlingLogAgainstStats(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"francisco-3.9.5-run1", "francisco-3.9.5-run2", "abhijeet-3.7.4"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("testdata", dir)
			fromLog, err := Load(filepath.Join(dir, "simulation.log"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if fromLog.Format != FormatGatlingText {
				t.Errorf("format %q, want %q", fromLog.Format, FormatGatlingText)
			}
			fromStats, err := Load(filepath.Join(dir, "js", "stats.json"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			global, err := Load(filepath.Join(dir, "js", "global_stats.json"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			ranks := gatlingRanks(filepath.Join(dir, "js", "stats.json"))
			if ranks != defaultGatlingRanks() {
				t.Errorf("index.html ranks %v, want the defaults", ranks)
			}
			checkGatlingOp(t, "all (stats.json)", fromLog.Total, fromStats.Total, ranks)
			checkGatlingOp(t, "all (global_stats.json)", fromLog.Total, global.Total, ranks)
			if len(fromStats.Ops) == 0 || len(fromStats.Ops) != len(fromLog.Ops) {
				t.Fatalf("stats.json has %d ops, simulation.log %d", len(fromStats.Ops), len(fromLog.Ops))
			}
			for _, want := range fromStats.Ops {
				checkGatlingOp(t, want.Name, fromLog.Op(want.Name), want, ranks)
			}
		})
	}
}

// checkGatlingOp checks Gatling's figures (est) against exact ones.
func checkGatlingOp(t *testing.T, name string, exact, est *Op, ranks [4]float64) {
	t.Helper()
	if exact == nil || est == nil {
		t.Fatalf("%s: missing on one side (log %v, stats %v)", name, exact != nil, est != nil)
	}
	if exact.Count != est.Count || exact.Errors != est.Errors {
		t.Errorf("%s: count/errors %d/%d, Gatling says %d/%d", name, exact.Count, exact.Errors, est.Count, est.Errors)
	}
	if exact.Stats.Min != est.Stats.Min || exact.Stats.Max != est.Stats.Max {
		t.Errorf("%s: min/max %v/%v, Gatling says %v/%v", name, exact.Stats.Min, exact.Stats.Max, est.Stats.Min, est.Stats.Max)
	}
	if d := math.Abs(exact.Stats.Mean - est.Stats.Mean); !(d <= 1) {
		t.Errorf("%s: mean %v, Gatling says %v", name, exact.Stats.Mean, est.Stats.Mean)
	}
	for _, p := range ranks {
		v := percentileOf(est.Stats, p)
		lo, _ := exact.Dist.QuantileBounds(p/100 - 0.01)
		_, hi := exact.Dist.QuantileBounds(p/100 + 0.01)
		if !(lo <= v && v <= hi) {
			t.Errorf("%s: Gatling p%v = %v, outside the exact quantiles [%v, %v] at ranks ±1%%", name, p, v, lo, hi)
		}
	}
}

// TestGatlingFixtures reads Gatling's own test logs, one per layout, and
// checks the figures Gatling's LogFileReaderSpec states for them.
func TestGatlingFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir               string
		format            Format
		count, errors     int64
		min, max, mean    float64
		quantile, atLeast float64 // a Gatling-stated percentile: Q(q−1%) ≤ atLeast ≤ Q(q+1%)
	}{
		// 3.0–3.3 text layout (userId fields), v3.3.1: min 2000, max 9000.
		{"gatling-3.3.1-fixture", FormatGatlingText, 8, 0, 2000, 9000, 5000, 0.5, 5000},
		// 3.4–3.12 text layout, v3.12.0: the same requests.
		{"gatling-3.12.0-fixture", FormatGatlingText, 8, 0, 2000, 9000, 5000, 0.5, 5000},
		// Binary layout (3.13+): 104 OK and 1 KO, min 87, max 368, p70 113.
		{"gatling-binary-fixture", FormatGatlingBin, 105, 1, 87, 368, math.NaN(), 0.70, 113},
		// Real Gatling 3.14.3 runs of one request each; their reports'
		// index.html give 440, 306 and 458 ms for every figure.
		{"hazem-3.14.3-run1", FormatGatlingBin, 1, 0, 440, 440, 440, 0.5, 440},
		{"hazem-3.14.3-run2", FormatGatlingBin, 1, 0, 306, 306, 306, 0.5, 306},
		{"hazem-3.14.3-run3", FormatGatlingBin, 1, 0, 458, 458, 458, 0.5, 458},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			run, err := Load(filepath.Join("testdata", tt.dir), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if run.Format != tt.format {
				t.Errorf("format %q, want %q", run.Format, tt.format)
			}
			all := run.Total
			if all.Count != tt.count || all.Errors != tt.errors || all.Stats.Min != tt.min || all.Stats.Max != tt.max {
				t.Errorf("count %d errors %d min %v max %v; want %d %d %v %v", all.Count, all.Errors, all.Stats.Min, all.Stats.Max,
					tt.count, tt.errors, tt.min, tt.max)
			}
			if !math.IsNaN(tt.mean) && all.Stats.Mean != tt.mean {
				t.Errorf("mean %v, want %v", all.Stats.Mean, tt.mean)
			}
			lo, _ := all.Dist.QuantileBounds(tt.quantile - 0.01)
			_, hi := all.Dist.QuantileBounds(tt.quantile + 0.01)
			if !(lo <= tt.atLeast && tt.atLeast <= hi) {
				t.Errorf("Gatling's p%v %v outside [%v, %v]", tt.quantile*100, tt.atLeast, lo, hi)
			}
			if run.DurationS <= 0 {
				t.Errorf("duration %v", run.DurationS)
			}
		})
	}
}

// TestGatlingBinaryVersions checks that a binary log of a version whose
// layout is unknown fails clearly and that a truncated one keeps what it
// holds, with a warning.
func TestGatlingBinaryVersions(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "gatling-binary-fixture", "simulation.log"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	other := filepath.Join(dir, "simulation.log")
	if err := os.WriteFile(other, bytes.Replace(b, []byte("3.12.1"), []byte("3.99.0"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.log")
	if err := os.WriteFile(truncated, b[:len(b)-300], 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, wantErr, wantWarn string
	}{
		{other, `"3.99.0": its layout is not known`, ""},
		{truncated, "", "truncated"},
	}
	for _, tt := range tests {
		run, err := Load(tt.path, Options{})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.path, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		if !strings.Contains(strings.Join(run.Warnings, "\n"), tt.wantWarn) || run.Total.Count >= 105 || run.Total.Count == 0 {
			t.Errorf("%s: warnings %q, count %d; want %q and fewer than 105", tt.path, run.Warnings, run.Total.Count, tt.wantWarn)
		}
	}
}

// TestGatlingRequestBackwards checks that a REQUEST record ending before it
// starts (a clock step) is skipped with a warning naming its line, not
// taken as a negative latency (a -4000 ms minimum before).
func TestGatlingRequestBackwards(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/gatling-3.12.0-fixture/simulation.log")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "simulation.log")
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), "\t1000\t3000\t", "\t5000\t1000\t", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	run := mustLoad(t, p, Options{Mapping: DefaultMapping()})
	if len(run.Ops) != 1 || run.Ops[0].Count != 7 || run.Ops[0].Stats.Min < 0 {
		t.Errorf("ops %+v; want one op of 7 requests, none negative", run.Ops)
	}
	if !strings.Contains(strings.Join(run.Warnings, "\n"), "REQUEST ends (1000) before it starts (5000); skipped") {
		t.Errorf("warnings %q; want the backwards request named", run.Warnings)
	}
}
