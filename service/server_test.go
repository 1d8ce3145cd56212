package service

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// startServer starts a Server on 127.0.0.1:0 and closes it when the test ends.
func startServer(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	base, err := s.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, base
}

// root returns base without the API prefix.
func root(base string) string { return strings.TrimSuffix(base, "api/1/") }

// newClient returns a client that opens a fresh connection per request, so a reset connection
// is never reused.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// do sends a request and returns its status, headers and body.
func do(t *testing.T, c *http.Client, method, url, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestHealth(t *testing.T) {
	t.Parallel()
	s, base := startServer(t, Config{})
	c := newClient(t)
	for _, url := range []string{root(base) + "health", base + "health"} {
		status, hdr, body := do(t, c, "GET", url, "")
		if status != 200 || body != `{"status":"ok"}` || hdr.Get("Content-Type") != "application/json" {
			t.Errorf("GET %s = %d %q (%s), want 200 {\"status\":\"ok\"} application/json", url, status, body, hdr.Get("Content-Type"))
		}
	}
	if got := s.Count("GET /health"); got != 2 {
		t.Errorf("Count(GET /health) = %d, want 2", got)
	}
	if got := s.Requests()["GET /health"]; got != 2 {
		t.Errorf("Requests()[GET /health] = %d, want 2", got)
	}
	if status, _, _ := do(t, c, "GET", base+"no-such-route", ""); status != 404 {
		t.Errorf("unknown route: %d, want 404", status)
	}
}

func TestFaultFixedLatency(t *testing.T) {
	t.Parallel()
	const delay = 150 * time.Millisecond
	s, base := startServer(t, Config{Faults: []Fault{{Route: "GET /health", Latency: &Latency{Dist: DistFixed, Fixed: delay}}}})
	c := newClient(t)
	start := time.Now()
	if status, _, _ := do(t, c, "GET", base+"health", ""); status != 200 {
		t.Fatalf("status %d, want 200", status)
	}
	// Only the lower bound is checked: a loaded machine can add any amount.
	took := time.Since(start)
	if took < delay {
		t.Errorf("request took %v, want at least %v", took, delay)
	}
	// The handler's busy time leaves the injected latency out.
	if b := s.BusyTime(); b <= 0 || b >= took-delay+time.Millisecond {
		t.Errorf("BusyTime %v; want more than 0 and about %v (the request's %v less the %v injected)", b, took-delay, took, delay)
	}
}

func TestFaultErrorRate(t *testing.T) {
	t.Parallel()
	const n, rate = 400, 0.25
	_, base := startServer(t, Config{Seed: 1, Faults: []Fault{{Route: "*", ErrorRate: rate}}})
	c := &http.Client{Timeout: 30 * time.Second}
	failed := 0
	for range n {
		status, _, body := do(t, c, "GET", base+"health", "")
		switch status {
		case 200:
		case 503:
			failed++
			var errs []apiError
			if err := json.Unmarshal([]byte(body), &errs); err != nil || len(errs) != 1 {
				t.Fatalf("error body %q is not a one-element error array: %v", body, err)
			}
		default:
			t.Fatalf("status %d, want 200 or 503", status)
		}
	}
	// Binomial(400, 0.25): sd ≈ 8.7; ±5 sd.
	if got := float64(failed) / n; got < rate-0.11 || got > rate+0.11 {
		t.Errorf("error fraction %.3f, want %.2f ± 0.11", got, rate)
	}
}

func TestFaultRetryAfter(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, Config{Faults: []Fault{{Route: "GET /health", ErrorRate: 1, Status: 429, RetryAfter: 1500 * time.Millisecond}}})
	status, hdr, _ := do(t, newClient(t), "GET", base+"health", "")
	if status != 429 || hdr.Get("Retry-After") != "2" {
		t.Errorf("got %d Retry-After %q, want 429 Retry-After \"2\"", status, hdr.Get("Retry-After"))
	}
}

func TestFaultReset(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, Config{Faults: []Fault{{Route: "GET /health", Reset: 1}}})
	req, err := http.NewRequestWithContext(t.Context(), "GET", base+"health", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := newClient(t).Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want a connection error", resp.StatusCode)
	}
	t.Logf("client error: %v", err)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("error %v, want a connection reset", err)
	}
}

// TestFaultStallWindow drives the handler in a synctest bubble, whose clock
// moves only when every goroutine waits: a request before the window is not
// held, requests inside it are held until it closes (all three to the same
// instant), and one at its close is not held.
func TestFaultStallWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const after, stall = 300 * time.Millisecond, 700 * time.Millisecond
		s, err := New(Config{Faults: []Fault{{Route: "GET /health", Stall: stall, StallAfter: after}}})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		start := time.Now() // New's time: the window counts from it
		get := func() time.Duration {
			t0 := time.Now()
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/1/health", nil))
			if rec.Code != 200 {
				t.Errorf("status %d, want 200", rec.Code)
			}
			return time.Since(t0)
		}
		if took := get(); took != 0 {
			t.Errorf("a request before the window was held %v", took)
		}
		time.Sleep(after + 50*time.Millisecond)
		var wg sync.WaitGroup
		done := make([]time.Time, 3)
		for i := range done {
			wg.Go(func() {
				get()
				done[i] = time.Now()
			})
		}
		wg.Wait()
		for i, d := range done {
			if want := start.Add(after + stall); !d.Equal(want) {
				t.Errorf("request %d inside the window ended at +%v, want +%v (when the window closes)", i, d.Sub(start), after+stall)
			}
		}
		if took := get(); took != 0 {
			t.Errorf("a request at the window's close was held %v", took)
		}
	})
}

