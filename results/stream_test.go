package results

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// streamRecorder returns a Recorder with n shards writing to dir, driven by
// the test through tick (no goroutine).
func streamRecorder(t testing.TB, dir string, n int) (*Recorder, *ticker) {
	t.Helper()
	r := newRecorder(Config{Start: testStart, Meta: RunMeta{Name: "round", Shard: "1/3", Seed: 42,
		Host: Host{CPU: "test", GOMAXPROCS: n}}}, n)
	if err := r.openStream(dir); err != nil {
		t.Fatal(err)
	}
	return r, r.newTicker()
}

func TestStreamRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r, err := NewRecorder(Config{Dir: dir, Start: testStart, Meta: RunMeta{Name: "round", Target: "http://127.0.0.1:1/api/1/"},
		FlushInterval: 3 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	feed(r)
	r.SetEnd(testStart.Add(3 * time.Second))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	want := r.Summary()
	got, warns, err := Rebuild(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	if a, b := summaryJSON(t, want), summaryJSON(t, got); a != b {
		t.Errorf("rebuilt summary differs:\nrecorded %s\nrebuilt  %s", a, b)
	}
	if g := got.Generator; !g.Saturated || g.CPUMaxPct == nil || *g.CPUMaxPct != 90 || g.ServiceCPUMaxPct != nil ||
		g.Causes[CauseCrypto] != 1 || g.ThreadCPUMaxPct == nil || *g.ThreadCPUMaxPct != 95 {
		t.Errorf("generator = %+v; want saturated once by crypto, CPU 90%%, thread 95%%, no service figure", g)
	}
	if sc := got.Scenarios[0]; sc.Name != "docs" || sc.MaxWorkersReachedS != 2 || sc.MaxWorkers != 50 || sc.PeakRatePerS != 3000 {
		t.Errorf("scenario %+v; want docs with the cap reached in 2 s", sc)
	}
}

func TestRecorderRefusesExistingStream(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, StreamFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRecorder(Config{Dir: dir}); err == nil {
		t.Fatal("NewRecorder overwrote an existing stream")
	}
}

func TestRebuildTorn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// damage changes the stream; sizeA is its size after the first
		// flush (which holds exactly batch A).
		damage func(t *testing.T, path string, sizeA int64)
		// wantA: only batch A survives; else all of A and B do.
		wantA bool
		warn  string
	}{
		{"cut inside the last frame", func(t *testing.T, path string, sizeA int64) {
			if err := os.Truncate(path, sizeA+20); err != nil {
				t.Fatal(err)
			}
		}, true, "torn frame at byte"},
		{"cut inside a frame header", func(t *testing.T, path string, sizeA int64) {
			if err := os.Truncate(path, sizeA+3); err != nil {
				t.Fatal(err)
			}
		}, true, "torn frame header"},
		{"flipped byte after A", func(t *testing.T, path string, sizeA int64) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[sizeA+12] ^= 0xff
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}, true, "fails its checksum"},
		{"garbage appended", func(t *testing.T, path string, _ int64) {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Write([]byte{100, 0, 0, 0, 1, 2, 3, 4, 'S', 9}); err != nil {
				t.Fatal(err)
			}
		}, false, "torn frame at byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, StreamFile)
			r, tk := streamRecorder(t, dir, 2)
			samples := knownSamples()
			for i := range samples[:600] {
				r.RecordSample(&samples[i])
			}
			r.tick(tk, testStart.Add(time.Second), false)
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			for i := range samples[600:] {
				r.RecordSample(&samples[600+i])
			}
			// No SetEnd: Rebuild must estimate the end from the samples.
			r.tick(tk, testStart.Add(2*time.Second), true)
			if err := r.w.close(); err != nil {
				t.Fatal(err)
			}
			tt.damage(t, path, st.Size())

			sum, warns, err := Rebuild(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(warns) == 0 || !strings.Contains(warns[0], tt.warn) {
				t.Errorf("warnings = %q, want one containing %q", warns, tt.warn)
			}
			want := int64(1000)
			if tt.wantA {
				want = 600
			}
			if got := sum.Ops[0].Count; got != want {
				t.Errorf("count = %d, want %d", got, want)
			}
			if len(warns) != 2 || !strings.Contains(warns[1], "no end record") {
				t.Errorf("warnings = %q, want a missing-end warning", warns)
			}
			// The end is the last sample's end: sample 600 starts at 600 ms
			// and takes 300 ms; sample 1000 starts at 1 s and takes 500 ms.
			wantS := 1.5
			if tt.wantA {
				wantS = 0.9
			}
			if got := sum.Run.DurationS; got != wantS {
				t.Errorf("estimated duration = %v, want %v", got, wantS)
			}
			if sum.Run.Shard != "1/3" || sum.Run.Seed != 42 {
				t.Errorf("run meta = %+v", sum.Run)
			}
		})
	}
}

func TestRebuildNotAStream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content []byte
	}{
		{"empty", nil},
		{"wrong magic", []byte("samples,csv\n1,2\n")},
		{"no header", append([]byte(streamMagic), appendFrames(nil, appendEnd(nil, testStart))...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, StreamFile), tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, _, err := Rebuild(dir); err == nil {
				t.Error("Rebuild accepted it")
			}
		})
	}
	if _, _, err := Rebuild(t.TempDir()); err == nil {
		t.Error("Rebuild of a folder without a stream succeeded")
	}
}

