package ops

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
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
// kept-alive connection, sub-phases on), client side, on the direct path:
// none. Through net/http (maxNetHTTPOpAllocs), net/http itself makes 38
// with Go 1.26 (Client.Do, the transport's read and write loops, parsing
// the response) and the op one, its copy of the request: 39 in all (42
// under the race detector). Before this op had a direct path, reused its
// trace, context and request per worker and ran its own timeout timer, the
// same request made 72.
const (
	maxHTTPOpAllocs    = 0
	maxNetHTTPOpAllocs = 43
)

// netHTTPClient returns a client like NewHTTPClient's that sends the op
// through net/http: its redirect policy is the default one, spelled out,
// which the direct path leaves to net/http.
func netHTTPClient(timeout time.Duration) *http.Client {
	c := NewHTTPClient(timeout, false)
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return c
}

func TestHTTPOpAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count needs warmed-up connections")
	}
	tests := []struct {
		name   string
		client *http.Client
		direct bool
		max    float64
	}{
		{"direct", NewHTTPClient(10*time.Second, false), true, maxHTTPOpAllocs},
		{"net/http", netHTTPClient(10 * time.Second), false, maxNetHTTPOpAllocs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &Env{Target: rawServer(t, false), Client: tt.client}
			t.Cleanup(env.Client.CloseIdleConnections)
			op, err := HTTPEntry().New(env, Args{"url": "/health", "expect_status": []int64{200}})
			if err != nil {
				t.Fatal(err)
			}
			if got := op.(*httpOp).direct != nil; got != tt.direct {
				t.Fatalf("direct path %v, want %v", got, tt.direct)
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
			if allocs := testing.AllocsPerRun(1000, do); allocs > tt.max {
				t.Errorf("http op allocates %v times per request, want at most %v", allocs, tt.max)
			}
		})
	}
}

// scriptServer is an HTTP/1.1 server on 127.0.0.1 that answers each
// request with what respond returns for its method, path and the number
// of requests before it on the server, and closes the connection after the
// answer if respond says so.
func scriptServer(t *testing.T, respond func(method, path string, n int) (resp string, closeAfter bool)) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	n := 0
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					mu.Lock()
					resp, closeAfter := respond(req.Method, req.URL.Path, n)
					n++
					mu.Unlock()
					if _, err := io.WriteString(c, resp); err != nil || closeAfter {
						return
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

// TestHTTPOpDirectMatchesNetHTTP runs the same requests against the same
// scripted responses on the direct path and through net/http, and wants
// the same status, success and error class from both.
func TestHTTPOpDirectMatchesNetHTTP(t *testing.T) {
	const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	tests := []struct {
		name    string
		args    Args
		respond func(method, path string, n int) (string, bool)
	}{
		{"content-length", Args{"url": "x"}, func(string, string, int) (string, bool) { return ok, false }},
		{"chunked", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\n!!!\r\n0\r\n\r\n", false
		}},
		{"chunked trailer", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Sum: 1\r\n\r\n", false
		}},
		{"connection close", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", true
		}},
		{"closed silently", Args{"url": "x"}, func(string, string, int) (string, bool) { return ok, true }},
		{"body to EOF", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", true
		}},
		{"100 continue", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 100 Continue\r\n\r\n" + ok, false
		}},
		{"204", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 204 No Content\r\n\r\n", false
		}},
		{"HEAD", Args{"url": "x", "method": "HEAD"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false
		}},
		{"404", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!", false
		}},
		{"expected 404", Args{"url": "x", "expect_status": []int64{404}}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false
		}},
		{"redirect", Args{"url": "x"}, func(_, path string, _ int) (string, bool) {
			if path == "/api/1/x" {
				return "HTTP/1.1 302 Found\r\nLocation: /api/1/y\r\nContent-Length: 0\r\n\r\n", false
			}
			return ok, false
		}},
		{"POST 303 becomes GET", Args{"url": "x", "method": "POST", "body": "data"}, func(method, path string, _ int) (string, bool) {
			if path == "/api/1/x" && method == "POST" {
				return "HTTP/1.1 303 See Other\r\nLocation: y\r\nContent-Length: 0\r\n\r\n", false
			}
			if method != "GET" {
				return "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n", false
			}
			return ok, false
		}},
		{"redirect without Location", Args{"url": "x", "expect_status": []int64{302}}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", false
		}},
		{"malformed", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTPT/1.1 200 OK\r\n\r\n", true
		}},
		{"short body", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok", true
		}},
		// net/http reads header lines of any length (up to the transport's
		// 10 MB of headers), not just ones that fit the reader's buffer.
		{"long header line", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nSet-Cookie: a=" + strings.Repeat("x", 10000) + "\r\nContent-Length: 2\r\n\r\nok", false
		}},
		// net/http refuses a response whose Content-Length headers disagree
		// (response splitting); it does not take the last one.
		{"conflicting content-length", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nok", true
		}},
		// net/http knows one transfer coding, chunked, alone.
		{"gzip, chunked", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", true
		}},
		{"identity transfer coding", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nok", true
		}},
		{"content-length with a sign", Args{"url": "x"}, func(string, string, int) (string, bool) {
			return "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok", true
		}},
		// One difference is deliberate: a repeated, equal Content-Length,
		// which net/http takes and the direct path's parser (fasthttp's)
		// refuses, as RFC 9110 §8.6 lets it; see http1's TestDo.
	}
	type outcome struct {
		status int
		ok     bool
		class  string
	}
	run := func(t *testing.T, client *http.Client, wantDirect bool, args Args, respond func(string, string, int) (string, bool)) []outcome {
		env := &Env{Target: scriptServer(t, respond), Client: client}
		t.Cleanup(client.CloseIdleConnections)
		op, err := HTTPEntry().New(env, args)
		if err != nil {
			t.Fatal(err)
		}
		if got := op.(*httpOp).direct != nil; got != wantDirect {
			t.Fatalf("direct path %v, want %v", got, wantDirect)
		}
		it := newWorkerIteration()
		var out []outcome
		for range 3 {
			it.BeginOp(time.Now())
			err := op.Do(context.Background(), it)
			_, status := it.EndOp()
			o := outcome{status: status, ok: err == nil}
			if err != nil {
				o.class = results.Classify(err)
			}
			out = append(out, o)
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			direct := run(t, NewHTTPClient(5*time.Second, false), true, tt.args, tt.respond)
			viaNetHTTP := run(t, netHTTPClient(5*time.Second), false, tt.args, tt.respond)
			t.Logf("outcomes: %+v", direct)
			for i := range direct {
				if direct[i] != viaNetHTTP[i] {
					t.Errorf("request %d: direct %+v, net/http %+v", i, direct[i], viaNetHTTP[i])
				}
			}
		})
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

