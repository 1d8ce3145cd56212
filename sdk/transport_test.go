package sdk

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newTestSDK returns an SDK for the golden device whose Initialize was
// answered by the test server, so that handler only sees later calls.
func newTestSDK(t *testing.T, cfg Config, h http.HandlerFunc) (*SDK, *httptest.Server) {
	t.Helper()
	cur := readGolden(t, "initialize")[0]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/1/users/current" {
			io.WriteString(w, cur.resp)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL + "/api/1/"
	c, err := newClient(cfg, fakeRecrypt{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Initialize(context.Background(), goldenDevice())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, srv
}

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		class     string
		wantType  string // "service" or "protocol"
		wantCode  int
		wantInMsg string
	}{
		{"5xx ignores body", 503, `[{"message":"x","code":1}]`, "http_5xx", "service", 0, "Server encountered error"},
		{"500", 500, ``, "http_5xx", "service", 0, "Server encountered error"},
		{"404", 404, `[{"message":"gone","code":7}]`, "http_4xx", "service", 0, "Requested resource was not found."},
		{"429 rate limit", 429, `<html>slow down</html>`, "http_4xx", "service", 0, "rate limiting"},
		// rest.rs test: two server errors in one body.
		{"4xx error list", 400, `[{"message":"foo","code":2},{"message":"bar","code":3}]`, "http_4xx", "service", 2, "foo (code 2); bar (code 3)"},
		{"401 is auth", 401, `[{"message":"bad sig","code":5}]`, "auth", "service", 5, "bad sig"},
		{"403 is auth", 403, `[{"message":"nope","code":9}]`, "auth", "service", 9, "nope"},
		{"4xx not an error list", 422, `{"oops":true}`, "protocol", "protocol", 0, "not an error list"},
		{"4xx empty list", 400, `[]`, "protocol", "protocol", 0, "empty error list"},
		{"2xx bad json", 200, `{"result":`, "protocol", "protocol", 0, "response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newTestSDK(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			_, err := s.DocumentList(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			var c classified
			if !errors.As(err, &c) {
				t.Fatalf("%T %v has no class", err, err)
			}
			if c.ErrorClass() != tt.class {
				t.Errorf("class = %q, want %q (%v)", c.ErrorClass(), tt.class, err)
			}
			if tt.status >= 400 && c.HTTPStatus() != tt.status {
				t.Errorf("HTTPStatus = %d, want %d", c.HTTPStatus(), tt.status)
			}
			switch tt.wantType {
			case "service":
				var se *ServiceError
				if !errors.As(err, &se) {
					t.Fatalf("%T, want *ServiceError", err)
				}
				if se.Code() != tt.wantCode || se.Call != "document_list" {
					t.Errorf("code %d call %q", se.Code(), se.Call)
				}
			case "protocol":
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("%T, want *ProtocolError", err)
				}
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("error %q lacks %q", err, tt.wantInMsg)
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c, err := New(Config{BaseURL: "http://" + addr + "/api/1/"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.UserVerify(context.Background(), testIssuer(t, "iak-es256.pem"), "u1")
		if err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("err = %v, want connection refused", err)
		}
		if strings.Contains(err.Error(), "jwt ") || strings.Contains(err.Error(), "eyJ") {
			t.Errorf("error leaks a JWT: %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		block := make(chan struct{})
		s, _ := newTestSDK(t, Config{Timeout: 300 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		})
		defer close(block)
		_, err := s.DocumentList(context.Background())
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("err = %v, want a net.Error timeout", err)
		}
	})
	t.Run("context canceled", func(t *testing.T) {
		t.Parallel()
		s, _ := newTestSDK(t, Config{}, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, err := s.DocumentList(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
	})
}

// TestRetryResigns checks that a retried call carries a fresh signature
// over a new timestamp, that the final status is kept when retries run out,
// and that POSTs are not retried unless allowed.
func TestRetryResigns(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64
	clock.Store(goldenNowMs)
	now := func() time.Time { return time.UnixMilli(clock.Add(1000)) }
	type seen struct{ ctx, auth, sig string }
	var mu sync.Mutex
	var got []seen
	fails := 2
	s, _ := newTestSDK(t, Config{Now: now, Retry: RetryPolicy{Max: 3, WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond}},
		func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got = append(got, seen{r.Header.Get("X-Ironcore-User-Context"), r.Header.Get("Authorization"), r.Header.Get("X-Ironcore-Request-Sig")})
			n := len(got)
			mu.Unlock()
			if n <= fails {
				w.WriteHeader(503)
				return
			}
			io.WriteString(w, `{"result":[]}`)
		})
	var retries []int
	var waits []string
	ctx := WithRetryHook(context.Background(), func(call string, n, status int, wait time.Duration) {
		if call != "document_list" || status != 503 || wait <= 0 {
			t.Errorf("retry hook: %s %d %d %v", call, n, status, wait)
		}
		retries = append(retries, n)
	})
	var pmu sync.Mutex
	ctx = WithPhaseHook(ctx, func(name string, start, end time.Time) {
		pmu.Lock()
		defer pmu.Unlock()
		if strings.HasSuffix(name, "/retry_wait") {
			waits = append(waits, name)
		}
		if end.Before(start) {
			t.Errorf("phase %s ends before it starts", name)
		}
	})
	if _, err := s.DocumentList(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].ctx == got[i-1].ctx || got[i].auth == got[i-1].auth || got[i].sig == got[i-1].sig {
			t.Errorf("attempt %d reuses the signature of attempt %d: %+v", i, i-1, got[i])
		}
	}
	// Each attempt's signature must verify for its own user context.
	for i, g := range got {
		ts := strings.SplitN(g.ctx, ",", 2)[0]
		h := http.Header{}
		var ms int64
		for _, c := range ts {
			ms = ms*10 + int64(c-'0')
		}
		s.auth.authorize(h, "GET", "/api/1/documents", nil, time.UnixMilli(ms))
		//lint:ignore SA1008 authorize writes the header in lower case, as ironoxide sends it
		if h["x-ironcore-request-sig"][0] != g.sig {
			t.Errorf("attempt %d: signature does not match its timestamp %s", i, ts)
		}
	}
	if len(retries) != 2 || len(waits) != 2 || waits[0] != "http:document_list/retry_wait" {
		t.Errorf("retries %v, retry_wait phases %v", retries, waits)
	}

	t.Run("exhausted keeps status", func(t *testing.T) {
		var n atomic.Int32
		s, _ := newTestSDK(t, Config{Retry: RetryPolicy{Max: 2, WaitMin: time.Millisecond, WaitMax: time.Millisecond}},
			func(w http.ResponseWriter, r *http.Request) { n.Add(1); w.WriteHeader(502) })
		_, err := s.DocumentList(context.Background())
		var se *ServiceError
		if !errors.As(err, &se) || se.Status != 502 {
			t.Fatalf("err = %v, want status 502", err)
		}
		if n.Load() != 3 {
			t.Errorf("%d attempts, want 3", n.Load())
		}
	})
	t.Run("POST not retried by default", func(t *testing.T) {
		var n atomic.Int32
		s, _ := newTestSDK(t, Config{Retry: RetryPolicy{Max: 2, WaitMin: time.Millisecond, WaitMax: time.Millisecond}},
			func(w http.ResponseWriter, r *http.Request) { n.Add(1); w.WriteHeader(503) })
		_, err := s.DocumentEncrypt(context.Background(), []byte("x"), EncryptOptions{})
		var se *ServiceError
		if !errors.As(err, &se) || se.Status != 503 || n.Load() != 1 {
			t.Fatalf("err = %v after %d attempts, want one 503", err, n.Load())
		}
		n.Store(0)
		ctx := WithRetryPolicy(context.Background(), RetryPolicy{Max: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond, NonIdempotent: true})
		_, _ = s.DocumentEncrypt(ctx, []byte("x"), EncryptOptions{})
		if n.Load() != 2 {
			t.Errorf("%d attempts with NonIdempotent, want 2", n.Load())
		}
	})
}
