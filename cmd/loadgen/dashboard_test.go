package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
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
