//go:build integration

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestIntegrationSignalBeforeRun sends the first SIGTERM during setup or
// while waiting for --start-at: the run exits 105 promptly (setup stops
// too; it would take minutes here), and teardown still deletes the groups
// setup made.
func TestIntegrationSignalBeforeRun(t *testing.T) {
	const body = `name: early
target: {url: embedded, timeout: 10s}
setup: {users: %USERS%, groups: %GROUPS%}
teardown: true
scenarios:
  - name: a
    executor: shared-iterations
    workers: 1
    iterations: 1
    duration: 10s
    steps: [{op: group_list}]
`
	tests := []struct {
		name          string
		users, groups string
		args          []string
		signalAfter   string // send the signal once stderr shows this
		wantTeardown  string
	}{
		{name: "during setup", users: "3000", groups: "0", signalAfter: "setup: users", wantTeardown: "teardown deleted 0"},
		{name: "before start-at", users: "2", groups: "1", args: []string{"--start-at", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
			signalAfter: "waiting", wantTeardown: "teardown deleted 1 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			wl := filepath.Join(dir, "early.yaml")
			b := strings.NewReplacer("%USERS%", tt.users, "%GROUPS%", tt.groups).Replace(body)
			if err := os.WriteFile(wl, []byte(b), 0o644); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var errb bytes.Buffer
			sigs := make(chan os.Signal, 2)
			st := newState()
			st.args = append([]string{"run", wl, "--out", filepath.Join(dir, "run"), "-q"}, tt.args...)
			st.stdout = &bytes.Buffer{}
			st.stderr = writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return errb.Write(p) })
			st.getenv = func(string) (string, bool) { return "", false }
			st.signals = func() (<-chan os.Signal, func()) { return sigs, func() {} }
			done := make(chan int, 1)
			go func() { done <- execute(st) }()
			stderr := func() string { mu.Lock(); defer mu.Unlock(); return errb.String() }
			deadline := time.Now().Add(60 * time.Second)
			for !strings.Contains(stderr(), tt.signalAfter) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			sent := time.Now()
			sigs <- syscall.SIGTERM
			select {
			case code := <-done:
				if code != exitSignal {
					t.Errorf("exit %d, want 105\n%s", code, stderr())
				}
				if d := time.Since(sent); d > 10*time.Second {
					t.Errorf("exited %s after the signal", d)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("still running 20s after the signal\n%s", stderr())
			}
			if !strings.Contains(stderr(), tt.wantTeardown) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantTeardown, stderr())
			}
		})
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
