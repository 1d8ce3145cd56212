package sdk

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The golden files under testdata/golden are written by
// testdata/gen_golden.py from the wire spec, never by this package. Each
// holds the exchanges of one operation: the exact request (method, URI,
// the headers the SDK sets, body) and the canned response.

const (
	goldenUser  = "abcABC012_.$#|@/:;=+'-d1226d1b-4c39-49da-933c-642e23ac1945"
	goldenBob   = "bob-4c39-49da"
	goldenCarol = "carol-unknown"
	goldenGroup = "'=#.other|/$non@;safe'-:;id_"
	goldenDoc   = "doc-'=#.other|/$non@;safe'-:;id_"
	goldenSeg   = 1682
	goldenNowMs = 1591901740123
	goldenPass  = "correct horse battery staple"
)

// authHeaders are the headers the SDK sets and the golden files pin.
var authHeaders = []string{"authorization", "content-type", "x-ironcore-request-sig", "x-ironcore-user-context"}

type exchange struct {
	method, uri string
	headers     map[string]string
	body        string
	status      int
	resp        string
}

func readGolden(t testing.TB, name string) []*exchange {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "golden", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*exchange
	var cur *exchange
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	expectResp := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case expectResp:
			cur.resp = line
			expectResp = false
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, ">>> "):
			m, u, _ := strings.Cut(line[4:], " ")
			cur = &exchange{method: m, uri: u, headers: map[string]string{}}
			out = append(out, cur)
		case strings.HasPrefix(line, "body: "):
			cur.body = line[len("body: "):]
		case strings.HasPrefix(line, "bodyhex: "):
			b, err := hex.DecodeString(line[len("bodyhex: "):])
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cur.body = string(b)
		case strings.HasPrefix(line, "<<< "):
			cur.status, err = strconv.Atoi(line[4:])
			if err != nil {
				t.Fatal(err)
			}
			expectResp = true
		default:
			k, v, ok := strings.Cut(line, ": ")
			if !ok || cur == nil {
				t.Fatalf("%s: bad line %q", name, line)
			}
			cur.headers[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func readGoldenOut(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// goldenServer answers each request with the first unused exchange of the
// same method and URI (concurrent calls may arrive in any order) and
// reports every difference from the golden request.
func goldenServer(t *testing.T, name string) (*httptest.Server, func()) {
	t.Helper()
	ex := readGolden(t, name)
	var mu sync.Mutex
	used := make([]bool, len(ex))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		idx := -1
		for i, e := range ex {
			if !used[i] && e.method == r.Method && e.uri == r.RequestURI {
				idx = i
				used[i] = true
				break
			}
		}
		mu.Unlock()
		if idx < 0 {
			t.Errorf("%s: unexpected request %s %s", name, r.Method, r.RequestURI)
			w.WriteHeader(599)
			return
		}
		e := ex[idx]
		for _, h := range authHeaders {
			got := r.Header.Values(h)
			want, ok := e.headers[h]
			switch {
			case !ok && len(got) > 0:
				t.Errorf("%s: %s %s: unexpected header %s: %q", name, r.Method, r.RequestURI, h, got)
			case ok && (len(got) != 1 || got[0] != want):
				t.Errorf("%s: %s %s: header %s\n got %q\nwant %q", name, r.Method, r.RequestURI, h, got, want)
			}
		}
		if string(body) != e.body {
			t.Errorf("%s: %s %s: body\n got %s\nwant %s", name, r.Method, r.RequestURI, body, e.body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.status)
		io.WriteString(w, e.resp)
	}))
	done := func() {
		srv.Close()
		for i, e := range ex {
			if !used[i] {
				t.Errorf("%s: request never sent: %s %s", name, e.method, e.uri)
			}
		}
	}
	return srv, done
}

