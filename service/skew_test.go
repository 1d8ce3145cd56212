package service

import (
	"strings"
	"testing"
	"time"
)

// TestFutureSkew: a JWT iat, a request timestamp or a device-add timestamp may be ahead of the
// server's clock by FutureSkew only (default 30 s), not by the whole past window: a credential
// dated ahead lasts that much longer.
func TestFutureSkew(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	u := e.newUser("skewy")
	now := e.clock.Now()
	p := e.s.Project()
	jwtAt := func(sub string, iat time.Time) string {
		return signJWT(t, p.Key, claims{"sub": sub, "iat": iat.Unix(), "exp": iat.Unix() + 120, "pid": p.ID, "sid": p.Segment, "kid": p.KeyID})
	}
	ahead := DefaultFutureSkew + 30*time.Second // still inside the 5 min past window
	for _, tt := range []struct {
		name   string
		send   func() (int, []byte)
		status int
	}{
		{"JWT iat within the future skew", func() (int, []byte) {
			return e.withJWT(jwtAt("skewy", now.Add(DefaultFutureSkew-5*time.Second)), "GET", "users/verify", nil)
		}, 200},
		{"JWT iat beyond the future skew", func() (int, []byte) {
			return e.withJWT(jwtAt("skewy", now.Add(ahead)), "GET", "users/verify", nil)
		}, 401},
		{"v2 timestamp within the future skew", func() (int, []byte) {
			return e.do("GET", "users/current", nil, e.v2Headers(u, "GET", "/api/1/users/current", nil, now.Add(DefaultFutureSkew-time.Second)))
		}, 200},
		{"v2 timestamp beyond the future skew", func() (int, []byte) {
			return e.do("GET", "users/current", nil, e.v2Headers(u, "GET", "/api/1/users/current", nil, now.Add(ahead)))
		}, 401},
		{"v1 timestamp beyond the future skew", func() (int, []byte) {
			return e.do("GET", "users/current", nil, e.v1Headers(u, now.Add(ahead)))
		}, 401},
		{"v2 timestamp 4 min behind (the past window is unchanged)", func() (int, []byte) {
			return e.do("GET", "users/current", nil, e.v2Headers(u, "GET", "/api/1/users/current", nil, now.Add(-4*time.Minute)))
		}, 200},
		{"device-add timestamp beyond the future skew", func() (int, []byte) {
			jwt := e.jwt("skewy")
			scratch := *u
			return e.withJWT(jwt, "POST", "users/devices", e.deviceAddBody(&scratch, jwt, now.Add(ahead)))
		}, 401},
	} {
		status, b := tt.send()
		if status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, status, b, tt.status)
		}
		if status == 401 && !strings.Contains(string(b), "ahead") && !strings.Contains(string(b), "future") {
			t.Errorf("%s: %s, want the message to say the time is ahead", tt.name, b)
		}
	}
	if _, err := New(Config{FutureSkew: -time.Second}); err == nil {
		t.Error("New accepted a negative FutureSkew")
	}
}

// TestReplayWindow: with the replay cache on, a device-signed request that changes state is
// refused when sent again, or when dated before the window; reads are not affected. Off (the
// default), a replay goes through.
func TestReplayWindow(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{false, true} {
		cfg := Config{}
		if on {
			cfg.ReplayWindow = time.Minute
		}
		e := newEnv(t, cfg)
		u := e.newUser("replayer")
		e.createDocument(u, "rd1")
		rename := []byte(`{"name":"again"}`)
		hdr := e.v2Headers(u, "PUT", "/api/1/documents/rd1", rename, e.clock.Now())
		first, b := e.do("PUT", "documents/rd1", rename, hdr.Clone())
		if first != 200 {
			t.Fatalf("replay cache %v: first PUT: %d %s", on, first, b)
		}
		second, b := e.do("PUT", "documents/rd1", rename, hdr.Clone())
		if want := map[bool]int{false: 200, true: 401}[on]; second != want {
			t.Errorf("replay cache %v: the same PUT again: %d %s, want %d", on, second, b, want)
		} else if on && !strings.Contains(string(b), "replayed") {
			t.Errorf("replayed PUT: %s, want the message to say so", b)
		}
		// version 1 signs neither method, path nor body: a different request under the same
		// signature is not a replay, the same one is.
		v1 := e.v1Headers(u, e.clock.Now())
		if status, b := e.do("PUT", "documents/rd1", []byte(`{"name":"v1"}`), v1.Clone()); status != 200 {
			t.Errorf("replay cache %v: v1 PUT: %d %s", on, status, b)
		}
		if status, b := e.do("PUT", "documents/rd1", []byte(`{"name":"v1 other"}`), v1.Clone()); status != 200 {
			t.Errorf("replay cache %v: another v1 PUT under the same signature: %d %s", on, status, b)
		}
		if status, _ := e.do("PUT", "documents/rd1", []byte(`{"name":"v1"}`), v1.Clone()); status != map[bool]int{false: 200, true: 401}[on] {
			t.Errorf("replay cache %v: the same v1 PUT again: %d", on, status)
		}
		get := e.v2Headers(u, "GET", "/api/1/documents/rd1", nil, e.clock.Now())
		for i := range 2 {
			if status, b := e.do("GET", "documents/rd1", nil, get.Clone()); status != 200 {
				t.Errorf("replay cache %v: GET #%d: %d %s, want 200 (reads are not replay-checked)", on, i+1, status, b)
			}
		}
		old := e.clock.Now().Add(-2 * time.Minute) // inside ClockSkew, outside the window
		status, b := e.do("PUT", "documents/rd1", []byte(`{"name":"old"}`), e.v2Headers(u, "PUT", "/api/1/documents/rd1", []byte(`{"name":"old"}`), old))
		if want := map[bool]int{false: 200, true: 401}[on]; status != want {
			t.Errorf("replay cache %v: a PUT dated 2 min ago: %d %s, want %d", on, status, b, want)
		}
		// Once its timestamp has left the window, the request is refused for its age, and its
		// entry may go.
		e.clock.Set(e.clock.Now().Add(2 * time.Minute))
		if status, _ := e.do("PUT", "documents/rd1", rename, hdr.Clone()); on && status != 401 {
			t.Errorf("the first PUT replayed after the window: %d, want 401", status)
		}
	}
}

func TestReplayCacheSweeps(t *testing.T) {
	c := newReplayCache(time.Minute)
	t0 := time.Unix(1_000_000, 0)
	for i := range 1000 {
		c.add([32]byte{byte(i), byte(i >> 8)}, t0, t0)
	}
	later := t0.Add(2 * time.Minute)
	for i := range shardCount {
		c.add([32]byte{byte(i), 0xff, 0xff}, later, later)
	}
	n := 0
	for i := range c.shards {
		n += len(c.shards[i].seen)
	}
	if n != shardCount {
		t.Errorf("%d entries after every shard swept, want %d (only the new ones)", n, shardCount)
	}
	if c.add([32]byte{0, 0xff, 0xff}, later, later) {
		t.Error("a key added twice within the window was new the second time")
	}
}
