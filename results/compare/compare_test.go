package compare

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// runSpec describes a synthetic run: per op, lognormal latencies around
// medianMS, scaled by slow, with errors at errRate.
type runSpec struct {
	seed    uint64
	n       int
	slow    map[string]float64
	errRate map[string]float64
	version string
}

// recordRun writes a loadgen run folder (summary.json and samples.bin)
// through results.Recorder and returns its path.
func recordRun(t *testing.T, spec runSpec) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ver := spec.version
	if ver == "" {
		ver = "v1.0.0"
	}
	rec, err := results.NewRecorder(results.Config{Dir: dir, Start: start,
		Meta: results.RunMeta{Name: "docs", Version: ver, WorkloadSHA256: "abc123"}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(spec.seed, 99))
	ops := map[string]float64{"document_encrypt": 20, "user_create": 150}
	for i := 0; i < spec.n; i++ {
		for _, op := range []string{"document_encrypt", "user_create"} {
			scale := spec.slow[op]
			if scale == 0 {
				scale = 1
			}
			ms := ops[op] * math.Exp(0.4*rng.NormFloat64()) * scale
			d := time.Duration(ms * float64(time.Millisecond))
			s := &results.Sample{Scenario: "s", Op: op, Worker: i % 4, Start: time.Duration(i) * 10 * time.Millisecond,
				Latency: d, ServiceTime: d, Status: 200}
			if rng.Float64() < spec.errRate[op] {
				s.Class, s.Status = "http_5xx", 503
			}
			rec.RecordSample(s)
		}
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

func mustLoad(t *testing.T, path string, opts Options) *Run {
	t.Helper()
	r, err := Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustRules(t *testing.T, specs ...string) []Rule {
	t.Helper()
	var rs []Rule
	for _, s := range specs {
		r, err := ParseRule(s)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	return rs
}

func row(t *testing.T, c *Comparison, op string) Row {
	t.Helper()
	for _, r := range c.Rows {
		if r.Op == op {
			return r
		}
	}
	t.Fatalf("no row %q", op)
	return Row{}
}

func TestCompareLoadgenRuns(t *testing.T) {
	t.Parallel()
	base := mustLoad(t, recordRun(t, runSpec{seed: 1, n: 3000}), Options{})
	same := mustLoad(t, recordRun(t, runSpec{seed: 2, n: 3000}), Options{})
	worse := mustLoad(t, recordRun(t, runSpec{seed: 3, n: 3000, slow: map[string]float64{"document_encrypt": 1.3},
		errRate: map[string]float64{"document_encrypt": 0.03}, version: "v1.1.0"}), Options{})
	gate := mustRules(t, "p99>+10%", "p50>+10%", "error_rate>+0.5pp")

	if base.Format != FormatLoadgen || len(base.Ops) != 2 || base.Op("user_create").Kind != KindHistogram {
		t.Fatalf("loaded %s with %d ops", base.Format, len(base.Ops))
	}
	if got := base.Op("document_encrypt").Count; got != 3000 {
		t.Errorf("count %d, want 3000", got)
	}
	if base.DurationS != 60 || base.Meta["workload_sha256"] != "abc123" {
		t.Errorf("duration %v, meta %v", base.DurationS, base.Meta)
	}

	t.Run("same workload passes", func(t *testing.T) {
		c := Compare(base, same, Config{Seed: 7})
		if f := c.ApplyGate(gate); len(f) != 0 {
			t.Errorf("gate failed on two runs of one workload: %+v", f)
		}
		if len(c.MetaDiffs) != 0 {
			t.Errorf("meta differences %+v", c.MetaDiffs)
		}
		for _, r := range c.Rows {
			for _, v := range r.Verdicts {
				if v.Method != "bootstrap" || math.IsNaN(float64(v.Low)) || !(v.Low <= v.Delta && v.Delta <= v.High) {
					t.Errorf("%s %s: %+v", r.Op, v.Metric, v)
				}
			}
		}
	})

	t.Run("planted regression fails", func(t *testing.T) {
		c := Compare(base, worse, Config{Seed: 7})
		failures := c.ApplyGate(gate)
		got := map[string]bool{}
		for _, f := range failures {
			got[f.Rule+" "+f.Op] = true
		}
		want := map[string]bool{"p99>+10% document_encrypt": true, "p50>+10% document_encrypt": true, "error_rate>+0.5pp document_encrypt": true}
		if len(got) != len(want) {
			t.Errorf("failures %+v, want %v", failures, want)
		}
		for k := range want {
			if !got[k] {
				t.Errorf("missing failure %s in %+v", k, failures)
			}
		}
		for _, v := range row(t, c, "document_encrypt").Verdicts {
			if v.Result != ResultSlower {
				t.Errorf("document_encrypt %s: %+v, want slower", v.Metric, v)
			}
		}
		if len(c.MetaDiffs) != 1 || c.MetaDiffs[0].Key != "version" {
			t.Errorf("meta differences %+v, want version", c.MetaDiffs)
		}
		var text bytes.Buffer
		if err := WriteText(&text, []*Comparison{c}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"document_encrypt", "slower", "gate FAILED", "version differs"} {
			if !strings.Contains(text.String(), s) {
				t.Errorf("text report lacks %q:\n%s", s, text.String())
			}
		}
	})

	t.Run("seeded bootstrap is deterministic", func(t *testing.T) {
		var a, b, c bytes.Buffer
		for _, x := range []struct {
			w    *bytes.Buffer
			seed uint64
		}{{&a, 5}, {&b, 5}, {&c, 6}} {
			if err := WriteJSON(x.w, []*Comparison{Compare(base, worse, Config{Seed: x.seed})}); err != nil {
				t.Fatal(err)
			}
		}
		if a.String() != b.String() {
			t.Error("two comparisons with one seed differ")
		}
		if a.String() == c.String() {
			t.Error("two seeds gave identical intervals")
		}
	})
}

// TestKilledRunRebuilt loads a run folder without summary.json from its
// sample stream.
func TestKilledRunRebuilt(t *testing.T) {
	t.Parallel()
	dir := recordRun(t, runSpec{seed: 1, n: 500})
	want := mustLoad(t, dir, Options{})
	if err := removeFile(filepath.Join(dir, "summary.json")); err != nil {
		t.Fatal(err)
	}
	got := mustLoad(t, dir, Options{})
	if !strings.Contains(strings.Join(got.Warnings, "\n"), "rebuilt") {
		t.Errorf("warnings %q", got.Warnings)
	}
	for _, w := range want.Ops {
		g := got.Op(w.Name)
		if g == nil || g.Count != w.Count || g.Stats.P99 != w.Stats.P99 || g.Stats.Max != w.Stats.Max {
			t.Errorf("%s: rebuilt %+v, want %+v", w.Name, g, w)
		}
	}
}

func TestParseRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Rule
		wantErr string
	}{
		{in: "p99>+10%", want: Rule{Metric: "p99", Limit: 10, Unit: "%"}},
		{in: "p(99)>+10%", want: Rule{Metric: "p99", Limit: 10, Unit: "%"}},
		{in: "document_encrypt:p( 50 )>5ms", want: Rule{Op: "document_encrypt", Metric: "p50", Limit: 5, Unit: "ms"}},
		{in: "error_rate>+0.5pp", want: Rule{Metric: "error_rate", Limit: 0.5, Unit: "pp"}},
		{in: "document_encrypt:p50>5ms", want: Rule{Op: "document_encrypt", Metric: "p50", Limit: 5, Unit: "ms"}},
		{in: "throughput<-10%", want: Rule{Metric: "throughput", Less: true, Limit: -10, Unit: "%"}},
		{in: "p99 >> 3", wantErr: "is not"},
		{in: "p42>+1%", wantErr: "unknown metric"},
		{in: "p99.9>+10%", wantErr: "unknown metric \"p99.9\""}, // as p(99.9): said so, not "not a gate"
		{in: "p(42)>+1%", wantErr: "unknown metric \"p42\""},
		{in: "p99>+1pp", wantErr: "error_rate only"},
		{in: "count>5ms", wantErr: "latency metrics only"},
		{in: "error_rate>1", wantErr: "pp or %"},
	}
	for _, tt := range tests {
		got, err := ParseRule(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		tt.want.text = tt.in
		if err != nil || got != tt.want {
			t.Errorf("%q: %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// TestGateRules checks rule arithmetic on fixed figures.
func TestGateRules(t *testing.T) {
	t.Parallel()
	c := &Comparison{Rows: []Row{{
		Op:        "a",
		Baseline:  &Figures{Count: 100, Errors: 1, ErrorRate: 0.01, Throughput: 100, P50: 10, P99: 100, Mean: 20},
		Candidate: &Figures{Count: 100, Errors: 2, ErrorRate: 0.02, Throughput: 85, P50: 10.5, P99: 130, Mean: 20},
		Verdicts:  []Verdict{{Metric: "p50", Result: ResultSame}, {Metric: "p99", Result: ResultSlower}},
	}}}
	tests := []struct {
		rule string
		fail bool
	}{
		{"p99>+10%", true},
		{"p99>+30%", false},
		{"p99>+29ms", true},
		{"p50>+1%", false}, // +5% but not significant
		{"error_rate>+0.5pp", true},
		{"error_rate>+1pp", false},
		{"throughput<-10%", true},
		{"throughput<-20%", false},
		{"mean>+0%", false},
		{"b:p99>+10%", true}, // no such op
	}
	for _, tt := range tests {
		f := Gate(c, mustRules(t, tt.rule))
		if (len(f) > 0) != tt.fail {
			t.Errorf("%s: failures %+v, want fail=%v", tt.rule, f, tt.fail)
		}
	}
}

func TestMapping(t *testing.T) {
	t.Parallel()
	m := DefaultMapping()
	if err := m.Parse("createUser=user_create"); err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"userCreate": "user_create", "user_create": "user_create", "createUser": "user_create",
		"documentGrantAccess": "document_grant", "generateNewDevice": "generate_device",
		"groupGetMetadata": "group_get", "document_update_bytes": "document_update", "GET /x": "GET /x",
		// ironoxide-java's names of the operations of issue 14.
		"initializeAndRotate": "initialize", "rotateAll": "rotate_all", "userRotatePrivateKey": "user_rotate_private_key",
		"userGetPublicKey": "user_get_public_key", "groupUpdateName": "group_update_name", "groupDelete": "group_delete",
		"groupRemoveMembers": "group_remove_members", "groupRemoveAdmins": "group_remove_admins",
		"groupRotatePrivateKey": "group_rotate_private_key", "documentGetMetadata": "document_get_metadata",
		"documentUpdateName": "document_update_name", "advancedDocumentEncryptUnmanaged": "document_encrypt_unmanaged",
		"advancedDocumentDecryptUnmanaged": "document_decrypt_unmanaged",
		// and ironoxide's (Rust) of those ironoxide-java leaves out.
		"user_change_password": "user_change_password", "UserUpdateStatus": "user_update_status",
	}
	for in, want := range tests {
		if got := m.Op(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
	if err := m.Parse("nothing"); err == nil {
		t.Error("a mapping without = parsed")
	}
}

// TestDistQuantiles checks the nearest-rank quantiles and moments on a
// small sample by hand.
func TestDistQuantiles(t *testing.T) {
	t.Parallel()
	var b distBuilder
	for _, v := range []float64{5, 1, 4, 2, 3, 3} {
		b.add(v, 1)
	}
	d := b.build()
	tests := []struct{ q, want float64 }{{0, 1}, {0.5, 3}, {0.51, 3}, {0.67, 4}, {0.99, 5}, {1, 5}}
	for _, tt := range tests {
		if got := d.Quantile(tt.q); got != tt.want {
			t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if d.Mean() != 3 || math.Abs(d.StdDev()-math.Sqrt(10.0/6)) > 1e-12 || d.N() != 6 {
		t.Errorf("mean %v stddev %v n %d", d.Mean(), d.StdDev(), d.N())
	}
	if lo, hi := d.QuantileBounds(0.5); lo != 3 || hi != 3 {
		t.Errorf("bounds at 0.5: %v %v", lo, hi)
	}
	if lo, hi := d.QuantileBounds(0.75); lo != 3 || hi != 4 {
		t.Errorf("bounds at 0.75: %v %v", lo, hi)
	}
}

// TestBootstrapCoverage checks the order-statistic bootstrap against the
// truth: over many pairs of samples from one distribution, the 90% interval
// of the median's change holds 0 about 90% of the time.
func TestBootstrapCoverage(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const trials = 200
	covered := 0
	for i := 0; i < trials; i++ {
		var a, b distBuilder
		for j := 0; j < 400; j++ {
			a.add(math.Round(math.Exp(rng.NormFloat64())*1000)/1000, 1)
			b.add(math.Round(math.Exp(rng.NormFloat64())*1000)/1000, 1)
		}
		x := &Op{Dist: a.build(), Kind: KindSamples}
		y := &Op{Dist: b.build(), Kind: KindSamples}
		x.Stats, y.Stats = statsOf(x.Dist), statsOf(y.Dist)
		v := verdict(0.5, x, y, Config{Resamples: 500, Confidence: 0.9}, rng)
		if v.Result == ResultSame {
			covered++
		}
	}
	if covered < trials*80/100 || covered > trials*98/100 {
		t.Errorf("90%% intervals held 0 in %d of %d trials", covered, trials)
	}
}

func removeFile(p string) error { return os.Remove(p) }

// TestCheckGate checks that a gate refuses a run without samples, on
// either side, and that a comparison without rules still loads it.
func TestCheckGate(t *testing.T) {
	t.Parallel()
	full := mustLoad(t, recordRun(t, runSpec{seed: 1, n: 50}), Options{})
	empty := mustLoad(t, recordRun(t, runSpec{seed: 1, n: 0}), Options{})
	rules := mustRules(t, "p99>+10%", "error_rate>+0.5pp")
	tests := []struct {
		name  string
		runs  []*Run
		rules []Rule
		fail  bool
	}{
		{"both with samples", []*Run{full, full}, rules, false},
		{"empty candidate", []*Run{full, empty}, rules, true},
		{"empty baseline", []*Run{empty, full}, rules, true},
		{"no gate", []*Run{full, empty}, nil, false},
	}
	for _, tt := range tests {
		err := CheckGate(tt.runs, tt.rules)
		if tt.fail != (err != nil) || tt.fail && !errors.Is(err, ErrNoSamples) {
			t.Errorf("%s: CheckGate = %v; want failure %v (ErrNoSamples)", tt.name, err, tt.fail)
		}
	}
}
