package sdk

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// ironoxide's validate_name (src/internal.rs) trims and then bounds the
// name's length with str::len, which counts UTF-8 bytes, not characters.
func TestValidateNameCountsBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{strings.Repeat("a", 100), strings.Repeat("a", 100), true},
		{strings.Repeat("a", 101), "", false},
		{strings.Repeat("é", 50), strings.Repeat("é", 50), true}, // 100 bytes
		{strings.Repeat("é", 51), "", false},                     // 51 characters, 102 bytes
		{"  padded  ", "padded", true},
		{"   ", "", false},
	}
	for _, tt := range tests {
		got, err := validateName("document", tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("validateName(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// GenerateDevice validates and trims the device name as ironoxide's
// DeviceName does (validate_name), before any request.
func TestGenerateDeviceName(t *testing.T) {
	t.Parallel()
	iss := testIssuer(t, "iak-es256.pem")
	svc := newMiniService(t, iss)
	var mu sync.Mutex
	var names []*string
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users/devices") {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			var req struct {
				Device struct {
					Name *string `json:"name"`
				} `json:"device"`
			}
			if err := json.Unmarshal(b, &req); err != nil {
				t.Errorf("device add body: %v", err)
			}
			names = append(names, req.Device.Name)
		}
		mu.Unlock()
		svc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL + "/api/1/"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	if _, err := c.UserCreate(ctx, iss, "dana", "pw", UserCreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	before := requests
	mu.Unlock()
	for _, bad := range []string{"   ", strings.Repeat("é", 51), strings.Repeat("x", 101)} {
		if _, err := c.GenerateDevice(ctx, iss, "dana", "pw", DeviceOptions{Name: bad}); err == nil {
			t.Errorf("GenerateDevice(name %q) succeeded; ironoxide refuses the name", bad)
		}
	}
	mu.Lock()
	if requests != before {
		t.Errorf("invalid device names sent %d requests; want none", requests-before)
	}
	names = nil
	mu.Unlock()
	if _, err := c.GenerateDevice(ctx, iss, "dana", "pw", DeviceOptions{Name: "  laptop  "}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(names) != 1 || names[0] == nil || *names[0] != "laptop" {
		t.Errorf("device add name = %v, want \"laptop\" (trimmed)", names)
	}
}

// ironoxide's group_create neither reads nor fills the public-key cache (its caches are
// filled only by get_keys_with_cache), so encrypting to a group just created still looks the
// group's key up (GET groups?id=…).
func TestGroupCreateDoesNotCacheTheGroupKey(t *testing.T) {
	t.Parallel()
	iss := testIssuer(t, "iak-es256.pem")
	svc := newMiniService(t, iss)
	var mu sync.Mutex
	lookups := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/groups") && r.URL.Query().Has("id") {
			mu.Lock()
			lookups++
			mu.Unlock()
		}
		svc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL + "/api/1/"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	if _, err := c.UserCreate(ctx, iss, "erin", "pw", UserCreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dc, err := c.GenerateDevice(ctx, iss, "erin", "pw", DeviceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Initialize(ctx, dc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g, err := s.GroupCreate(ctx, GroupCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := s.DocumentEncrypt(ctx, []byte("x"), EncryptOptions{Groups: []string{g.ID}}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		n := lookups
		mu.Unlock()
		if n != 1 {
			t.Errorf("after encrypt %d to the new group: %d group key lookups, want 1 (the first encrypt looks up, the second uses the cache)", i+1, n)
		}
	}
}
