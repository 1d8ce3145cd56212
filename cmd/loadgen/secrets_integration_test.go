//go:build integration

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestIntegrationSecretsStaySecret runs a workload with known secrets (the
// identity assertion key, passwords, and the JWTs minted from them) through
// a recording proxy, then greps every output, log and metric for them.
func TestIntegrationSecretsStaySecret(t *testing.T) {
	addr, state := startServe(t)
	dir := t.TempDir()

	// The proxy records every JWT the SDK minted.
	var mu sync.Mutex
	jwts := map[string]bool{}
	upstream, _ := url.Parse("http://" + addr)
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "jwt ") || strings.HasPrefix(a, "Bearer ") {
			_, tok, _ := strings.Cut(a, " ")
			mu.Lock()
			jwts[tok] = true
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	var pushMu sync.Mutex
	var pushed []byte
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		pushMu.Lock()
		pushed = append(pushed, b...)
		pushMu.Unlock()
	}))
	defer gw.Close()

	const password = "pw-Sup3rS3cret-7f1c2a"
	const wrongPassword = "wrong-Sup3rS3cret-9d3b"
	wl := writeFile(t, dir, "secrets.yaml", fmt.Sprintf(`name: secrets
target: {url: "%s/api/1/", timeout: 30s}
identity: {config: %q, key_file: %q}
setup: {users: 2}
scenarios:
  - name: onboarding
    executor: shared-iterations
    workers: 1
    iterations: 3
    steps:
      - {op: user_create, password: %q}
      - {op: generate_device, password: %q}
      - {op: initialize}
      - {op: document_encrypt}
  - name: failing
    executor: shared-iterations
    workers: 1
    iterations: 2
    steps:
      - {op: generate_device, password: %q}
`, front.URL, filepath.Join(state, "ironcore-config.json"), filepath.Join(state, "iak.pem"), password, password, wrongPassword))

	mAddr := freeAddr(t)
	out := filepath.Join(dir, "run")
	cmd := exec.Command(binary(t), "run", wl, "--out", out, "--metrics-addr", mAddr, "--pushgateway", gw.URL, "--vegeta", filepath.Join(dir, "vegeta.bin"))
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var metrics []byte
	for i := 0; i < 100; i++ {
		time.Sleep(100 * time.Millisecond)
		if resp, err := http.Get("http://" + mAddr + "/metrics"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			metrics = append(metrics, b...)
			break
		}
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != exitOK) {
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	if report := logs.String(); !strings.Contains(report, "failing/generate_device") || !strings.Contains(report, "crypto") {
		t.Errorf("the wrong-password steps did not fail as crypto errors:\n%s", report)
	}

	key, err := os.ReadFile(filepath.Join(state, "iak.pem"))
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"password": password, "wrong password": wrongPassword}
	for i, line := range strings.Split(string(key), "\n") {
		if len(line) >= 40 && !strings.HasPrefix(line, "-----") {
			secrets[fmt.Sprintf("identity key line %d", i)] = line
		}
	}
	mu.Lock()
	for tok := range jwts {
		secrets["a JWT"] = tok
		// Each part of a JWT but the header (shared by all) is secret too.
		if parts := strings.Split(tok, "."); len(parts) == 3 {
			secrets["a JWT signature"] = parts[2]
		}
	}
	n := len(jwts)
	mu.Unlock()
	if n == 0 {
		t.Fatal("the proxy saw no JWT; the test would prove nothing")
	}

	haystacks := map[string][]byte{"console": []byte(logs.String()), "/metrics": metrics}
	pushMu.Lock()
	haystacks["pushgateway"] = pushed
	pushMu.Unlock()
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			haystacks[p] = b
		}
		return nil
	})
	b, _ := os.ReadFile(filepath.Join(dir, "vegeta.bin"))
	haystacks["vegeta.bin"] = b
	for where, hay := range haystacks {
		for what, s := range secrets {
			if strings.Contains(string(hay), s) {
				t.Errorf("%s holds %s", where, what)
			}
		}
	}
	t.Logf("checked %d outputs for %d secrets (%d JWTs seen)", len(haystacks), len(secrets), n)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs `loadgen serve` on a free loopback port with its state
// (IronCore config and key) in a temp folder, until the test ends.
func startServe(t *testing.T) (addr, state string) {
	t.Helper()
	addr = freeAddr(t)
	state = filepath.Join(t.TempDir(), "state")
	serve := exec.Command(binary(t), "serve", "--addr", addr, "--state-dir", state)
	stdout, _ := serve.StdoutPipe()
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "reference service at") {
				close(ready)
				io.Copy(io.Discard, stdout)
				return
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("loadgen serve did not start")
	}
	return addr, state
}
