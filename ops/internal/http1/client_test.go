package http1

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// server is a loopback HTTP/1.1 server that answers each request with
// what respond returns for its method and the number of requests before it,
// closing the connection after the answer if respond says so (with stall,
// it never answers). It counts the connections it accepted.
type server struct {
	url   *url.URL
	mu    sync.Mutex
	conns int
}

func newServer(t *testing.T, stall bool, respond func(method string, n int) (resp string, closeAfter bool)) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &server{}
	n := 0
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
			t.Cleanup(func() { c.Close() })
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					if stall {
						continue
					}
					s.mu.Lock()
					resp, closeAfter := respond(req.Method, n)
					n++
					s.mu.Unlock()
					if _, err := io.WriteString(c, resp); err != nil || closeAfter {
						return
					}
				}
			}()
		}
	}()
	s.url, _ = url.Parse("http://" + ln.Addr().String() + "/x")
	return s
}

func (s *server) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// phases records the phases of exchanges.
type phases struct {
	got []Phase
	bad []string
}

func (p *phases) Phase(ph Phase, start, end time.Time) {
	p.got = append(p.got, ph)
	if end.Before(start) {
		p.bad = append(p.bad, ph.String()+" ends before it starts")
	}
}

const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

func TestDo(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		resp       string
		closeAfter bool
		want       Response
		wantErr    string // "": none
	}{
		{"content-length", "GET", ok, false, Response{Status: 200}, ""},
		{"chunked with trailer", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Sum: 1\r\n\r\n", false, Response{Status: 200}, ""},
		{"to EOF", "GET", "HTTP/1.0 200 OK\r\n\r\nall of it", true, Response{Status: 200}, ""},
		{"100 then 200", "GET", "HTTP/1.1 100 Continue\r\n\r\n" + ok, false, Response{Status: 200}, ""},
		{"HEAD", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false, Response{Status: 200}, ""},
		{"204", "GET", "HTTP/1.1 204 No Content\r\n\r\n", false, Response{Status: 204}, ""},
		{"redirect", "GET", "HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 0\r\n\r\n", false, Response{Status: 302, Location: "/y"}, ""},
		{"Location on a 200", "GET", "HTTP/1.1 200 OK\r\nLocation: /y\r\nContent-Length: 0\r\n\r\n", false, Response{Status: 200}, ""},
		{"long header", "GET", "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("x", 20000) + "\r\nContent-Length: 2\r\n\r\nok", false, Response{Status: 200}, ""},
		{"malformed", "GET", "HTPT/1.1 200 OK\r\n\r\n", true, Response{}, "malformed"},
		{"five 1xx then 200", "GET", strings.Repeat("HTTP/1.1 102 Processing\r\n\r\n", 5) + ok, false, Response{Status: 200}, ""},
		{"six 1xx", "GET", strings.Repeat("HTTP/1.1 102 Processing\r\n\r\n", 6) + ok, true, Response{}, "more than 5 1xx"},
		{"101", "GET", "HTTP/1.1 101 Switching Protocols\r\n\r\n", true, Response{Status: 101}, "malformed"},
		{"short body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok", true, Response{Status: 200}, "unexpected EOF"},
		{"gzip, chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", true, Response{}, "malformed"},
		{"conflicting content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nok", true, Response{}, "malformed"},
		// net/http takes this one; RFC 9110 §8.6 lets a recipient refuse it.
		{"repeated equal content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", true, Response{}, "malformed"},
		{"status 000", "GET", "HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n", true, Response{}, "malformed"},
		{"blank line first", "GET", "\r\n" + ok, true, Response{}, "malformed"},
		{"signed content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok", true, Response{}, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, false, func(string, int) (string, bool) { return tt.resp, tt.closeAfter })
			c, err := New(Request{Method: tt.method, URL: s.url}, Options{Timeout: 5 * time.Second, MaxIdle: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for i := range 2 { // the second on the kept-alive connection, or a new one
				var ph phases
				got, err := c.Do(context.Background(), &ph, time.Now())
				if got != tt.want {
					t.Errorf("request %d: %+v, want %+v", i, got, tt.want)
				}
				if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
					t.Fatalf("request %d: err = %v, want %q", i, err, tt.wantErr)
				}
				if tt.wantErr == "malformed" && !errors.Is(err, ErrProtocol) {
					t.Errorf("request %d: err = %v, want ErrProtocol", i, err)
				}
				if len(ph.bad) > 0 {
					t.Error(ph.bad)
				}
			}
		})
	}
}

