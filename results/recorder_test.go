package results

import (
	"encoding/json"
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

var testStart = time.Date(2026, 11, 27, 3, 16, 8, 0, time.UTC)

// knownSamples returns 1000 samples of s/a with latencies 1..1000 ms and
// service times half that; every 100th fails.
func knownSamples() []Sample {
	out := make([]Sample, 0, 1000)
	for i := 1; i <= 1000; i++ {
		s := Sample{Scenario: "s", Op: "a", Worker: i % 7, Start: time.Duration(i) * time.Millisecond,
			Latency: time.Duration(i) * time.Millisecond, ServiceTime: time.Duration(i) * time.Millisecond / 2, Status: 200}
		if i%100 == 0 {
			s.Status = 503
			s.Err = statusErr(503)
		}
		out = append(out, s)
	}
	return out
}

// testRecorder returns a memory-only Recorder with n shards and no
// goroutine.
func testRecorder(n int) *Recorder {
	return newRecorder(Config{Start: testStart, Meta: RunMeta{Name: "t"}}, n)
}

func TestRecorderKnownSamples(t *testing.T) {
	t.Parallel()
	r := testRecorder(3)
	for _, s := range knownSamples() {
		r.RecordSample(&s)
	}
	r.SetEnd(testStart.Add(10 * time.Second))
	sum := r.Summary()
	if len(sum.Ops) != 1 {
		t.Fatalf("ops = %d, want 1", len(sum.Ops))
	}
	o := sum.Ops[0]
	if o.Count != 1000 || o.OK != 990 || o.Errors != 10 || o.ErrorClasses[ClassHTTP5xx] != 10 || len(o.ErrorClasses) != 1 {
		t.Errorf("count %d ok %d errors %d classes %v", o.Count, o.OK, o.Errors, o.ErrorClasses)
	}
	if o.Statuses[200] != 990 || o.Statuses[503] != 10 {
		t.Errorf("statuses = %v", o.Statuses)
	}
	if o.ThroughputPerS != 100 {
		t.Errorf("throughput = %v, want 100", o.ThroughputPerS)
	}
	l := o.LatencyMS
	// 1..1000 ms: mean 500.5, population variance (n²−1)/12.
	if l.Mean != 500.5 || l.Min != 1 || l.Max != 1000 {
		t.Errorf("mean, min, max = %v, %v, %v", l.Mean, l.Min, l.Max)
	}
	if want := math.Sqrt((1000*1000 - 1) / 12.0); math.Abs(l.StdDev-want) > 1e-9 {
		t.Errorf("stddev = %v, want %v", l.StdDev, want)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p50", l.P50, 500}, {"p75", l.P75, 750}, {"p90", l.P90, 900}, {"p95", l.P95, 950}, {"p99", l.P99, 990}, {"p99.9", l.P999, 999}} {
		if math.Abs(c.got-c.want) > c.want*0.001+0.001 {
			t.Errorf("%s = %v, want %v within 0.1%%", c.name, c.got, c.want)
		}
	}
	if o.ServiceTimeMS.Mean != 250.25 {
		t.Errorf("service mean = %v, want 250.25", o.ServiceTimeMS.Mean)
	}
	if o.UnaccountedMS != nil || len(o.Phases) != 0 {
		t.Error("an op without phases has phase figures")
	}
}

func TestRecorderPhases(t *testing.T) {
	t.Parallel()
	r := testRecorder(1)
	ms := time.Millisecond
	// Service 100 ms; top-level phases [10,40) and [30,60) overlap by 10 ms:
	// union 50, sum 60 → unaccounted 50, overlap 10. The sub-phase
	// [10,20) lies inside its parent and is left out of both.
	s := Sample{Scenario: "s", Op: "gen", Latency: 100 * ms, ServiceTime: 100 * ms, Phases: []Phase{
		{Name: "crypto:pbkdf2", Start: 10 * ms, End: 40 * ms},
		{Name: "http:device_add", Start: 30 * ms, End: 60 * ms},
		{Name: "http:device_add/connect", Start: 10 * ms, End: 20 * ms},
	}}
	r.RecordSample(&s)
	s.Phases[0].Name = "changed after the call" // the caller may reuse s
	r.SetEnd(testStart.Add(time.Second))
	o := r.Summary().Ops[0]
	if o.UnaccountedMS == nil || o.UnaccountedMS.Mean != 50 || o.OverlapMS.Mean != 10 {
		t.Fatalf("unaccounted %+v overlap %+v; want 50, 10", o.UnaccountedMS, o.OverlapMS)
	}
	want := map[string]float64{"crypto:pbkdf2": 30, "http:device_add": 30, "http:device_add/connect": 10}
	if len(o.Phases) != len(want) {
		t.Fatalf("phases = %+v", o.Phases)
	}
	for _, p := range o.Phases {
		if p.Count != 1 || p.LatencyMS.Mean != want[p.Name] {
			t.Errorf("phase %s: count %d mean %v, want 1, %v", p.Name, p.Count, p.LatencyMS.Mean, want[p.Name])
		}
	}
	if o.Phases[0].Share != 0.3 || o.UnaccountedShare != 0.5 {
		t.Errorf("shares %v, %v; want 0.3, 0.5", o.Phases[0].Share, o.UnaccountedShare)
	}
}

func TestPhaseUnion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		phases     []phaseUS
		service    int64
		union, sum int64
	}{
		{"none", nil, 100, 0, 0},
		{"disjoint", []phaseUS{{"a:x", 0, 10}, {"a:y", 20, 30}}, 100, 20, 20},
		{"nested", []phaseUS{{"a:x", 0, 50}, {"a:y", 10, 20}}, 100, 50, 60},
		{"unsorted chain", []phaseUS{{"a:z", 40, 60}, {"a:x", 0, 20}, {"a:y", 15, 45}}, 100, 60, 70},
		{"touching", []phaseUS{{"a:x", 0, 10}, {"a:y", 10, 20}}, 100, 20, 20},
		{"clipped to the op", []phaseUS{{"a:x", -10, 30}, {"a:y", 80, 150}}, 100, 50, 50},
		{"empty and inverted", []phaseUS{{"a:x", 10, 10}, {"a:y", 30, 20}}, 100, 0, 0},
		{"sub-phases ignored", []phaseUS{{"a:x", 0, 10}, {"a:x/connect", 50, 90}}, 100, 10, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sh := newShard()
			u, s := sh.phaseUnion(tt.phases, tt.service)
			if u != tt.union || s != tt.sum {
				t.Errorf("union, sum = %d, %d; want %d, %d", u, s, tt.union, tt.sum)
			}
		})
	}
}

