//go:build testhooks

package testhook

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	m, err := parse(" generate_device=20ms, x=1s ,")
	if err != nil || len(m) != 2 || m["generate_device"] != 20*time.Millisecond || m["x"] != time.Second {
		t.Errorf("parse = %v, %v", m, err)
	}
	for _, bad := range []string{"generate_device", "=1s", "a=fast"} {
		if _, err := parse(bad); err == nil {
			t.Errorf("parse(%q): no error", bad)
		}
	}
}
