package sdk

import (
	"context"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none means valid
	}{
		{"ok", Config{BaseURL: "http://127.0.0.1:8080/api/1/"}, nil},
		{"ok https other prefix", Config{BaseURL: "https://api-staging.example/x/", Connections: PerCall}, nil},
		{"no url", Config{}, []string{"BaseURL is required"}},
		{"no trailing slash", Config{BaseURL: "http://h/api/1"}, []string{"must end in /"}},
		{"bad scheme", Config{BaseURL: "ftp://h/api/1/"}, []string{"scheme"}},
		{"every problem at once", Config{BaseURL: "http://h/api/1/", Connections: "pooled", Timeout: -1, Retry: RetryPolicy{Max: -1}},
			[]string{"Connections \"pooled\"", "Timeout -1ns", "Retry.Max -1"}},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if (err == nil) != (tt.want == nil) {
			t.Errorf("%s: err = %v", tt.name, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v lacks %q", tt.name, err, w)
			}
		}
	}
	if _, err := New(Config{BaseURL: "http://h/api/1/", CAFile: filepath.Join(t.TempDir(), "none.pem")}); err == nil {
		t.Error("missing CAFile accepted")
	}
}

// TestConnections counts the TCP connections each connection model opens
// for two SDKs making two calls each.
func TestConnections(t *testing.T) {
	t.Parallel()
	cur := readGolden(t, "initialize")[0]
	tests := []struct {
		model Connections
		want  int
	}{
		{Shared, 1},
		{PerIdentity, 2},
		{PerCall, 6}, // 2 × (initialize + 2 calls)
	}
	for _, tt := range tests {
		t.Run(string(tt.model), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			conns := 0
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/1/users/current" {
					w.Write([]byte(cur.resp))
					return
				}
				w.Write([]byte(`{"result":[]}`))
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					mu.Lock()
					conns++
					mu.Unlock()
				}
			}
			srv.Start()
			defer srv.Close()
			c, err := newClient(Config{BaseURL: srv.URL + "/api/1/", Connections: tt.model}, fakeRecrypt{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx := context.Background()
			for range 2 {
				s, err := c.Initialize(ctx, goldenDevice())
				if err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if _, err := s.DocumentList(ctx); err != nil {
						t.Fatal(err)
					}
				}
				s.Close()
			}
			mu.Lock()
			defer mu.Unlock()
			if conns != tt.want {
				t.Errorf("%d connections, want %d", conns, tt.want)
			}
		})
	}
}

func TestCAFileAndTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Proto))
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pemCert(srv.Certificate().Raw), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{"system roots reject", Config{}, true},
		{"ca file", Config{CAFile: ca}, false},
		{"insecure", Config{InsecureSkipVerify: true}, false},
	} {
		tt.cfg.BaseURL = srv.URL + "/api/1/"
		c, err := New(tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		hc := c.t.cfg.newHTTPClient(c.tls)
		resp, err := hc.Get(srv.URL)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		if err == nil {
			resp.Body.Close()
		}
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestHTTP2Switch(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Proto))
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	for _, tt := range []struct {
		off  bool
		want string
	}{{false, "HTTP/2.0"}, {true, "HTTP/1.1"}} {
		cfg := Config{BaseURL: srv.URL + "/api/1/", InsecureSkipVerify: true, DisableHTTP2: tt.off}
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.t.cfg.newHTTPClient(c.tls).Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != tt.want {
			t.Errorf("DisableHTTP2=%v: server saw %s, want %s", tt.off, b, tt.want)
		}
	}
}
