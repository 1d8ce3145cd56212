package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

func TestListenDashboard(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr   string
		expose bool
		want   string // "" when it binds; else part of the exit-2 error
	}{
		{"127.0.0.1:0", false, ""},
		{"localhost:0", false, ""},
		{"0.0.0.0:0", false, "not a loopback address"},
		{":0", false, "not a loopback address"}, // every interface
		{"192.0.2.1:0", false, "--dashboard-expose"},
		{"0.0.0.0:0", true, ""},
		{"8089", false, "want HOST:PORT"},
	} {
		var stderr bytes.Buffer
		d, err := listenDashboard(&state{stderr: &stderr}, tt.addr, tt.expose)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q expose=%v: %v", tt.addr, tt.expose, err)
				continue
			}
			if !strings.Contains(stderr.String(), "dashboard at http://") {
				t.Errorf("%q: said %q, not where it listens", tt.addr, stderr.String())
			}
			d.close()
			continue
		}
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "--dashboard") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q expose=%v: %v, want exit %d naming --dashboard and %q", tt.addr, tt.expose, err, exitUsage, tt.want)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a run writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var dashboardAt = regexp.MustCompile(`dashboard at http://(127\.0\.0\.1:\d+)/`)

// TestRunDashboard runs a workload with --dashboard and follows /events to
// the end: the last second's totals are summary.json's.
func TestRunDashboard(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "small.yaml", strings.Replace(smallRun, "duration: 1s", "duration: 3s", 1))
	out := filepath.Join(dir, "run")
	var stdout, stderr lockedBuffer
	st := newState()
	st.args = []string{"run", p, "--out", out, "-q", "--dashboard", "127.0.0.1:0"}
	st.stdout, st.stderr = &stdout, &stderr
	st.getenv = func(string) (string, bool) { return "", false }
	code := make(chan int, 1)
	go func() { code <- execute(st) }()

	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if m := dashboardAt.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no dashboard address in %q", stderr.String())
		}
	}
	resp, err := http.Get("http://" + addr + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var last results.LiveEvent
	seconds := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 16<<20)
	name := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && name == "":
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &last); err != nil {
				t.Fatal(err)
			}
			seconds++
		case line == "":
			name = ""
		}
	}
	if c := <-code; c != 0 {
		t.Fatalf("run: exit %d\n%s", c, stderr.String())
	}
	var sum results.Summary
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err == nil {
		err = json.Unmarshal(b, &sum)
	}
	if err != nil || len(sum.Ops) != 1 {
		t.Fatalf("summary.json: %v, %+v", err, sum.Ops)
	}
	if seconds < 2 || !last.End || last.Totals.Samples != sum.Ops[0].Count || len(last.Ops) != 1 || last.Ops[0].Name != "health/http" {
		t.Errorf("%d events, the last %+v; summary.json has %d samples", seconds, last, sum.Ops[0].Count)
	}
}

// TestDashboardAddrCheckedFirst: a dashboard address beyond loopback is
// refused before anything runs, in a dry run too.
func TestDashboardAddrCheckedFirst(t *testing.T) {
	t.Parallel()
	p := writeFile(t, t.TempDir(), "small.yaml", smallRun)
	for _, extra := range [][]string{{"--dry-run"}, {"--out", filepath.Join(t.TempDir(), "run")}} {
		code, _, stderr := runCLI(t, append([]string{"run", p, "--dashboard", "0.0.0.0:8089"}, extra...)...)
		if code != exitUsage || !strings.Contains(stderr, "--dashboard-expose") {
			t.Errorf("%v: exit %d, %q", extra, code, stderr)
		}
	}
}
