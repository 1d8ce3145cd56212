package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/results"
)

// countingSink records how many calls reached it.
type countingSink struct {
	mu                                 sync.Mutex
	samples, iters, late, drop, health int
}

func (c *countingSink) RecordSample(*results.Sample)       { c.mu.Lock(); c.samples++; c.mu.Unlock() }
func (c *countingSink) RecordIteration(*results.Iteration) { c.mu.Lock(); c.iters++; c.mu.Unlock() }
func (c *countingSink) AddLate(string, int64)              { c.mu.Lock(); c.late++; c.mu.Unlock() }
func (c *countingSink) AddDropped(string, int64)           { c.mu.Lock(); c.drop++; c.mu.Unlock() }
func (c *countingSink) RecordWorkerCap(results.WorkerCap)  {}
func (c *countingSink) RecordHealth(results.Health)        { c.mu.Lock(); c.health++; c.mu.Unlock() }

func feed(e *Exporter) {
	for i := 0; i < 10; i++ {
		s := &results.Sample{Scenario: "docs", Op: "document_encrypt", Latency: 12 * time.Millisecond, ServiceTime: 10 * time.Millisecond,
			Phases: []results.Phase{{Name: "crypto:encrypt", End: 3 * time.Millisecond}, {Name: "http:document_create", Start: 3 * time.Millisecond, End: 9 * time.Millisecond}}}
		if i%5 == 0 {
			s.Err, s.Class, s.Status = errors.New("boom"), "http_5xx", 503
		}
		e.RecordSample(s)
		e.RecordIteration(&results.Iteration{Scenario: "docs", Failed: s.Err != nil})
	}
	// Cut off by loadgen's own stop (a second SIGINT): not an error.
	e.RecordSample(&results.Sample{Scenario: "docs", Op: "document_encrypt", Latency: 3 * time.Second, ServiceTime: 3 * time.Second,
		Err: context.Canceled, Class: results.ClassCanceled})
	e.RecordIteration(&results.Iteration{Scenario: "docs", Interrupted: true})
	e.AddLate("docs", 3)
	e.AddDropped("docs", 1)
	e.RecordHealth(results.Health{CPUPercent: 42, Saturated: true})
	e.SetProgress(loadgen.Progress{Scenarios: []loadgen.ScenarioOutcome{{Name: "docs", Started: 12, Completed: 10, Workers: 4}}})
}

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestExporter(t *testing.T) {
	var next countingSink
	e := New(&next, prometheus.Labels{"run": "smoke"})
	feed(e)
	if next.samples != 11 || next.iters != 11 || next.late != 1 || next.drop != 1 || next.health != 1 {
		t.Errorf("forwarded %d samples, %d iterations, %d late, %d dropped, %d health", next.samples, next.iters, next.late, next.drop, next.health)
	}
	body := scrape(t, e.Handler())
	for _, want := range []string{
		`loadgen_ops_total{op="document_encrypt",result="ok",run="smoke",scenario="docs"} 8`,
		`loadgen_op_errors_total{class="http_5xx",op="document_encrypt",run="smoke",scenario="docs"} 2`,
		`loadgen_ops_total{op="document_encrypt",result="interrupted",run="smoke",scenario="docs"} 1`,
		`loadgen_iterations_total{result="interrupted",run="smoke",scenario="docs"} 1`,
		`loadgen_iterations_total{result="ok",run="smoke",scenario="docs"} 8`,
		`loadgen_op_latency_seconds_count{op="document_encrypt",run="smoke",scenario="docs"} 10`,
		`loadgen_op_phase_seconds_count{op="document_encrypt",phase="crypto:encrypt",run="smoke",scenario="docs"} 10`,
		`loadgen_late_iterations_total{run="smoke",scenario="docs"} 3`,
		`loadgen_dropped_iterations_total{run="smoke",scenario="docs"} 1`,
		`loadgen_inflight_iterations{run="smoke",scenario="docs"} 2`,
		`loadgen_workers{run="smoke",scenario="docs"} 4`,
		`loadgen_generator_cpu_percent{run="smoke"} 42`,
		`loadgen_generator_saturated{run="smoke"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, `class="canceled"`) {
		t.Errorf("a sample loadgen cut off counted as an error:\n%s", body)
	}
}

func TestPush(t *testing.T) {
	var mu sync.Mutex
	var method, path, body string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		method, path, body = r.Method, r.URL.Path, string(b)
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer gw.Close()
	e := New(nil, nil)
	feed(e)
	if err := e.Push(context.Background(), gw.URL, "loadgen-smoke"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if method != http.MethodPut || path != "/metrics/job/loadgen-smoke" {
		t.Errorf("push was %s %s; want PUT /metrics/job/loadgen-smoke", method, path)
	}
	// The body is the protobuf exposition format; metric names appear in it.
	if !strings.Contains(body, "loadgen_ops_total") || !strings.Contains(body, "loadgen_op_latency_seconds") {
		t.Errorf("pushed body lacks loadgen's metrics (%d bytes)", len(body))
	}
}

func TestPushFails(t *testing.T) {
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusInternalServerError)
	}))
	defer gw.Close()
	if err := New(nil, nil).Push(context.Background(), gw.URL, "j"); err == nil {
		t.Fatal("push to a failing gateway succeeded")
	}
}