func summaryJSON(t *testing.T, s *Summary) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// feed records a fixed mixed workload into r.
func feed(r *Recorder) {
	ms := time.Millisecond
	for i := 0; i < 3000; i++ {
		s := Sample{Scenario: []string{"docs", "onboard"}[i%2], Op: []string{"encrypt", "decrypt", "gen"}[i%3], Worker: i % 11,
			Start: time.Duration(i) * ms, Latency: time.Duration(i%977+1) * 137 * time.Microsecond,
			ServiceTime: time.Duration(i%977+1) * 101 * time.Microsecond, Status: 200}
		if i%3 == 2 {
			s.Phases = []Phase{{Name: "crypto:pbkdf2", Start: 0, End: s.ServiceTime / 3},
				{Name: "http:device_add", Start: s.ServiceTime / 4, End: s.ServiceTime}}
		}
		switch i % 50 {
		case 7:
			s.Err, s.Status = statusErr(404), 404
		case 9:
			s.Err, s.Status = errors.New("boom"), 0
		}
		r.RecordSample(&s)
		if i%2 == 1 {
			r.RecordIteration(&Iteration{Scenario: s.Scenario, Worker: s.Worker, Start: s.Start, Latency: 2 * s.Latency,
				ServiceTime: 2 * s.ServiceTime, Failed: s.Err != nil})
		}
	}
	r.AddLate("docs", 5)
	r.AddDropped("docs", 2)
	r.AddLate("idle", 1)
	for sec := int64(0); sec < 3; sec++ {
		h := Health{Second: sec, CPUPercent: float64(50 + 20*sec), SchedLatencyP99: time.Duration(sec)*ms + 576*time.Nanosecond,
			StartLagP99: 2 * time.Duration(sec) * ms, StartLags: 10, ThreadCPUMaxPercent: 95, ThreadRunnableMaxPercent: math.NaN(), CryptoCPUPercent: 60,
			ServiceCPUPercent: math.NaN(), GCCPUPercent: 1, RunQueuePercent: 3, Saturated: sec == 2}
		if h.Saturated {
			h.Cause = CauseCrypto
		}
		r.RecordHealth(h)
	}
	r.RecordWorkerCap(WorkerCap{Scenario: "docs", MaxWorkers: 50, PeakRate: 3000, Seconds: 1})
	r.RecordWorkerCap(WorkerCap{Scenario: "docs", MaxWorkers: 50, PeakRate: 3000, Seconds: 2})
}

func TestShardsMergeEqualOne(t *testing.T) {
	t.Parallel()
	one, many := testRecorder(1), testRecorder(8)
	feed(one)
	feed(many)
	one.SetEnd(testStart.Add(3 * time.Second))
	many.SetEnd(testStart.Add(3 * time.Second))
	if a, b := summaryJSON(t, one.Summary()), summaryJSON(t, many.Summary()); a != b {
		t.Errorf("8 shards merged differ from 1 shard:\n%s\n%s", a, b)
	}
}

func TestRecorderConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r, err := NewRecorder(Config{Dir: dir, Start: time.Now(), FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 16, 500
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := Sample{Scenario: "s", Op: "op", Worker: w, Phases: make([]Phase, 1)}
			for i := 0; i < each; i++ {
				s.Start = time.Duration(i) * time.Microsecond
				s.Latency, s.ServiceTime = time.Duration(i+1)*time.Microsecond, time.Duration(i+1)*time.Microsecond
				s.Phases[0] = Phase{Name: "crypto:x", End: s.ServiceTime / 2}
				r.RecordSample(&s)
				r.RecordIteration(&Iteration{Scenario: "s", Worker: w, ServiceTime: s.ServiceTime})
				if i%100 == 0 {
					r.AddLate("s", 1)
					_ = r.Progress().String()
				}
			}
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			r.RecordHealth(Health{Second: int64(i)})
			_ = r.Summary()
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			time.Sleep(2 * time.Millisecond)
			_ = r.Progress()
		}
	}()
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	sum := r.Summary()
	if got := sum.Ops[0].Count; got != workers*each {
		t.Errorf("count = %d, want %d", got, workers*each)
	}
	if p := r.Progress(); p.Iterations != workers*each || p.Late != workers*5 {
		t.Errorf("progress %+v", p)
	}
	rebuilt, warns, err := Rebuild(dir)
	if err != nil || len(warns) != 0 {
		t.Fatalf("Rebuild: %v %v", err, warns)
	}
	if a, b := summaryJSON(t, sum), summaryJSON(t, rebuilt); a != b {
		t.Errorf("rebuilt summary differs:\n%s\n%s", a, b)
	}
}
