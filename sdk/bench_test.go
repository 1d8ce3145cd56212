package sdk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// replay answers every request with the body the mini service gave the
// same method and URI during setup, so a benchmark measures the SDK's
// client-side cost (crypto, encoding, signing, loopback HTTP) and none of
// the service's.
type replay struct {
	mu     sync.Mutex
	bodies map[string][]byte
}

func (r *replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	b, ok := r.bodies[req.Method+" "+req.RequestURI]
	r.mu.Unlock()
	if !ok {
		w.WriteHeader(404)
		return
	}
	w.Write(b)
}

type benchFixture struct {
	iss        *Issuer
	client     *Client
	alice, bob *SDK
	groupID    string
	doc        *EncryptResult
}

// setupBench runs each operation once against the mini service (real
// crypto), then points a new client at a replay of its responses.
func setupBench(b *testing.B) *benchFixture {
	b.Helper()
	ctx := context.Background()
	iss := testIssuer(b, "iak-es256.pem")
	svc := newMiniService(b, iss)
	live := httptest.NewServer(svc)
	defer live.Close()
	lc, err := New(Config{BaseURL: live.URL + "/api/1/"})
	if err != nil {
		b.Fatal(err)
	}
	defer lc.Close()
	mk := func(id string) DeviceContext {
		if _, err := lc.UserCreate(ctx, iss, id, "pw", UserCreateOptions{}); err != nil {
			b.Fatal(err)
		}
		dc, err := lc.GenerateDevice(ctx, iss, id, "pw", DeviceOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return dc
	}
	adc, bdc := mk("alice"), mk("bob")
	alice, err := lc.Initialize(ctx, adc)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := lc.UserVerify(ctx, iss, "alice"); err != nil {
		b.Fatal(err)
	}
	g, err := alice.GroupCreate(ctx, GroupCreateOptions{ID: "bench-group"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := alice.GroupAddMembers(ctx, g.ID, []string{"bob"}); err != nil {
		b.Fatal(err)
	}
	doc, err := alice.DocumentEncrypt(ctx, make([]byte, 4096), EncryptOptions{ID: "bench-doc", Users: []string{"bob"}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := alice.DocumentDecrypt(ctx, doc.Encrypted); err != nil {
		b.Fatal(err)
	}
	if _, err := alice.DocumentGrantAccess(ctx, doc.ID, []string{"bob"}, nil); err != nil {
		b.Fatal(err)
	}
	svc.mu.Lock()
	svc.record["GET /api/1/users/alice/devices"] = []byte(`{"result":[{"id":1,"name":null,"created":"2020-06-11T18:55:40Z","updated":"2020-06-11T18:55:40Z","isCurrentDevice":true}]}`)
	svc.record["DELETE /api/1/users/alice/devices/7"] = []byte(`{"id":7}`)
	svc.record["GET /api/1/documents"] = []byte(`{"result":[{"id":"bench-doc","name":null,"association":{"type":"owner"},"created":"2020-06-11T18:55:40Z","updated":"2020-06-11T18:55:40Z"}]}`)
	svc.record["GET /api/1/groups"] = []byte(`{"result":[]}`)
	svc.record["DELETE /api/1/groups/bench-group"] = []byte(`{"id":"bench-group"}`)
	svc.record["POST /api/1/groups/bench-group/admins"] = []byte(`{"succeededIds":[{"userId":"bob"}],"failedIds":[]}`)
	svc.record["DELETE /api/1/documents/bench-doc/access"] = []byte(`{"succeededIds":[{"userOrGroup":{"type":"user","id":"bob"}}],"failedIds":[]}`)
	rp := &replay{bodies: svc.record}
	svc.mu.Unlock()
	srv := httptest.NewServer(rp)
	b.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL + "/api/1/", Connections: Shared})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	ra, err := c.Initialize(ctx, adc)
	if err != nil {
		b.Fatal(err)
	}
	rb, err := c.Initialize(ctx, bdc)
	if err != nil {
		b.Fatal(err)
	}
	_ = rb
	return &benchFixture{iss: iss, client: c, alice: ra, bob: rb, groupID: g.ID, doc: doc}
}

// BenchmarkOps measures each operation's client-side cost with the real
// crypto against canned loopback responses.
func BenchmarkOps(b *testing.B) {
	f := setupBench(b)
	ctx := context.Background()
	adc := f.alice.Device()
	ops := []struct {
		name string
		run  func() error
	}{
		{"user_create", func() error {
			_, err := f.client.UserCreate(ctx, f.iss, "alice", "pw", UserCreateOptions{})
			return err
		}},
		{"user_verify", func() error { _, err := f.client.UserVerify(ctx, f.iss, "alice"); return err }},
		{"generate_device", func() error {
			_, err := f.client.GenerateDevice(ctx, f.iss, "alice", "pw", DeviceOptions{})
			return err
		}},
		{"initialize", func() error { _, err := f.client.Initialize(ctx, adc); return err }},
		{"device_list", func() error { _, err := f.alice.DeviceList(ctx); return err }},
		{"device_delete", func() error { _, err := f.alice.DeviceDelete(ctx, 7); return err }},
		{"group_create", func() error {
			_, err := f.alice.GroupCreate(ctx, GroupCreateOptions{ID: "bench-group"})
			return err
		}},
		{"group_get", func() error { _, err := f.alice.GroupGet(ctx, f.groupID); return err }},
		{"group_list", func() error { _, err := f.alice.GroupList(ctx); return err }},
		{"group_delete", func() error { _, err := f.alice.GroupDelete(ctx, f.groupID); return err }},
		{"group_add_members", func() error {
			_, err := f.alice.GroupAddMembers(ctx, f.groupID, []string{"bob"})
			return err
		}},
		{"group_add_admins", func() error {
			_, err := f.alice.GroupAddAdmins(ctx, f.groupID, []string{"bob"})
			return err
		}},
		{"document_encrypt_4KiB", func() error {
			_, err := f.alice.DocumentEncrypt(ctx, make([]byte, 4096), EncryptOptions{ID: "bench-doc", Users: []string{"bob"}})
			return err
		}},
		{"document_decrypt_4KiB", func() error { _, err := f.alice.DocumentDecrypt(ctx, f.doc.Encrypted); return err }},
		{"document_list", func() error { _, err := f.alice.DocumentList(ctx); return err }},
		{"document_update_4KiB", func() error {
			_, err := f.alice.DocumentUpdate(ctx, f.doc.ID, make([]byte, 4096))
			return err
		}},
		{"document_grant", func() error {
			_, err := f.alice.DocumentGrantAccess(ctx, f.doc.ID, []string{"bob"}, nil)
			return err
		}},
		{"document_revoke", func() error {
			_, err := f.alice.DocumentRevokeAccess(ctx, f.doc.ID, []string{"bob"}, nil)
			return err
		}},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := op.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSignV2 is the per-request cost of device signing (two Ed25519
// signatures).
func BenchmarkSignV2(b *testing.B) {
	key := vectorKey(b)
	body := []byte(vecBody)
	b.ReportAllocs()
	for b.Loop() {
		signV2(key, 123456, 1, "user-10", "GET", "/api/1/users?id=user-10", body)
	}
}
