package compare

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestVegetaFiles writes the same results with vegeta's own gob, JSON and
// CSV encoders and checks each reads back exactly and compares as equal.
func TestVegetaFiles(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(4, 2))
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var rs []vegeta.Result
	var errs int64
	minL, maxL := time.Duration(math.MaxInt64), time.Duration(0)
	for i := 0; i < 1500; i++ {
		lat := time.Duration(5e6*math.Exp(0.5*rng.NormFloat64())) + time.Duration(rng.IntN(1000))
		r := vegeta.Result{Attack: "", Seq: uint64(i), Code: 200, Timestamp: start.Add(time.Duration(i) * 10 * time.Millisecond),
			Latency: lat, Method: "GET", URL: "http://127.0.0.1/health"}
		if i%50 == 0 {
			r.Code, r.Error = 500, "500 Internal Server Error"
			errs++
		}
		minL, maxL = min(minL, lat), max(maxL, lat)
		rs = append(rs, r)
	}
	dir := t.TempDir()
	encoders := map[string]func(*os.File) vegeta.Encoder{
		"results.gob":  func(f *os.File) vegeta.Encoder { return vegeta.NewEncoder(f) },
		"results.json": func(f *os.File) vegeta.Encoder { return vegeta.NewJSONEncoder(f) },
		"results.csv":  func(f *os.File) vegeta.Encoder { return vegeta.NewCSVEncoder(f) },
	}
	runs := map[string]*Run{}
	for name, enc := range encoders {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		e := enc(f)
		for i := range rs {
			if err := e.Encode(&rs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		run := mustLoad(t, p, Options{Mapping: DefaultMapping()})
		runs[name] = run
		op := run.Op("http")
		if run.Format != FormatVegeta || op == nil {
			t.Fatalf("%s: format %s, ops %v", name, run.Format, run.Ops)
		}
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		if op.Count != 1500 || op.Errors != errs || op.Stats.Min != ms(minL) || op.Stats.Max != ms(maxL) {
			t.Errorf("%s: count %d errors %d min %v max %v; want 1500 %d %v %v", name, op.Count, op.Errors, op.Stats.Min, op.Stats.Max,
				errs, ms(minL), ms(maxL))
		}
		if want := 14.99 + ms(rs[len(rs)-1].Latency)/1000; math.Abs(run.DurationS-want) > 1e-9 {
			t.Errorf("%s: duration %v, want %v", name, run.DurationS, want)
		}
	}
	c := Compare(runs["results.gob"], runs["results.csv"], Config{Seed: 1})
	for _, v := range row(t, c, "http").Verdicts {
		if v.Delta != 0 || v.Result != ResultSame {
			t.Errorf("gob vs csv %s: %+v", v.Metric, v)
		}
	}
	if f := Gate(c, mustRules(t, "p99>+0%", "mean>+0%", "count<0", "error_rate>+0pp")); len(f) != 0 {
		t.Errorf("gob vs csv gate: %+v", f)
	}
}

// TestSampleFiles reads a CSV and a JSON-lines file of samples through
// named columns with units.
func TestSampleFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "samples.csv")
	jsonPath := filepath.Join(dir, "samples.jsonl")
	csvBody := "method,elapsed,success,ts\n" +
		"createUser,1500,true,1700000000000\n" +
		"createUser,2500,false,1700000001000\n" +
		"documentEncrypt,500,1,1700000002000\n" +
		"documentEncrypt,700,yes,1700000003000\n" +
		"documentEncrypt,900,OK,1700000003500\n"
	jsonBody := `{"method":"createUser","elapsed":1500,"success":true,"ts":"2023-11-14T22:13:20Z"}
{"method":"createUser","elapsed":2500,"success":false,"ts":"2023-11-14T22:13:21Z"}
{"method":"documentEncrypt","elapsed":500,"success":true,"ts":"2023-11-14T22:13:22Z"}
{"method":"documentEncrypt","elapsed":700,"success":true,"ts":"2023-11-14T22:13:23Z"}
{"method":"documentEncrypt","elapsed":900,"success":true,"ts":"2023-11-14T22:13:23.5Z"}
`
	for p, body := range map[string]string{csvPath: csvBody, jsonPath: jsonBody} {
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cols, err := ParseColumns("op=method,latency=elapsed:us,ok=success,start=ts:ms")
	if err != nil {
		t.Fatal(err)
	}
	m := DefaultMapping()
	if err := m.Parse("createUser=user_create"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{csvPath, jsonPath} {
		run := mustLoad(t, p, Options{Columns: cols, Mapping: m})
		u, d := run.Op("user_create"), run.Op("document_encrypt")
		if u == nil || d == nil {
			t.Fatalf("%s: ops %v", p, run.Ops)
		}
		if u.Count != 2 || u.Errors != 1 || u.Stats.Min != 1.5 || u.Stats.Max != 2.5 || d.Count != 3 || d.Errors != 0 || d.Stats.P50 != 0.7 {
			t.Errorf("%s: user_create %+v, document_encrypt %+v", p, u, d)
		}
		if math.Abs(run.DurationS-3.5009) > 1e-6 {
			t.Errorf("%s: duration %v, want 3.5009", p, run.DurationS)
		}
	}
	for _, bad := range []string{"op=method", "latency=x:hours", "colour=red,latency=x", "ok=a:ms,latency=x"} {
		if _, err := ParseColumns(bad); err == nil {
			t.Errorf("--columns %q parsed", bad)
		}
	}
}

// TestPercentileCSV reads a CSV of percentiles per op and compares it with
// samples: the verdict uses the rank interval.
func TestPercentileCSV(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "scala.csv")
	body := "operation,count,errors,min_ms,median_ms,p75_ms,p95_ms,p99_ms,max_ms,mean_ms\n" +
		"userCreate,1000,2,10,50,60,80,95,120,52\n" +
		"documentDecrypt,500,0,1,2,3,4,5,9,2.5\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	run := mustLoad(t, p, Options{Mapping: DefaultMapping()})
	u := run.Op("user_create")
	if run.Format != FormatPercentiles || u == nil || u.Count != 1000 || u.Errors != 2 || u.Stats.P50 != 50 || u.Stats.P99 != 95 ||
		!math.IsNaN(u.Stats.P90) || u.Kind != KindEstimate {
		t.Fatalf("format %s, user_create %+v", run.Format, u)
	}

	// Samples 1..100 ms: p50 is 50, p99 is 99.
	var b distBuilder
	for v := 1; v <= 100; v++ {
		b.add(float64(v), 10)
	}
	d := b.build()
	samples := &Run{Ops: []*Op{sampleOp("user_create", d, 0, 10, 0)}}
	c := Compare(run, samples, Config{Seed: 3})
	for _, v := range row(t, c, "user_create").Verdicts {
		if v.Method != "rank interval" {
			t.Errorf("%s: method %q", v.Metric, v.Method)
		}
		switch v.Metric {
		case "p50":
			if v.Result != ResultSame {
				t.Errorf("p50 50 vs 50: %+v", v)
			}
		case "p99":
			if v.Result != ResultSlower || v.Delta != 4 {
				t.Errorf("p99 95 vs 99: %+v", v)
			}
		}
	}
	if r := row(t, c, "document_decrypt"); r.Candidate != nil || len(r.Verdicts) != 0 {
		t.Errorf("document_decrypt only in the baseline: %+v", r)
	}
}

// TestLoadCaps checks that endless or oversized inputs fail fast with an
// error instead of filling memory: /dev/zero in every reading mode, and a
// CSV with a line over MaxLineSize.
func TestLoadCaps(t *testing.T) {
	t.Parallel()
	cols, err := ParseColumns("op=op,latency=ms")
	if err != nil {
		t.Fatal(err)
	}
	long := filepath.Join(t.TempDir(), "long.csv")
	if err := os.WriteFile(long, append([]byte("op,ms\nx,"), bytes.Repeat([]byte("1"), MaxLineSize+1)...), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		opts       Options
		want       string
	}{
		{"samples CSV with a long line", long, Options{Columns: cols}, "has a line longer than 16MiB"},
		{"/dev/zero as samples", "/dev/zero", Options{Columns: cols}, "has a line longer than 16MiB"},
		{"/dev/zero detected", "/dev/zero", Options{}, "/dev/zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := os.Stat(tt.path); err != nil {
				t.Skip(err)
			}
			_, err := Load(tt.path, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}
