package main

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRunHTTPStepTLS runs http steps against a TLS target on 127.0.0.1
// whose certificate only target.tls.ca_file vouches for: the steps must
// trust it (as the SDK ops do), and http2: off must keep them on HTTP/1.1.
func TestRunHTTPStepTLS(t *testing.T) {
	var h1, h2 atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			h2.Add(1)
		} else {
			h1.Add(1)
		}
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	dir := t.TempDir()
	ca := writeFile(t, dir, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	tests := []struct {
		name, target string
		wantCode     int
		wantH1       bool
		wantH2       bool
		wantErr      string
	}{
		{name: "ca_file", target: "{url: '" + srv.URL + "/', tls: {ca_file: '" + ca + "'}}", wantCode: 0, wantH2: true},
		{name: "http2 off", target: "{url: '" + srv.URL + "/', http2: 'off', tls: {ca_file: '" + ca + "'}}", wantCode: 0, wantH1: true},
		{name: "ca_file missing", target: "{url: '" + srv.URL + "/', tls: {ca_file: '" + filepath.Join(dir, "nosuch.pem") + "'}}", wantCode: exitUsage, wantErr: "target.tls.ca_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h1.Store(0)
			h2.Store(0)
			p := writeFile(t, dir, "tls.yaml", `name: tls
target: `+tt.target+`
scenarios:
  - name: a
    executor: shared-iterations
    workers: 1
    iterations: 3
    duration: 10s
    steps: [{op: http, url: /x, expect_status: [200]}]
thresholds:
  http: ["error_rate < 1%"]
`)
			code, stdout, errOut := runCLI(t, "run", p, "--out", filepath.Join(t.TempDir(), "run"), "-q")
			if code != tt.wantCode {
				t.Fatalf("code %d, want %d\n%s\n%s", code, tt.wantCode, stdout, errOut)
			}
			if tt.wantErr != "" && !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q; want it to name %s", errOut, tt.wantErr)
			}
			if tt.wantCode != 0 {
				return
			}
			if got := h1.Load() + h2.Load(); got != 3 {
				t.Errorf("target got %d requests, want 3", got)
			}
			if tt.wantH2 && h1.Load() != 0 {
				t.Errorf("http2: auto, yet %d requests came over HTTP/1.1", h1.Load())
			}
			if tt.wantH1 && h2.Load() != 0 {
				t.Errorf("http2: off, yet %d requests came over HTTP/2", h2.Load())
			}
		})
	}
}
