package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServeFlagUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--body-timeout", "-1s"}, "--body-timeout -1s: want a duration of 0 or more"},
		{[]string{"serve", "--idle-timeout", "-1s"}, "--idle-timeout -1s: want"},
		{[]string{"serve", "--future-skew", "-1s"}, "--future-skew -1s: want"},
		{[]string{"serve", "--replay-window", "-1m"}, "--replay-window -1m0s: want"},
		{[]string{"serve", "--max-conns", "0"}, "--max-conns 0: want 1 or more"},
		{[]string{"serve", "--replay-window", "soon"}, `invalid argument "soon" for "--replay-window"`},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, `--addr "127.0.0.1:99999": want host:port with a port of 0 to 65535`}, // exit 1 after start
		{[]string{"serve", "--addr", "127.0.0.1:" + busyPort(t)}, "bind: address already in use"},                              // exit 1
		{[]string{"serve", "--state-dir", "serve.go"}, "--state-dir serve.go is a file; want a folder"},                        // exit 1 after start
		{[]string{"serve", "--state-dir", "serve.go/state"}, "--state-dir serve.go/state: serve.go is not a folder"},
	} {
		code, _, errOut := runCLI(t, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: code %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe to write from the command and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeBodyTimeoutFlag runs serve in-process with --body-timeout and wants a stalled body
// answered 408 by it, then stops serve with a signal.
func TestServeBodyTimeoutFlag(t *testing.T) {
	var out, errb syncBuffer
	sigs := make(chan os.Signal, 1)
	st := newState()
	st.args = []string{"serve", "--addr", "127.0.0.1:0", "--body-timeout", "200ms", "--replay-window", "1m"}
	st.stdout, st.stderr = &out, &errb
	st.signals = func() (<-chan os.Signal, func()) { return sigs, func() {} }
	done := make(chan int, 1)
	go func() { done <- execute(st) }()
	addrRE := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/api/1/`)
	var addr string
	for deadline := time.Now().Add(20 * time.Second); addr == ""; time.Sleep(10 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("serve did not start: stdout %q stderr %q", out.String(), errb.String())
		}
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /api/1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 408 {
		t.Errorf("stalled body: %d, want 408 after --body-timeout", resp.StatusCode)
	}
	sigs <- os.Interrupt
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exit code %d, want 0; stderr %q", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on a signal")
	}
}

// busyPort returns the port of a loopback listener held until the test ends.
func busyPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
