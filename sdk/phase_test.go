package sdk

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/internal/testhook"
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
				ctx = testhook.WithDelay(ctx, "generate_device", delay)
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

// TestDocumentEncryptPhases checks the phases of a device-signed operation
// whose key lookups run at the same time as the AES encryption.
func TestDocumentEncryptPhases(t *testing.T) {
	t.Parallel()
	srv, done := goldenServer(t, "document_encrypt")
	defer done()
	c := goldenClient(t, srv.URL, "golden/document_encrypt")
	s, err := c.Initialize(context.Background(), goldenDevice())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var log phaseLog
	ctx := WithPhaseHook(context.Background(), log.hook)
	var statuses []int
	var smu sync.Mutex
	ctx = WithStatusHook(ctx, func(call string, st int) { smu.Lock(); statuses = append(statuses, st); smu.Unlock() })
	if _, err := s.DocumentEncrypt(ctx, []byte("golden plaintext: hello, IronCore"),
		EncryptOptions{Name: "golden doc", Users: []string{goldenBob}, Groups: []string{"group-2"}}); err != nil {
		t.Fatal(err)
	}
	var top []string
	for _, n := range log.names() {
		if !strings.Contains(n, "/") {
			top = append(top, n)
		}
	}
	slices.Sort(top)
	want := []string{"crypto:aes", "crypto:dek", "crypto:encrypt", "crypto:request_sig", "crypto:request_sig", "crypto:request_sig",
		"http:document_create", "http:group_key_list", "http:user_key_list"}
	if !slices.Equal(top, want) {
		t.Errorf("phases\n got %v\nwant %v", top, want)
	}
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{200, 200, 201}) {
		t.Errorf("statuses %v", statuses)
	}
}

// TestNewOpPhases checks the top-level phases of the operations of issue
// 14, in the order they happen (sorted where calls run at the same time).
func TestNewOpPhases(t *testing.T) {
	t.Parallel()
	iss := testIssuer(t, "iak-rs256.pem")
	edeks := func(t *testing.T) []byte { return mustHex(t, readGoldenOut(t, "unmanaged.edeks")) }
	tests := []struct {
		golden string
		sorted bool // phases of concurrent calls: compare as a set
		run    func(t *testing.T, ctx context.Context, c *Client, s *SDK) error
		want   []string
	}{
		{"user_update_status", false, func(t *testing.T, ctx context.Context, c *Client, _ *SDK) error {
			_, err := c.UserUpdateStatus(ctx, iss, goldenUser, UserStatusDisabled)
			return err
		}, []string{"crypto:jwt", "http:user_update_status"}},
		{"user_change_password", false, func(t *testing.T, ctx context.Context, _ *Client, s *SDK) error {
			_, err := s.UserChangePassword(ctx, goldenPass, "new "+goldenPass)
			return err
		}, []string{"http:user_get_current", "crypto:pbkdf2", "crypto:aes", "crypto:pbkdf2", "crypto:aes", "http:user_update"}},
		{"user_rotate_private_key", false, func(t *testing.T, ctx context.Context, _ *Client, s *SDK) error {
			_, err := s.UserRotatePrivateKey(ctx, goldenPass)
			return err
		}, []string{"http:user_get_current", "crypto:pbkdf2", "crypto:aes", "crypto:augment", "crypto:pbkdf2", "crypto:aes", "http:user_key_update"}},
		{"group_rotate_private_key", false, func(t *testing.T, ctx context.Context, _ *Client, s *SDK) error {
			_, err := s.GroupRotatePrivateKey(ctx, goldenGroup)
			return err
		}, []string{"http:group_get", "http:user_key_list", "crypto:decrypt", "crypto:augment", "crypto:encrypt", "http:group_key_update"}},
		{"group_remove_admins", false, func(t *testing.T, ctx context.Context, _ *Client, s *SDK) error {
			_, err := s.GroupRemoveAdmins(ctx, goldenGroup, []string{goldenBob, goldenCarol})
			return err
		}, []string{"http:group_remove_admins"}},
		{"document_decrypt_unmanaged", false, func(t *testing.T, ctx context.Context, _ *Client, s *SDK) error {
			_, err := s.DocumentDecryptUnmanaged(ctx, mustHex(t, readGoldenOut(t, "document_decrypt_unmanaged.in")), edeks(t))
			return err
		}, []string{"http:edek_transform", "crypto:decrypt", "crypto:aes"}},
		{"document_grant_unmanaged", true, func(t *testing.T, ctx context.Context, _ *Client, s *SDK) error {
			_, err := s.DocumentGrantAccessUnmanaged(ctx, edeks(t), []string{goldenBob, goldenCarol}, []string{"group-2"})
			return err
		}, []string{"crypto:decrypt", "crypto:encrypt", "http:edek_transform", "http:group_key_list", "http:user_key_list"}},
		{"document_encrypt_unmanaged", true, func(t *testing.T, ctx context.Context, _ *Client, s *SDK) error {
			_, err := s.DocumentEncryptUnmanaged(ctx, []byte("golden unmanaged plaintext"), EncryptOptions{Users: []string{goldenBob}})
			return err
		}, []string{"crypto:aes", "crypto:dek", "crypto:encrypt", "http:user_key_list"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			srv, done := goldenServer(t, tt.golden)
			defer done()
			c := goldenClient(t, srv.URL, "golden/"+tt.golden)
			defer c.Close()
			var s *SDK
			if tt.golden != "user_update_status" {
				var err error
				if s, err = c.Initialize(context.Background(), goldenDevice()); err != nil {
					t.Fatal(err)
				}
				defer s.Close()
			}
			var log phaseLog
			if err := tt.run(t, WithPhaseHook(context.Background(), log.hook), c, s); err != nil {
				t.Fatal(err)
			}
			var top []recordedPhase
			for _, p := range log.ps {
				if !strings.Contains(p.name, "/") && p.name != "crypto:request_sig" {
					top = append(top, p)
				}
			}
			sort.SliceStable(top, func(i, j int) bool { return top[i].start.Before(top[j].start) })
			var got []string
			for _, p := range top {
				got = append(got, p.name)
			}
			if tt.sorted {
				slices.Sort(got)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("phases\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}
