package service

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// noRedirects is a client that reports a redirect instead of following it.
func noRedirects(t *testing.T) *http.Client {
	c := newClient(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// TestEveryRefusalIsAnErrorArray wants unknown routes, wrong methods and unclean paths
// answered with the spec's error array (ironoxide loses the status of a 4xx without one, §8),
// never Go's plain-text 404/405 or a redirect.
func TestEveryRefusalIsAnErrorArray(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, Config{})
	c := noRedirects(t)
	for _, tt := range []struct {
		method, url string
		status      int
		allow       string // wanted in the Allow header of a 405
	}{
		{"GET", base + "no-such-route", 404, ""},
		{"GET", root(base) + "nowhere", 404, ""},
		{"POST", base + "users/current/x/y", 404, ""},
		{"DELETE", base + "users/current", 405, "GET"},
		{"PATCH", base + "documents", 405, "POST"},
		{"PUT", root(base) + "health", 405, "GET"},
		{"GET", base + "documents/..", 400, ""},
		{"GET", base + "documents/.", 400, ""},
		{"GET", base + "documents/a/../b", 400, ""},
		{"GET", root(base) + "api/1//users/current", 400, ""},
	} {
		status, hdr, body := do(t, c, tt.method, tt.url, "")
		if status != tt.status {
			t.Errorf("%s %s: %d %s, want %d", tt.method, tt.url, status, body, tt.status)
			continue
		}
		var errs []apiError
		if err := json.Unmarshal([]byte(body), &errs); err != nil || len(errs) != 1 || errs[0].Message == "" {
			t.Errorf("%s %s: body %q is not a one-element error array (%v)", tt.method, tt.url, body, err)
		}
		if ct := hdr.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q, want application/json", tt.method, tt.url, ct)
		}
		if tt.allow != "" && !strings.Contains(hdr.Get("Allow"), tt.allow) {
			t.Errorf("%s %s: Allow %q, want it to contain %s", tt.method, tt.url, hdr.Get("Allow"), tt.allow)
		}
	}
}

// TestDotIDsRefused wants IDs "." and ".." refused with 400 (spec §2.4): created, they could
// never be reached by path.
func TestDotIDsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	owner := e.newUser("dot-owner")
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{".", ".."} {
		if status, b := e.v2(owner, "POST", "documents", e.docBody(owner, id, pt)); status != 400 {
			t.Errorf("create document %q: %d %s, want 400", id, status, b)
		} else if errs := errorBody(t, b); !strings.Contains(errs[0].Message, "not allowed") {
			t.Errorf("create document %q: message %q, want it to say the ID is not allowed", id, errs[0].Message)
		}
		if status, b := e.v2(owner, "POST", "groups", e.groupBody(owner, e.groupKeys(id))); status != 400 {
			t.Errorf("create group %q: %d %s, want 400", id, status, b)
		}
		if status, b := e.withJWT(e.jwt(id), "POST", "users", []byte(`{}`)); status != 401 {
			t.Errorf("create user %q: %d %s, want 401 (the JWT names no valid user)", id, status, b)
		}
		if status, b := e.v2(owner, "GET", "users?id="+id, nil); status != 400 {
			t.Errorf("users?id=%s: %d %s, want 400", id, status, b)
		}
	}
	if st := e.s.Stats(); st != (Stats{Users: 1, Devices: 1}) {
		t.Errorf("store %+v after refusals, want only the owner and its device", st)
	}
}

// TestOversizedBodyIs413 wants a body over the limit answered 413 with the error array, on API
// and admin routes.
func TestOversizedBodyIs413(t *testing.T) {
	t.Parallel()
	s, base := startServer(t, Config{})
	c := newClient(t)
	for _, tt := range []struct{ url, body string }{
		{base + "documents", `{"id":"` + strings.Repeat("a", maxBody) + `"}`},
		{root(base) + "admin/faults", `[` + strings.Repeat(" ", maxAdminBody) + `]`},
	} {
		method := "POST"
		if strings.Contains(tt.url, "admin") {
			method = "PUT"
		}
		status, _, body := do(t, c, method, tt.url, tt.body)
		if status != 413 {
			t.Errorf("%s %s with %d bytes: %d, want 413", method, tt.url, len(tt.body), status)
			continue
		}
		var errs []apiError
		if err := json.Unmarshal([]byte(body), &errs); err != nil || len(errs) != 1 {
			t.Errorf("%s: body %q is not an error array", tt.url, body)
		}
	}
	if st := s.Stats(); st != (Stats{}) {
		t.Errorf("store %+v, want empty", st)
	}
}