// TestDoPhases wants connect only when dialing, then write, wait and read,
// in order.
func TestDoPhases(t *testing.T) {
	s := newServer(t, false, func(string, int) (string, bool) { return ok, false })
	c, err := New(Request{Method: "GET", URL: s.url}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, want := range [][]Phase{{Connect, Write, Wait, Read}, {Write, Wait, Read}} {
		var ph phases
		if _, err := c.Do(context.Background(), &ph, time.Now()); err != nil {
			t.Fatal(err)
		}
		if !slicesEqual(ph.got, want) || len(ph.bad) > 0 {
			t.Errorf("request %d: phases %v (%v), want %v", i, ph.got, ph.bad, want)
		}
	}
	if n := s.connections(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

func slicesEqual(a, b []Phase) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDoReplay wants a replayable request sent again on a new connection
// when the target closed the kept-alive one without a word, and one that is
// not replayable to take a new connection once the old one idled past
// MaxIdle.
func TestDoReplay(t *testing.T) {
	tests := []struct {
		method  string
		maxIdle time.Duration
	}{
		{"GET", time.Hour},
		{"POST", 0},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			// Closed silently after each answer.
			s := newServer(t, false, func(string, int) (string, bool) { return ok, true })
			c, err := New(Request{Method: tt.method, URL: s.url, Body: []byte("b")}, Options{Timeout: 5 * time.Second, MaxIdle: tt.maxIdle})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for i := range 3 {
				if _, err := c.Do(context.Background(), &phases{}, time.Now()); err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				time.Sleep(10 * time.Millisecond) // the close arrives
			}
			if n := s.connections(); n != 3 {
				t.Errorf("%d connections, want 3", n)
			}
		})
	}
}

func TestDoTimeoutAndCancel(t *testing.T) {
	s := newServer(t, true, nil)
	c, err := New(Request{Method: "GET", URL: s.url}, Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Do(context.Background(), &phases{}, time.Now()); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("stalled: err = %v, want os.ErrDeadlineExceeded", err)
	}
	c.opts.Timeout = 0
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(ctx, &phases{}, time.Now())
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("canceled exchange succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("canceling the context did not end the exchange")
	}
}

func TestDoHeaderCap(t *testing.T) {
	s := newServer(t, false, func(string, int) (string, bool) {
		return "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("x", 9000) + "\r\nContent-Length: 0\r\n\r\n", false
	})
	c, err := New(Request{Method: "GET", URL: s.url}, Options{MaxHeaderBytes: 8192})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Do(context.Background(), &phases{}, time.Now()); !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "8192") {
		t.Errorf("err = %v, want ErrProtocol naming the 8192-byte cap", err)
	}
}

func TestNewUnsupported(t *testing.T) {
	for _, raw := range []string{"https://127.0.0.1/x", "http://example.com/x", "http://u:p@127.0.0.1/x"} {
		u, _ := url.Parse(raw)
		if _, err := New(Request{Method: "GET", URL: u}, Options{}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err = %v, want ErrUnsupported", raw, err)
		}
	}
	u, _ := url.Parse("http://127.0.0.1/x")
	for _, h := range []http.Header{{"Connection": {"close"}}, {"Expect": {"100-continue"}}, {"Bad Name": {"x"}}, {"X": {"a\r\nb"}}} {
		if _, err := New(Request{Method: "GET", URL: u, Header: h}, Options{}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("header %v: err = %v, want ErrUnsupported", h, err)
		}
	}
}

// TestWire wants the request's bytes as net/http writes them.
func TestWire(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:8080/a?b=c")
	tests := []struct {
		req  Request
		want string
	}{
		{Request{Method: "GET", URL: u}, "GET /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Go-http-client/1.1\r\n\r\n"},
		{Request{Method: "POST", URL: u}, "POST /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n\r\n"},
		{Request{Method: "PUT", URL: u, Body: []byte("hi"), Header: http.Header{"X-B": {"2"}, "X-A": {"1"}, "User-Agent": {"t"}}},
			"PUT /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: t\r\nContent-Length: 2\r\nX-A: 1\r\nX-B: 2\r\n\r\nhi"},
	}
	for _, tt := range tests {
		got, err := tt.req.wire()
		if err != nil || !bytes.Equal(got, []byte(tt.want)) {
			t.Errorf("%s: %q, %v; want %q", tt.req.Method, got, err, tt.want)
		}
	}
}
