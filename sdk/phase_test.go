package sdk

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

type recordedPhase struct {
	name       string
	start, end time.Time
}

type phaseLog struct {
	mu sync.Mutex
	ps []recordedPhase
}

func (l *phaseLog) hook(name string, start, end time.Time) {
	l.mu.Lock()
	l.ps = append(l.ps, recordedPhase{name, start, end})
	l.mu.Unlock()
}

func (l *phaseLog) names() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, p := range l.ps {
		out = append(out, p.name)
	}
	return out
}

func (l *phaseLog) get(name string) (recordedPhase, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.ps {
		if p.name == name {
			return p, true
		}
	}
	return recordedPhase{}, false
}

func TestGenerateDevicePhases(t *testing.T) {
	t.Parallel()
	for _, delay := range []time.Duration{0, 20 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			t.Parallel()
			srv, done := goldenServer(t, "generate_device")
			defer done()
			c := goldenClient(t, srv.URL, "golden/generate_device")
			var log phaseLog
			ctx := WithPhaseHook(context.Background(), log.hook)
			if delay > 0 {
				ctx = WithTestDelay(ctx, "generate_device", delay)
			}
			start := time.Now()
			if _, err := c.GenerateDevice(ctx, testIssuer(t, "iak-rs256.pem"), goldenUser, goldenPass, DeviceOptions{Name: "golden device"}); err != nil {
				t.Fatal(err)
			}
			end := time.Now()

			var top []string
			for _, p := range log.ps {
				if p.start.Before(start) || p.end.After(end) || p.end.Before(p.start) {
					t.Errorf("phase %s [%v, %v] outside the op [%v, %v]", p.name, p.start, p.end, start, end)
				}
				if !strings.Contains(p.name, "/") {
					top = append(top, p.name)
				}
			}
			sort.SliceStable(top, func(i, j int) bool { a, _ := log.get(top[i]); b, _ := log.get(top[j]); return a.start.Before(b.start) })
			want := []string{"crypto:jwt", "http:user_verify", "crypto:pbkdf2", "crypto:aes", "crypto:signing_keygen",
				"crypto:keygen", "crypto:transform_key", "crypto:sign", "http:device_add"}
			if !slices.Equal(top, want) {
				t.Errorf("top-level phases\n got %v\nwant %v", top, want)
			}
			for _, sub := range []string{"http:user_verify/connect", "http:user_verify/wait", "http:user_verify/read", "http:device_add/wait", "http:device_add/read"} {
				p, ok := log.get(sub)
				if !ok {
					t.Errorf("no phase %s in %v", sub, log.names())
					continue
				}
				parent, _ := log.get(sub[:strings.IndexByte(sub, '/')])
				if p.start.Before(parent.start) || p.end.After(parent.end) {
					t.Errorf("%s is outside %s", sub, parent.name)
				}
			}
			verify, _ := log.get("http:user_verify")
			pbkdf2, _ := log.get("crypto:pbkdf2")
			if gap := pbkdf2.start.Sub(verify.end); gap < delay {
				t.Errorf("gap between http:user_verify and crypto:pbkdf2 = %v, want at least %v", gap, delay)
			}
		})
	}
}