// rawConn dials the server and returns the connection and a reader of its answers.
func rawConn(t *testing.T, base string) (net.Conn, *bufio.Reader) {
	t.Helper()
	addr := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/api/1/")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, bufio.NewReader(conn)
}

// closedWithin reports whether the server closes conn (after whatever it sends) within d.
func closedWithin(conn net.Conn, r *bufio.Reader, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, r)
	return err == nil // io.Copy treats EOF as success; a deadline is an error
}

// TestSlowBodyTimesOut wants a body that stops arriving answered 408 and its connection closed
// after BodyTimeout, not held forever.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, Config{BodyTimeout: 200 * time.Millisecond})
	conn, r := rawConn(t, base)
	if _, err := io.WriteString(conn, "POST /api/1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"a\":"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 408 || !bytes.Contains(b, []byte(`"code":10`)) {
		t.Errorf("stalled body: %d %s, want 408 with the error array", resp.StatusCode, b)
	}
	if !closedWithin(conn, r, 20*time.Second) {
		t.Error("connection still open after a timed-out body")
	}
}

// TestIdleConnectionsClose wants a keep-alive connection closed after IdleTimeout.
func TestIdleConnectionsClose(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, Config{IdleTimeout: 200 * time.Millisecond})
	conn, r := rawConn(t, base)
	if _, err := io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !closedWithin(conn, r, 20*time.Second) {
		t.Error("idle connection still open 20 s after a 200 ms idle timeout")
	}
}

// TestMaxConns wants connections over the cap to wait until one closes.
func TestMaxConns(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, Config{MaxConns: 2})
	get := func(conn net.Conn, r *bufio.Reader, wait time.Duration) error {
		if _, err := io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
			return err
		}
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	c1, r1 := rawConn(t, base)
	c2, r2 := rawConn(t, base)
	for _, c := range []struct {
		conn net.Conn
		r    *bufio.Reader
	}{{c1, r1}, {c2, r2}} {
		if err := get(c.conn, c.r, 20*time.Second); err != nil {
			t.Fatalf("a connection under the cap: %v", err)
		}
	}
	c3, r3 := rawConn(t, base)
	if err := get(c3, r3, 300*time.Millisecond); err == nil {
		t.Fatal("a third connection was served with MaxConns 2 and two open")
	}
	c1.Close()
	_ = c3.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(r3, nil)
	if err != nil {
		t.Fatalf("the waiting connection was not served after another closed: %v", err)
	}
	resp.Body.Close()
}

// TestUnreadResponsesTimeOut wants a client that sends requests but never reads the answers
// cut off BodyTimeout after the server starts answering, not holding its connection (and the
// handler writing to it) forever: with MaxConns 1 it would shut everyone else out.
func TestUnreadResponsesTimeOut(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, Config{MaxConns: 1, BodyTimeout: 200 * time.Millisecond})
	conn, _ := rawConn(t, base)
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4096)
	}
	// Pipelined requests whose answers fill the socket buffers (~10 MiB of 404s); the
	// client never reads them.
	req := "GET /api/1/nope-" + strings.Repeat("x", 4000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	go func() {
		_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		for range 2500 {
			if _, err := io.WriteString(conn, req); err != nil {
				return
			}
		}
	}()
	time.Sleep(500 * time.Millisecond)
	other, r := rawConn(t, base)
	if _, err := io.WriteString(other, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = other.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("the only connection slot is still held by a client that reads nothing: %v", err)
	}
	resp.Body.Close()
}