func goldenClient(t testing.TB, baseURL, seed string) *Client {
	t.Helper()
	c, err := newClient(Config{
		BaseURL: baseURL + "/api/1/",
		Rand:    newDetReader(seed),
		Now:     func() time.Time { return time.UnixMilli(goldenNowMs) },
	}, fakeRecrypt{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testIssuer(t testing.TB, pemFile string) *Issuer {
	t.Helper()
	cfg, err := os.ReadFile("testdata/ironcore-config.json")
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join("testdata", pemFile))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := NewIssuer(cfg, key)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

func goldenDevice() DeviceContext {
	dp := sha256.Sum256([]byte("device-private"))
	return DeviceContext{AccountID: goldenUser, SegmentID: goldenSeg, SigningPrivateKey: vectorKeyBytes(), DevicePrivateKey: dp[:]}
}

func vectorKeyBytes() []byte {
	k, _ := base64Std(vecKeyPair)
	return k
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGolden(t *testing.T) {
	t.Parallel()
	iss := testIssuer(t, "iak-rs256.pem")
	tests := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, c *Client, s func() *SDK)
	}{
		{"user_create", func(t *testing.T, ctx context.Context, c *Client, _ func() *SDK) {
			r, err := c.UserCreate(ctx, iss, goldenUser, goldenPass, UserCreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r.ID != goldenUser || r.SegmentID != goldenSeg || r.Status != 1 {
				t.Errorf("result = %+v", r)
			}
		}},
		{"user_verify", func(t *testing.T, ctx context.Context, c *Client, _ func() *SDK) {
			r, err := c.UserVerify(ctx, iss, goldenUser)
			if err != nil || r == nil || r.ID != goldenUser {
				t.Fatalf("UserVerify = %+v, %v", r, err)
			}
		}},
		{"generate_device", func(t *testing.T, ctx context.Context, c *Client, _ func() *SDK) {
			dc, err := c.GenerateDevice(ctx, iss, goldenUser, goldenPass, DeviceOptions{Name: "golden device"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(dc)
			if err != nil {
				t.Fatal(err)
			}
			if want := readGoldenOut(t, "generate_device.out"); string(got) != want {
				t.Errorf("device context\n got %s\nwant %s", got, want)
			}
		}},
		{"initialize", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			sdk := s()
			if sdk.UserID() != goldenUser || len(sdk.PublicKey().X) != 32 {
				t.Errorf("SDK user %q key %v", sdk.UserID(), sdk.PublicKey())
			}
		}},
		{"device_list", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			ds, err := s().DeviceList(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 2 || ds[0].ID != 42 || !ds[0].IsCurrent || ds[0].Name != "golden device" || ds[1].ID != 43 {
				t.Errorf("devices = %+v (want sorted by id)", ds)
			}
		}},
		{"device_delete", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			id, err := s().DeviceDelete(ctx, 42)
			if err != nil || id != 42 {
				t.Fatalf("DeviceDelete = %d, %v", id, err)
			}
		}},
		{"group_create", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			g, err := s().GroupCreate(ctx, GroupCreateOptions{ID: goldenGroup, Name: "golden group", Members: []string{goldenBob}})
			if err != nil {
				t.Fatal(err)
			}
			if g.ID != goldenGroup || !g.IsAdmin() || !slices.Equal(g.MemberIDs, []string{goldenUser, goldenBob}) {
				t.Errorf("group = %+v", g)
			}
		}},
		{"group_get", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			g, err := s().GroupGet(ctx, goldenGroup)
			if err != nil || g.ID != goldenGroup || g.Name != "golden group" {
				t.Fatalf("GroupGet = %+v, %v", g, err)
			}
		}},
		{"group_delete", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			id, err := s().GroupDelete(ctx, goldenGroup)
			if err != nil || id != goldenGroup {
				t.Fatalf("GroupDelete = %q, %v", id, err)
			}
		}},
		{"group_list", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			gs, err := s().GroupList(ctx)
			if err != nil || len(gs) != 2 || gs[1].IsAdmin() || gs[1].Name != "" {
				t.Fatalf("GroupList = %+v, %v", gs, err)
			}
		}},
		{"group_add_members", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().GroupAddMembers(ctx, goldenGroup, []string{goldenBob, goldenCarol})
			if err != nil {
				t.Fatal(err)
			}
			checkGroupAccess(t, r)
		}},
		{"group_add_admins", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().GroupAddAdmins(ctx, goldenGroup, []string{goldenBob, goldenCarol})
			if err != nil {
				t.Fatal(err)
			}
			checkGroupAccess(t, r)
		}},
		{"document_encrypt", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().DocumentEncrypt(ctx, []byte("golden plaintext: hello, IronCore"),
				EncryptOptions{Name: "golden doc", Users: []string{goldenBob}, Groups: []string{"group-2"}})
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(t, readGoldenOut(t, "document_encrypt.out")); !bytes.Equal(r.Encrypted, want) {
				t.Errorf("document\n got %x\nwant %x", r.Encrypted, want)
			}
			if len(r.Grants) != 3 || len(r.Failed) != 0 {
				t.Errorf("grants %v failed %v", r.Grants, r.Failed)
			}
		}},
		{"document_decrypt", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().DocumentDecrypt(ctx, mustHex(t, readGoldenOut(t, "document_decrypt.in")))
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(t, readGoldenOut(t, "document_decrypt.out")); !bytes.Equal(r.Plaintext, want) || r.ID != goldenDoc {
				t.Errorf("decrypt = %q (id %q), want %q", r.Plaintext, r.ID, want)
			}
		}},
		{"document_update", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().DocumentUpdate(ctx, goldenDoc, []byte("updated golden bytes"))
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(t, readGoldenOut(t, "document_update.out")); !bytes.Equal(r.Encrypted, want) {
				t.Errorf("document\n got %x\nwant %x", r.Encrypted, want)
			}
		}},
		{"document_update_name", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().DocumentUpdateName(ctx, goldenDoc, "new name")
			if err != nil || r.Name != "new name" {
				t.Fatalf("DocumentUpdateName = %+v, %v", r, err)
			}
		}},
		{"document_list", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			ds, err := s().DocumentList(ctx)
			if err != nil || len(ds) != 2 || ds[0].ID != goldenDoc || ds[1].Association != "fromGroup" {
				t.Fatalf("DocumentList = %+v, %v", ds, err)
			}
		}},
		{"document_grant", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().DocumentGrantAccess(ctx, goldenDoc, []string{goldenBob, goldenCarol}, []string{"group-2"})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Succeeded) != 2 || len(r.Failed) != 1 || r.Failed[0].ID != goldenCarol {
				t.Errorf("grant = %+v", r)
			}
		}},
		{"document_revoke", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().DocumentRevokeAccess(ctx, goldenDoc, []string{goldenBob}, []string{"group-2"})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Succeeded) != 1 || len(r.Failed) != 1 || r.Failed[0].Reason != "not shared" {
				t.Errorf("revoke = %+v", r)
			}
		}},
		{"user_update_status", func(t *testing.T, ctx context.Context, c *Client, _ func() *SDK) {
			r, err := c.UserUpdateStatus(ctx, iss, goldenUser, UserStatusDisabled)
			if err != nil || r.Status != UserStatusDisabled || r.ID != goldenUser {
				t.Fatalf("UserUpdateStatus = %+v, %v", r, err)
			}
		}},
		{"user_get_public_key", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			keys, err := s().UserGetPublicKey(ctx, []string{goldenBob, goldenCarol})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := keys[goldenBob]; !ok || len(keys) != 1 {
				t.Errorf("keys = %v, want bob's alone", keys)
			}
		}},
		{"user_change_password", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().UserChangePassword(ctx, goldenPass, "new "+goldenPass)
			if err != nil || r.ID != goldenUser {
				t.Fatalf("UserChangePassword = %+v, %v", r, err)
			}
		}},
		{"user_disable_self", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().UserDisableSelf(ctx)
			if err != nil || r.Status != UserStatusDisabled {
				t.Fatalf("UserDisableSelf = %+v, %v", r, err)
			}
		}},
		{"user_rotate_private_key", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().UserRotatePrivateKey(ctx, goldenPass)
			if err != nil {
				t.Fatal(err)
			}
			if r.CurrentKeyID != 8 || r.NeedsRotation {
				t.Errorf("result = key %d, needs rotation %v", r.CurrentKeyID, r.NeedsRotation)
			}
			// The new escrow holds old − aug under the same password.
			priv, err := unlockMasterKey(ctx, "test", goldenPass, r.EncryptedPrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := base64Std(readGoldenOut(t, "user_rotate_private_key.out"))
			if !bytes.Equal(priv, want) {
				t.Errorf("rotated private key differs from the golden one")
			}
		}},
		{"initialize_check_rotation", func(t *testing.T, ctx context.Context, c *Client, _ func() *SDK) {
			s, rc, err := c.InitializeCheckRotation(ctx, goldenDevice())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if rc.UserID != goldenUser || !slices.Equal(rc.Groups, []string{goldenGroup}) || !rc.Needed() {
				t.Errorf("rotation check = %+v, want the user and %q", rc, goldenGroup)
			}
		}},
		{"group_update_name", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			g, err := s().GroupUpdateName(ctx, goldenGroup, " new group name ")
			if err != nil || g.Name != "new group name" {
				t.Fatalf("GroupUpdateName = %+v, %v", g, err)
			}
		}},
		{"group_remove_members", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().GroupRemoveMembers(ctx, goldenGroup, []string{goldenBob, goldenCarol})
			if err != nil {
				t.Fatal(err)
			}
			checkGroupAccess(t, r)
		}},
		{"group_remove_admins", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().GroupRemoveAdmins(ctx, goldenGroup, []string{goldenBob, goldenCarol})
			if err != nil {
				t.Fatal(err)
			}
			checkGroupAccess(t, r)
		}},
		{"group_rotate_private_key", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().GroupRotatePrivateKey(ctx, goldenGroup)
			if err != nil || r.ID != goldenGroup || r.CurrentKeyID != 4 || r.NeedsRotation {
				t.Fatalf("GroupRotatePrivateKey = %+v, %v", r, err)
			}
		}},
		{"group_create_owner", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			g, err := s().GroupCreate(ctx, GroupCreateOptions{ID: goldenGroup, Owner: goldenBob, NotMember: true, NeedsRotation: true})
			if err != nil {
				t.Fatal(err)
			}
			if g.Owner != goldenBob || len(g.MemberIDs) != 0 || g.MemberIDs == nil || !g.NeedsRotation {
				t.Errorf("group = %+v", g)
			}
		}},
		{"document_get_metadata", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			m, err := s().DocumentGetMetadata(ctx, goldenDoc)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != goldenDoc || m.Association != "owner" || !slices.Equal(m.VisibleUsers, []string{goldenUser}) ||
				!slices.Equal(m.VisibleGroups, []GroupRef{{ID: "group-2"}}) {
				t.Errorf("metadata = %+v", m)
			}
		}},
		{"document_encrypt_policy", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			sdk := s()
			for i := range 2 {
				r, err := sdk.DocumentEncrypt(ctx, []byte("policy"), EncryptOptions{Policy: &PolicyGrant{Category: "PII", Sensitivity: " INTERNAL", SubstituteUser: goldenBob}})
				if err != nil {
					t.Fatalf("encrypt %d: %v", i, err)
				}
				if len(r.Grants) != 3 || len(r.Failed) != 0 {
					t.Errorf("encrypt %d: grants %v failed %v", i, r.Grants, r.Failed)
				}
			}
			if n := sdk.ClearPolicyCache(); n != 1 {
				t.Errorf("ClearPolicyCache = %d, want 1", n)
			}
		}},
		{"document_encrypt_unmanaged", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().DocumentEncryptUnmanaged(ctx, []byte("golden unmanaged plaintext"), EncryptOptions{Users: []string{goldenBob}})
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(t, readGoldenOut(t, "document_encrypt_unmanaged.out")); !bytes.Equal(r.Encrypted, want) {
				t.Errorf("document\n got %x\nwant %x", r.Encrypted, want)
			}
			if want := mustHex(t, readGoldenOut(t, "document_encrypt_unmanaged.edeks")); !bytes.Equal(r.EncryptedDeks, want) {
				t.Errorf("edeks\n got %x\nwant %x", r.EncryptedDeks, want)
			}
		}},
		{"document_decrypt_unmanaged", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().DocumentDecryptUnmanaged(ctx, mustHex(t, readGoldenOut(t, "document_decrypt_unmanaged.in")), mustHex(t, readGoldenOut(t, "unmanaged.edeks")))
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(t, readGoldenOut(t, "document_decrypt_unmanaged.out")); !bytes.Equal(r.Plaintext, want) || r.ID != goldenDoc || r.AccessVia != User(goldenUser) {
				t.Errorf("decrypt = %q (id %q via %v), want %q", r.Plaintext, r.ID, r.AccessVia, want)
			}
		}},
		{"document_grant_unmanaged", func(t *testing.T, ctx context.Context, c *Client, s func() *SDK) {
			r, err := s().DocumentGrantAccessUnmanaged(ctx, mustHex(t, readGoldenOut(t, "unmanaged.edeks")), []string{goldenBob, goldenCarol}, []string{"group-2"})
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(t, readGoldenOut(t, "document_grant_unmanaged.out")); !bytes.Equal(r.EncryptedDeks, want) {
				t.Errorf("edeks\n got %x\nwant %x", r.EncryptedDeks, want)
			}
			if len(r.Succeeded) != 2 || len(r.Failed) != 1 || r.Failed[0].ID != goldenCarol {
				t.Errorf("grant = %+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, done := goldenServer(t, tt.name)
			defer done()
			c := goldenClient(t, srv.URL, "golden/"+tt.name)
			defer c.Close()
			ctx := context.Background()
			init := func() *SDK {
				s, err := c.Initialize(ctx, goldenDevice())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(s.Close)
				return s
			}
			tt.run(t, ctx, c, init)
		})
	}
}

func checkGroupAccess(t *testing.T, r *GroupAccessResult) {
	t.Helper()
	if !slices.Equal(r.Succeeded, []string{goldenBob}) || len(r.Failed) != 1 || r.Failed[0].ID != goldenCarol {
		t.Errorf("result = %+v, want bob added and carol failed", r)
	}
}
