package ops

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/results"
)

// rawServer is a minimal HTTP/1.1 server on 127.0.0.1 that answers every
// GET with 200 "ok" on a kept-alive connection and allocates nothing per
// request, so testing.AllocsPerRun counts the client alone. With stall set,
// it reads requests and never answers.
func rawServer(t *testing.T, stall bool) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				n := 0
				for {
					k, err := c.Read(buf[n:])
					if err != nil {
						return
					}
					n += k
					// Answer each complete request (GETs: no body).
					for {
						i := bytes.Index(buf[:n], []byte("\r\n\r\n"))
						if i < 0 {
							break
						}
						if !stall {
							if _, err := c.Write(resp); err != nil {
								return
							}
						}
						n = copy(buf, buf[i+4:n])
					}
					if n == len(buf) {
						return // not HTTP as this server knows it
					}
				}
			}()
		}
	}()
	u, err := url.Parse("http://" + ln.Addr().String() + "/api/1/")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// newWorkerIteration returns an Iteration as the engine gives a worker's
// op: with a WorkerState whose Values persist from call to call.
func newWorkerIteration() *loadgen.Iteration {
	return &loadgen.Iteration{Worker: &loadgen.WorkerState{Values: map[string]any{}}}
}

// maxHTTPOpAllocs is the ceiling on allocations per http op (GET, no body,
// kept-alive connection, sub-phases on), client side. net/http itself
// makes 38 with Go 1.26 (Client.Do, the transport's read and write loops,
// parsing the response); the op adds one, its copy of the request: 39 in
// all (42 under the race detector). Before the op reused its trace, context
// and request per worker and ran its own timeout timer, the same request
// made 72.
const maxHTTPOpAllocs = 43

func TestHTTPOpAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count needs warmed-up connections")
	}
	env := &Env{Target: rawServer(t, false), Client: NewHTTPClient(10*time.Second, false)}
	t.Cleanup(env.Client.CloseIdleConnections)
	op, err := HTTPEntry().New(env, Args{"url": "/health", "expect_status": []int64{200}})
	if err != nil {
		t.Fatal(err)
	}
	it := newWorkerIteration()
	ctx := context.Background()
	do := func() {
		it.BeginOp(time.Now())
		if err := op.Do(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	for range 100 {
		do()
	}
	if allocs := testing.AllocsPerRun(1000, do); allocs > maxHTTPOpAllocs {
		t.Errorf("http op allocates %v times per request, want at most %d", allocs, maxHTTPOpAllocs)
	}
}

// TestHTTPOpReuse runs several requests on one worker's reused state and
// checks that each op gets its own complete set of phases, within the op.
func TestHTTPOpReuse(t *testing.T) {
	env := &Env{Target: rawServer(t, false), Client: NewHTTPClient(10*time.Second, false)}
	t.Cleanup(env.Client.CloseIdleConnections)
	op, err := HTTPEntry().New(env, Args{"url": "/health"})
	if err != nil {
		t.Fatal(err)
	}
	it := newWorkerIteration()
	for i := range 5 {
		start := time.Now()
		it.BeginOp(start)
		if err := op.Do(context.Background(), it); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		took := time.Since(start)
		phases, status := it.EndOp()
		if status != http.StatusOK {
			t.Errorf("request %d: status %d, want 200", i, status)
		}
		count := map[string]int{}
		for _, p := range phases {
			count[p.Name]++
			if p.Start < 0 || p.End < p.Start || p.End > took {
				t.Errorf("request %d: phase %s [%v, %v] is not within the op's %v", i, p.Name, p.Start, p.End, took)
			}
		}
		for _, name := range []string{"http:request", "http:request/wait", "http:request/read"} {
			if count[name] != 1 {
				t.Errorf("request %d: phase %s recorded %d times, want once; got %v", i, name, count[name], count)
			}
		}
		// Only the first request dials.
		if want := min(1, 1-i); count["http:request/connect"] != max(want, 0) {
			t.Errorf("request %d: %d connect phases, want %d", i, count["http:request/connect"], max(want, 0))
		}
	}
}

// TestHTTPOpTimeout checks that the op's own timeout (target.timeout) ends
// a stalled request as a timeout, not as a cancellation, and that the
// worker's next request starts afresh.
func TestHTTPOpTimeout(t *testing.T) {
	env := &Env{Target: rawServer(t, true), Client: NewHTTPClient(100*time.Millisecond, false)}
	t.Cleanup(env.Client.CloseIdleConnections)
	op, err := HTTPEntry().New(env, Args{"url": "/health"})
	if err != nil {
		t.Fatal(err)
	}
	it := newWorkerIteration()
	for i := range 2 {
		it.BeginOp(time.Now())
		err := op.Do(context.Background(), it)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("request %d: err = %v, want one wrapping context.DeadlineExceeded", i, err)
		}
		if got := results.Classify(err); got != results.ClassTimeout {
			t.Errorf("request %d: Classify(%v) = %q, want %q", i, err, got, results.ClassTimeout)
		}
	}
}

// TestHTTPOpCanceled checks that canceling the run's context still ends a
// request as canceled.
func TestHTTPOpCanceled(t *testing.T) {
	env := &Env{Target: rawServer(t, true), Client: NewHTTPClient(10*time.Second, false)}
	t.Cleanup(env.Client.CloseIdleConnections)
	op, err := HTTPEntry().New(env, Args{"url": "/health"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	it := newWorkerIteration()
	it.BeginOp(time.Now())
	time.AfterFunc(50*time.Millisecond, cancel)
	err = op.Do(ctx, it)
	if got := results.Classify(err); got != results.ClassCanceled {
		t.Errorf("Classify(%v) = %q, want %q", err, got, results.ClassCanceled)
	}
}

// TestHTTPOpNewContext checks that a worker whose context changes from one
// request to the next gets state for the new context, not the old one's.
func TestHTTPOpNewContext(t *testing.T) {
	env := &Env{Target: rawServer(t, false), Client: NewHTTPClient(10*time.Second, false)}
	t.Cleanup(env.Client.CloseIdleConnections)
	op, err := HTTPEntry().New(env, Args{"url": "/health"})
	if err != nil {
		t.Fatal(err)
	}
	it := newWorkerIteration()
	first, cancel := context.WithCancel(context.Background())
	it.BeginOp(time.Now())
	if err := op.Do(first, it); err != nil {
		t.Fatal(err)
	}
	cancel()
	// A request under the canceled context would fail; a new one succeeds.
	it.BeginOp(time.Now())
	if err := op.Do(context.Background(), it); err != nil {
		t.Fatalf("request under a new context: %v", err)
	}
	if _, status := it.EndOp(); status != http.StatusOK {
		t.Errorf("status %d, want 200", status)
	}
}