func TestStreamSecondRecords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r, tk := streamRecorder(t, dir, 2)
	samples := knownSamples()
	for i := range samples {
		r.RecordSample(&samples[i])
		r.RecordIteration(&Iteration{Scenario: "s", Worker: i})
	}
	r.tick(tk, testStart.Add(2*time.Second), false)
	if got := r.Progress().Rate; got != 500 { // 1000 iterations over 2 s
		t.Errorf("rate = %v, want 500", got)
	}
	r.tick(tk, testStart.Add(3*time.Second), true)
	if err := r.w.close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, StreamFile))
	if err != nil {
		t.Fatal(err)
	}
	var secs [][]uint64
	forEachRecord(t, b, func(typ byte, body []byte) {
		if typ != recSecond {
			return
		}
		d := &decoder{b: body}
		var v []uint64
		for range 7 {
			v = append(v, d.u())
		}
		secs = append(secs, v)
	})
	if len(secs) != 1 {
		t.Fatalf("P records = %v, want 1", secs)
	}
	// second 0, count 1000, errors 10, p50 ≈ 500 ms, p99 ≈ 990 ms at 2 digits.
	s := secs[0]
	if s[0] != 0 || s[3] != 1000 || s[4] != 10 || s[5] < 495000 || s[5] > 505000 || s[6] < 980000 || s[6] > 1000000 {
		t.Errorf("P record = %v", s)
	}
}

// forEachRecord walks the records of a well-formed stream.
func forEachRecord(t *testing.T, b []byte, fn func(typ byte, body []byte)) {
	t.Helper()
	b = b[len(streamMagic):]
	for len(b) > 0 {
		l := int(binary.LittleEndian.Uint32(b))
		p := b[8 : 8+l]
		b = b[8+l:]
		for len(p) > 0 {
			n := recordLen(p)
			_, k := decodeLen(p[1:])
			fn(p[0], p[1+k:n])
			p = p[n:]
		}
	}
}

func decodeLen(b []byte) (uint64, int) {
	d := &decoder{b: b}
	v := d.u()
	return v, len(b) - len(d.b)
}

// TestInterruptedNotErrors checks that samples loadgen itself cut off
// (class canceled: a second SIGINT, the end of graceful_stop) are counted
// as interrupted, not as the target's errors, in the run's summary, its
// report and the summary rebuilt from its stream. They were: canceled 3,
// error_rate 23%, a threshold failed and `loadgen report` exited 99.
func TestInterruptedNotErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r, err := NewRecorder(Config{Dir: dir, Start: testStart, Meta: RunMeta{Name: "cut"}, FlushInterval: 3 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	for i := 0; i < 13; i++ {
		s := Sample{Scenario: "smoke", Op: "http", Worker: i, Start: time.Duration(i) * 100 * ms, Latency: 5 * ms, ServiceTime: 5 * ms, Status: 200}
		switch {
		case i == 0:
			s.Err, s.Class, s.Status = statusErr(503), ClassHTTP5xx, 503
		case i >= 10:
			s.Err, s.Class, s.Status, s.Latency, s.ServiceTime = context.Canceled, ClassCanceled, 0, 3*time.Second, 3*time.Second
		}
		r.RecordSample(&s)
		it := Iteration{Scenario: "smoke", Worker: i, Start: s.Start, Latency: s.Latency, ServiceTime: s.ServiceTime,
			Failed: i == 0, Interrupted: i >= 10}
		r.RecordIteration(&it)
	}
	r.SetEnd(testStart.Add(2 * time.Second))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	th, _ := ParseThreshold("error_rate < 15%")
	rules := []Rule{{Key: "http", Expr: "error_rate < 15%", T: th}}
	rebuilt, warns, err := Rebuild(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, sum := range map[string]*Summary{"recorded": r.Summary(), "rebuilt": rebuilt} {
		o := sum.Ops[0]
		if o.Count != 10 || o.Errors != 1 || o.Interrupted != 3 || o.ErrorClasses[ClassCanceled] != 0 || o.LatencyMS.Max != 5 {
			t.Errorf("%s: count %d, errors %d %v, interrupted %d, max %v ms; want 10, 1 http_5xx, 3, 5 ms",
				name, o.Count, o.Errors, o.ErrorClasses, o.Interrupted, o.LatencyMS.Max)
		}
		if sc := sum.Scenarios[0]; sc.Iterations != 10 || sc.Failed != 1 || sc.Interrupted != 3 || sc.IterationMS.Max != 5 {
			t.Errorf("%s: scenario %+v; want 10 iterations, 1 failed, 3 interrupted, max 5 ms", name, sc)
		}
		if res := sum.Evaluate(rules); !res[0].OK || res[0].Value != 0.1 {
			t.Errorf("%s: %v; want error_rate 10%% and ok", name, res[0])
		}
		if sum.StreamLoss != nil {
			t.Errorf("%s: stream loss %+v; want none", name, sum.StreamLoss)
		}
		var b strings.Builder
		if err := sum.Text(&b); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"smoke/http: http_5xx 1, interrupted 3 (cut off by loadgen's stop", "smoke: 3 more interrupted (cut off"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s report lacks %q:\n%s", name, want, b.String())
			}
		}
	}
	if len(warns) != 0 {
		t.Errorf("rebuild warnings: %v", warns)
	}
	// A rebuild over a summary.json the run wrote agrees on the count: no
	// loss reported.
	if err := r.Summary().WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	if again, _, err := Rebuild(dir); err != nil || again.StreamLoss != nil {
		t.Errorf("rebuild after summary.json: err %v, loss %+v; want none", err, again.StreamLoss)
	}
}