// TestHTTPOpDirectIdle checks that a request net/http would not send again
// takes a new connection once the worker's has been idle past maxIdle, so
// a target that closed that connection meanwhile (here: right after each
// response, without saying so) costs no error.
func TestHTTPOpDirectIdle(t *testing.T) {
	env := &Env{Client: NewHTTPClient(5*time.Second, false)}
	env.Target = scriptServer(t, func(string, string, int) (string, bool) {
		return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true
	})
	t.Cleanup(env.Client.CloseIdleConnections)
	op, err := HTTPEntry().New(env, Args{"url": "x", "method": "POST", "body": "data"})
	if err != nil {
		t.Fatal(err)
	}
	d := op.(*httpOp).direct
	if d == nil {
		t.Fatal("no direct path")
	}
	d.opts.MaxIdle = 0 // every connection is idle too long
	it := newWorkerIteration()
	for i := range 3 {
		it.BeginOp(time.Now())
		if err := op.Do(context.Background(), it); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

// captureServer answers every request with 200 "ok" and sends the raw
// bytes of each request it reads on got.
func captureServer(t *testing.T, got chan<- string) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					var raw bytes.Buffer
					length := 0
					for {
						line, err := br.ReadString('\n')
						if err != nil {
							return
						}
						raw.WriteString(line)
						if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
							length, _ = strconv.Atoi(strings.TrimSpace(v))
						}
						if line == "\r\n" {
							break
						}
					}
					if _, err := io.CopyN(&raw, br, int64(length)); err != nil {
						return
					}
					got <- raw.String()
					resp := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
					if strings.HasPrefix(raw.String(), "HEAD ") {
						resp = strings.TrimSuffix(resp, "ok")
					}
					if _, err := io.WriteString(c, resp); err != nil {
						return
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

// TestHTTPOpDirectRequestBytes wants the direct path to send the very
// bytes net/http sends for the same op.
func TestHTTPOpDirectRequestBytes(t *testing.T) {
	tests := []struct {
		name string
		args Args
	}{
		{"GET", Args{"url": "health"}},
		{"GET query", Args{"url": "/users?limit=10&x=a%20b"}},
		{"HEAD", Args{"url": "health", "method": "HEAD"}},
		{"DELETE", Args{"url": "groups/g1", "method": "DELETE"}},
		{"DELETE empty body", Args{"url": "groups/g1", "method": "DELETE", "body": ""}},
		{"OPTIONS", Args{"url": "x", "method": "OPTIONS"}},
		{"PUT empty body", Args{"url": "x", "method": "PUT", "body": ""}},
		{"PATCH body", Args{"url": "x", "method": "PATCH", "body": "p"}},
		{"POST empty", Args{"url": "x", "method": "POST"}},
		{"POST body headers", Args{"url": "x", "method": "post", "body": `{"a":1}`,
			"headers": map[string]string{"Content-Type": "application/json", "X-Trace": "t1", "Authorization": "Bearer k"}}},
		{"user agent", Args{"url": "x", "headers": map[string]string{"User-Agent": "loadgen-test", "Accept": "*/*"}}},
	}
	send := func(t *testing.T, client *http.Client, wantDirect bool, args Args) string {
		got := make(chan string, 1)
		env := &Env{Target: captureServer(t, got), Client: client}
		t.Cleanup(client.CloseIdleConnections)
		op, err := HTTPEntry().New(env, args)
		if err != nil {
			t.Fatal(err)
		}
		if d := op.(*httpOp).direct != nil; d != wantDirect {
			t.Fatalf("direct path %v, want %v", d, wantDirect)
		}
		it := newWorkerIteration()
		it.BeginOp(time.Now())
		if err := op.Do(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		// The server's address differs between the two runs.
		return strings.Replace(<-got, env.Target.Host, "HOST", 1)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			direct := send(t, NewHTTPClient(5*time.Second, false), true, tt.args)
			viaNetHTTP := send(t, netHTTPClient(5*time.Second), false, tt.args)
			if direct != viaNetHTTP {
				t.Errorf("direct path sent\n%q\nnet/http sent\n%q", direct, viaNetHTTP)
			}
		})
	}
}