func TestCloseReleasesStalledRequests(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Faults: []Fault{{Route: "*", Stall: time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := http.Get(base + "health")
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	for s.Count("GET /health") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return while a request was stalled")
	}
	<-errc
}

func TestStartContextCancel(t *testing.T) {
	t.Parallel()
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	base, err := s.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := http.Get(base + "health"); err == nil {
		t.Error("server still answers after its context was canceled")
	}
	if _, err := s.Start(t.Context(), "127.0.0.1:0"); err == nil {
		t.Error("Start after Close succeeded, want an error")
	}
}

func TestSetFaultsWhileRunning(t *testing.T) {
	t.Parallel()
	s, base := startServer(t, Config{})
	c := newClient(t)
	if status, _, _ := do(t, c, "GET", base+"health", ""); status != 200 {
		t.Fatalf("before: %d, want 200", status)
	}
	if err := s.SetFaults([]Fault{{Route: "GET /health", ErrorRate: 1, Status: 500}}); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := do(t, c, "GET", base+"health", ""); status != 500 {
		t.Fatalf("after SetFaults: %d, want 500", status)
	}
	if err := s.SetFaults([]Fault{{Route: "*", ErrorRate: 2}}); err == nil {
		t.Fatal("SetFaults with an invalid fault succeeded")
	}
	if status, _, _ := do(t, c, "GET", base+"health", ""); status != 500 {
		t.Fatalf("after a rejected SetFaults: %d, want the old fault's 500", status)
	}
	if err := s.SetFaults(nil); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := do(t, c, "GET", base+"health", ""); status != 200 {
		t.Fatalf("after clearing: %d, want 200", status)
	}
}

func TestAdminFaults(t *testing.T) {
	t.Parallel()
	s, base := startServer(t, Config{})
	c := newClient(t)
	admin := root(base) + "admin/faults"

	status, _, body := do(t, c, "PUT", admin, `[{"route":"GET /health","error_rate":1,"status":429,"retry_after":"3s","latency":{"dist":"fixed","fixed":"1ms"}}]`)
	if status != 200 {
		t.Fatalf("PUT: %d %s, want 200", status, body)
	}
	want := Fault{Route: "GET /health", ErrorRate: 1, Status: 429, RetryAfter: 3 * time.Second, Latency: &Latency{Dist: DistFixed, Fixed: time.Millisecond}}
	if got := s.Faults(); len(got) != 1 || got[0].Route != want.Route || got[0].RetryAfter != want.RetryAfter || *got[0].Latency != *want.Latency {
		t.Fatalf("Faults() = %+v, want [%+v]", got, want)
	}
	if status, hdr, _ := do(t, c, "GET", base+"health", ""); status != 429 || hdr.Get("Retry-After") != "3" {
		t.Fatalf("health after PUT: %d, want 429 with Retry-After 3", status)
	}
	status, _, body = do(t, c, "GET", admin, "")
	if status != 200 || !strings.Contains(body, `"retry_after":"3s"`) {
		t.Errorf("GET: %d %s, want 200 with the fault", status, body)
	}

	bad := []struct{ name, body, want string }{
		{"invalid value", `[{"route":"*","error_rate":1.5}]`, "fault[0].error_rate: 1.5 is not a probability"},
		{"unknown field", `[{"route":"*","eror_rate":1}]`, "unknown field"},
		{"not JSON", `{`, "decoding faults"},
		{"bad duration", `[{"route":"*","stall":"soon"}]`, "decoding faults"},
	}
	for _, tt := range bad {
		status, _, body := do(t, c, "PUT", admin, tt.body)
		if status != 400 || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %s, want 400 containing %q", tt.name, status, body, tt.want)
		}
	}
	if got := s.Faults(); len(got) != 1 {
		t.Errorf("rejected PUTs changed the faults to %+v", got)
	}
}

func TestAdminLoopbackOnly(t *testing.T) {
	t.Parallel()
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		remote, host string
		want         int
	}{
		{"192.0.2.7:4000", "127.0.0.1", 403},
		{"[2001:db8::1]:4000", "[::1]", 403},
		{"127.0.0.1:4000", "127.0.0.1:8080", 200},
		{"127.0.0.1:4000", "localhost:8080", 200},
		{"127.0.0.1:4000", "LOCALHOST", 200},
		{"127.0.0.1:4000", "127.0.0.2", 200},
		{"[::1]:4000", "[::1]:8080", 200},
		{"[::1]:4000", "[::1]", 200},
		// DNS rebinding: a loopback peer asking for another host name.
		{"127.0.0.1:4000", "attacker.example:8080", 403},
		{"127.0.0.1:4000", "attacker.example", 403},
		{"127.0.0.1:4000", "localhost.attacker.example", 403},
		{"127.0.0.1:4000", "192.0.2.7", 403},
		{"127.0.0.1:4000", "", 403},
	} {
		for _, m := range []string{"GET", "PUT"} {
			req := httptest.NewRequest(m, "/admin/faults", strings.NewReader(`[]`))
			req.RemoteAddr, req.Host = tt.remote, tt.host
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("%s from %s for Host %q: %d, want %d", m, tt.remote, tt.host, rec.Code, tt.want)
			}
		}
	}
}

func TestFaultConcretePath(t *testing.T) {
	t.Parallel()
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetFaults([]Fault{{Route: "GET /nothing/here"}}); err == nil {
		t.Error("fault on a path no route serves was accepted")
	}
}
