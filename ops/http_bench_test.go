package ops

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/results"
)

// newBenchOp starts an httptest server on 127.0.0.1 that answers every
// request with 200 "ok" and returns the http op GET /health against it on
// client (nil: the CLI's client, NewHTTPClient).
//
// With LOADGEN_BENCH_TARGET set to a loopback base URL (say, the
// internal/benchtarget command pinned to another CPU), the op calls that
// instead, so a CPU profile shows the generator alone.
func newBenchOp(tb testing.TB, client *http.Client) loadgen.Op {
	tb.Helper()
	raw := os.Getenv("LOADGEN_BENCH_TARGET")
	if raw == "" {
		body := []byte("ok")
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write(body)
		}))
		tb.Cleanup(srv.Close)
		raw = srv.URL + "/api/1/"
	}
	base, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	if client == nil {
		client = NewHTTPClient(10*time.Second, false)
	}
	env := &Env{Target: base, Client: client, Timeout: 10 * time.Second}
	tb.Cleanup(env.Client.CloseIdleConnections)
	op, err := newHTTPOp(env, Args{"url": "/health", "expect_status": []int64{200}})
	if err != nil {
		tb.Fatal(err)
	}
	return op
}

// BenchmarkHTTPOp measures one http op (request, sub-phases, drained body)
// on a kept-alive loopback connection, as one worker of the engine runs it,
// on the direct path and through net/http. Client and server share the
// process, so ns/op and allocs/op count both; TestHTTPOpAllocs counts the
// client alone.
func BenchmarkHTTPOp(b *testing.B) {
	for _, bc := range []struct {
		name   string
		client *http.Client
	}{
		{"direct", nil},
		{"net/http", netHTTPClient(10 * time.Second)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			op := newBenchOp(b, bc.client)
			it := &loadgen.Iteration{Worker: &loadgen.WorkerState{Values: map[string]any{}}}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				it.BeginOp(time.Now())
				if err := op.Do(ctx, it); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHTTPServerOnly is BenchmarkHTTPOp's request from a bare
// net/http client (no trace, no op): the floor of the net/http path.
func BenchmarkHTTPServerOnly(b *testing.B) {
	op := newBenchOp(b, nil).(*httpOp)
	req, err := http.NewRequest(http.MethodGet, op.url, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := op.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkHTTPRun runs the http op through the engine into a Recorder with
// its sample stream on, as `loadgen run` does: the whole per-request path of
// the generator (plus the in-process server). Profile it with
//
//	go test -run '^$' -bench HTTPRun -cpuprofile cpu.out ./ops/
func BenchmarkHTTPRun(b *testing.B) {
	for _, workers := range []int{1, 50} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			op := newBenchOp(b, nil)
			rec, err := results.NewRecorder(results.Config{Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			p := &loadgen.Plan{Name: "bench", Scenarios: []loadgen.Scenario{{
				Name:     "bench",
				Executor: loadgen.Executor{Kind: loadgen.SharedIterations, Workers: workers, Iterations: int64(b.N)},
				Steps:    []loadgen.Step{{Name: "http", Op: op}},
			}}}
			b.ReportAllocs()
			b.ResetTimer()
			out, err := loadgen.Run(context.Background(), p, rec, loadgen.Options{NoHealth: true})
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if err := rec.Close(); err != nil {
				b.Fatal(err)
			}
			if got := out.Scenarios[0].Completed; got != int64(b.N) {
				b.Fatalf("%d iterations completed; want %d", got, b.N)
			}
		})
	}
}
