package service

import (
	"strconv"
	"strings"
	"testing"
)

// The device-add timestamp is a u64 of milliseconds (spec §6.1 #3); a JSON string of digits
// is refused even when the Schnorr signature covers the same digits.
func TestDeviceAddTimestampMustBeANumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	u := e.createUser("hal")
	now := e.clock.Now()
	jwt := e.jwt("hal")
	ms := strconv.FormatInt(now.UnixMilli(), 10)
	body := string(e.deviceAddBody(u, jwt, now))
	if !strings.Contains(body, `"timestamp":`+ms) {
		t.Fatalf("test body has no timestamp %s: %s", ms, body)
	}
	body = strings.Replace(body, `"timestamp":`+ms, `"timestamp":"`+ms+`"`, 1)
	status, b := e.withJWT(jwt, "POST", "users/devices", []byte(body))
	if status != 400 {
		t.Fatalf("timestamp as a string: %d %s, want 400", status, b)
	}
	if errs := errorBody(t, b); !strings.Contains(errs[0].Message, "timestamp") {
		t.Errorf("message %q, want it to name timestamp", errs[0].Message)
	}
	if n := e.s.store.nDevices.Load(); n != 0 {
		t.Errorf("%d devices after the refused add", n)
	}
}
