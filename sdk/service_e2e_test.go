package sdk_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	ro "github.com/ironcorelabs/loadgen/internal/recryptoracle"
	"github.com/ironcorelabs/loadgen/sdk"
	"github.com/ironcorelabs/loadgen/service"
)

// The operations of issue 14 end to end: the SDK against the reference
// service (service/) on 127.0.0.1, through a proxy that keeps the last
// response of each call, so the recrypt oracle (the real recrypt-rs) can
// judge the EDEKs the service hands out after key rotation and for
// unmanaged documents. Without the oracle those checks skip loudly (fail
// under RECRYPT_ORACLE_REQUIRED=1); the rest runs regardless.

func TestMain(m *testing.M) {
	code := m.Run()
	ro.Shutdown()
	os.Exit(code)
}

// e2e is a reference service, a recording proxy in front of it and an SDK
// client of the proxy.
type e2e struct {
	t   *testing.T
	srv *service.Server
	iss *sdk.Issuer
	c   *sdk.Client

	mu   sync.Mutex
	last map[string][]byte // "METHOD /path" → last response body
}

func newE2E(t *testing.T, cfg service.Config) *e2e {
	t.Helper()
	srv, err := service.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := srv.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cfgJSON, err := srv.Project().ConfigJSON()
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := srv.Project().PrivateKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	iss, err := sdk.NewIssuer(cfgJSON, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	e := &e2e{t: t, srv: srv, iss: iss, last: map[string][]byte{}}
	target, err := url.Parse(strings.TrimSuffix(base, "api/1/"))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(b))
		e.mu.Lock()
		e.last[r.Request.Method+" "+r.Request.URL.EscapedPath()] = b
		e.mu.Unlock()
		return nil
	}
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)
	if e.c, err = sdk.New(sdk.Config{BaseURL: ps.URL + "/api/1/"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.c.Close)
	return e
}

// response returns the last response body of "METHOD /api/1/path".
func (e *e2e) response(key string) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last[key]
}

// identity creates user id (password "pw-"+id) with one device and
// initializes an SDK for it.
func (e *e2e) identity(id string, opts sdk.UserCreateOptions) (*sdk.SDK, sdk.DeviceContext) {
	e.t.Helper()
	ctx := e.t.Context()
	if _, err := e.c.UserCreate(ctx, e.iss, id, "pw-"+id, opts); err != nil {
		e.t.Fatalf("UserCreate %s: %v", id, err)
	}
	return e.device(id, "pw-"+id)
}

func (e *e2e) device(id, password string) (*sdk.SDK, sdk.DeviceContext) {
	e.t.Helper()
	ctx := e.t.Context()
	dc, err := e.c.GenerateDevice(ctx, e.iss, id, password, sdk.DeviceOptions{})
	if err != nil {
		e.t.Fatalf("GenerateDevice %s: %v", id, err)
	}
	s, err := e.c.Initialize(ctx, dc)
	if err != nil {
		e.t.Fatalf("Initialize %s: %v", id, err)
	}
	e.t.Cleanup(s.Close)
	return s, dc
}

// transformedJSON is a TransformedEncryptedValue as the service sends it.
type transformedJSON struct {
	EncryptedMessage   []byte  `json:"encryptedMessage"`
	EphemeralPublicKey keyJSON `json:"ephemeralPublicKey"`
	Signature          []byte  `json:"signature"`
	AuthHash           []byte  `json:"authHash"`
	PublicSigningKey   []byte  `json:"publicSigningKey"`
	TransformBlocks    []struct {
		EncryptedTempKey                []byte  `json:"encryptedTempKey"`
		PublicKey                       keyJSON `json:"publicKey"`
		RandomTransformEncryptedTempKey []byte  `json:"randomTransformEncryptedTempKey"`
		RandomTransformPublicKey        keyJSON `json:"randomTransformPublicKey"`
	} `json:"transformBlocks"`
}

type keyJSON struct {
	X []byte `json:"x"`
	Y []byte `json:"y"`
}

func (k keyJSON) oracle() ro.PublicKey { return ro.PublicKey{X: k.X, Y: k.Y} }

// oracleOpens has the oracle decrypt the EDEK in field of the response
// body resp with the device's private key, and checks that the key it
// yields opens the version-2 document doc to want. It returns how many
// transform blocks (hops) the EDEK had.
func oracleOpens(t *testing.T, o *ro.Oracle, resp []byte, field string, dc sdk.DeviceContext, doc, want []byte) int {
	t.Helper()
	var body map[string]json.RawMessage
	if err := json.Unmarshal(resp, &body); err != nil {
		t.Fatalf("response %.100q: %v", resp, err)
	}
	var tv transformedJSON
	if err := json.Unmarshal(body[field], &tv); err != nil {
		t.Fatalf("%s: %v", field, err)
	}
	ev := ro.EncryptedValue{
		EphemeralPublicKey: tv.EphemeralPublicKey.oracle(), EncryptedMessage: tv.EncryptedMessage, AuthHash: tv.AuthHash,
		PublicSigningKey: tv.PublicSigningKey, Signature: tv.Signature, TransformBlocks: []ro.TransformBlock{},
	}
	for _, b := range tv.TransformBlocks {
		ev.TransformBlocks = append(ev.TransformBlocks, ro.TransformBlock{
			PublicKey: b.PublicKey.oracle(), EncryptedTempKey: b.EncryptedTempKey,
			RandomTransformPublicKey: b.RandomTransformPublicKey.oracle(), RandomTransformEncryptedTempKey: b.RandomTransformEncryptedTempKey,
		})
	}
	dek, err := o.Decrypt(ev, dc.DevicePrivateKey)
	if err != nil {
		t.Fatalf("oracle decrypt of %s (%d hops): %v", field, len(ev.TransformBlocks), err)
	}
	key := sha256.Sum256(dek)
	n := 3 + int(binary.BigEndian.Uint16(doc[1:3]))
	block, _ := aes.NewCipher(key[:])
	gcm, _ := cipher.NewGCM(block)
	pt, err := gcm.Open(nil, doc[n:n+12], doc[n+12:], nil)
	if err != nil || !bytes.Equal(pt, want) {
		t.Fatalf("the oracle's key of %s does not open the document (%v)", field, err)
	}
	return len(ev.TransformBlocks)
}

// TestE2EUserOps: public-key lookup, password change, status changes and
// the user's key rotation, judged by the oracle.
func TestE2EUserOps(t *testing.T) {
	t.Parallel()
	e := newE2E(t, service.Config{})
	ctx := t.Context()
	a, adc := e.identity("e2e-user-a", sdk.UserCreateOptions{NeedsRotation: true})
	b, _ := e.identity("e2e-user-b", sdk.UserCreateOptions{})

	keys, err := a.UserGetPublicKey(ctx, []string{"e2e-user-b", "e2e-nobody"})
	if err != nil || len(keys) != 1 || !keys["e2e-user-b"].Equal(b.PublicKey()) {
		t.Fatalf("UserGetPublicKey = %v, %v; want b's key alone", keys, err)
	}

	data := []byte("written before the rotation")
	doc, err := a.DocumentEncrypt(ctx, data, sdk.EncryptOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, rc, err := e.c.InitializeCheckRotation(ctx, adc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rc.UserID != "e2e-user-a" || len(rc.Groups) != 0 {
		t.Fatalf("rotation check = %+v, want the user", rc)
	}
	if _, err := s.RotateAll(ctx, rc, "wrong password"); err == nil {
		t.Fatal("RotateAll with a wrong password succeeded")
	}
	r, err := s.RotateAll(ctx, rc, "pw-e2e-user-a")
	if err != nil || r.User == nil || r.User.NeedsRotation {
		t.Fatalf("RotateAll = %+v, %v", r, err)
	}
	if _, rc, err = e.c.InitializeCheckRotation(ctx, adc); err != nil || rc.Needed() {
		t.Fatalf("after rotation: check %+v, %v; want nothing to rotate", rc, err)
	}
	// The old device and a new one (same password) still decrypt.
	if got, err := a.DocumentDecrypt(ctx, doc.Encrypted); err != nil || !bytes.Equal(got.Plaintext, data) {
		t.Fatalf("old device after rotation: %v", err)
	}
	a2, a2dc := e.device("e2e-user-a", "pw-e2e-user-a")
	if got, err := a2.DocumentDecrypt(ctx, doc.Encrypted); err != nil || !bytes.Equal(got.Plaintext, data) {
		t.Fatalf("new device after rotation: %v", err)
	}
	if _, err := a2.UserRotatePrivateKey(ctx, "pw-e2e-user-a"); err != nil {
		t.Fatalf("second rotation: %v", err)
	}
	if got, err := a2.DocumentDecrypt(ctx, doc.Encrypted); err != nil || !bytes.Equal(got.Plaintext, data) {
		t.Fatalf("after a second rotation: %v", err)
	}
	t.Run("oracle", func(t *testing.T) {
		o := ro.Get(t)
		oracleOpens(t, o, e.response("GET /api/1/documents/"+doc.ID), "encryptedSymmetricKey", a2dc, doc.Encrypted, data)
	})

	// Password change: the new password makes devices, the old one no more.
	if _, err := b.UserChangePassword(ctx, "pw-e2e-user-b", "new-pw-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.GenerateDevice(ctx, e.iss, "e2e-user-b", "pw-e2e-user-b", sdk.DeviceOptions{}); err == nil {
		t.Error("the old password still adds a device")
	}
	e.device("e2e-user-b", "new-pw-b")

	// Status: disable with a JWT, enable with a JWT; disable self.
	if u, err := e.c.UserUpdateStatus(ctx, e.iss, "e2e-user-b", sdk.UserStatusDisabled); err != nil || u.Status != sdk.UserStatusDisabled {
		t.Fatalf("UserUpdateStatus(disabled) = %+v, %v", u, err)
	}
	if _, err := b.UserGetPublicKey(ctx, []string{"e2e-user-a"}); err == nil {
		t.Error("a disabled user's device still works")
	}
	if _, err := e.c.UserUpdateStatus(ctx, e.iss, "e2e-user-b", sdk.UserStatusActive); err != nil {
		t.Fatal(err)
	}
	if u, err := b.UserDisableSelf(ctx); err != nil || u.Status != sdk.UserStatusDisabled {
		t.Fatalf("UserDisableSelf = %+v, %v", u, err)
	}
}

// TestE2EGroupOps: group create options, name, member and admin removal,
// and the group key rotation (rotate-all from the rotation check), judged
// by the oracle for a member added before and one added after it.
func TestE2EGroupOps(t *testing.T) {
	t.Parallel()
	e := newE2E(t, service.Config{})
	ctx := t.Context()
	a, adc := e.identity("e2e-group-a", sdk.UserCreateOptions{})
	b, bdc := e.identity("e2e-group-b", sdk.UserCreateOptions{})
	c, cdc := e.identity("e2e-group-c", sdk.UserCreateOptions{})

	g, err := a.GroupCreate(ctx, sdk.GroupCreateOptions{ID: "e2e-g", Name: "before", Members: []string{"e2e-group-b"}, NeedsRotation: true})
	if err != nil || !g.NeedsRotation {
		t.Fatalf("GroupCreate = %+v, %v", g, err)
	}
	empty, err := a.GroupCreate(ctx, sdk.GroupCreateOptions{NotMember: true, Owner: "e2e-group-b"})
	if err != nil || empty.MemberIDs == nil || len(empty.MemberIDs) != 0 || empty.Owner != "e2e-group-b" {
		t.Fatalf("GroupCreate with no members and owner b = %+v, %v", empty, err)
	}
	if r, err := a.GroupUpdateName(ctx, "e2e-g", "after"); err != nil || r.Name != "after" {
		t.Fatalf("GroupUpdateName = %+v, %v", r, err)
	}

	data := []byte("a group document")
	doc, err := a.DocumentEncrypt(ctx, data, sdk.EncryptOptions{Groups: []string{"e2e-g"}, NoSelfGrant: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.GroupRotatePrivateKey(ctx, "e2e-g"); !errors.Is(err, sdk.ErrNotGroupAdmin) {
		t.Errorf("rotation by a member: %v, want ErrNotGroupAdmin", err)
	}
	s, rc, err := e.c.InitializeCheckRotation(ctx, adc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rc.UserID != "" || !slices.Equal(rc.Groups, []string{"e2e-g"}) {
		t.Fatalf("rotation check = %+v, want group e2e-g", rc)
	}
	r, err := s.RotateAll(ctx, rc, "")
	if err != nil || len(r.Groups) != 1 || r.Groups[0].NeedsRotation {
		t.Fatalf("RotateAll = %+v, %v", r, err)
	}
	if _, rc, err = e.c.InitializeCheckRotation(ctx, adc); err != nil || rc.Needed() {
		t.Fatalf("after rotation: check %+v, %v", rc, err)
	}
	if _, err := a.GroupAddMembers(ctx, "e2e-g", []string{"e2e-group-c"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		name string
		s    *sdk.SDK
		dc   sdk.DeviceContext
	}{{"b (member before the rotation)", b, bdc}, {"c (member after it)", c, cdc}} {
		got, err := m.s.DocumentDecrypt(ctx, doc.Encrypted)
		if err != nil || !bytes.Equal(got.Plaintext, data) {
			t.Fatalf("%s: %v", m.name, err)
		}
		t.Run("oracle "+m.name, func(t *testing.T) {
			if hops := oracleOpens(t, ro.Get(t), e.response("GET /api/1/documents/"+doc.ID), "encryptedSymmetricKey", m.dc, doc.Encrypted, data); hops != 2 {
				t.Errorf("%d transform blocks, want 2 (group → user → device)", hops)
			}
		})
	}

	// A plain member leaves; an admin is removed; nobody else is touched.
	if r, err := c.GroupRemoveMembers(ctx, "e2e-g", []string{"e2e-group-c"}); err != nil || !slices.Equal(r.Succeeded, []string{"e2e-group-c"}) {
		t.Fatalf("member leaves: %+v, %v", r, err)
	}
	if _, err := c.DocumentDecrypt(ctx, doc.Encrypted); err == nil {
		t.Error("a member who left still decrypts")
	}
	if _, err := a.GroupAddAdmins(ctx, "e2e-g", []string{"e2e-group-b"}); err != nil {
		t.Fatal(err)
	}
	if r, err := a.GroupRemoveAdmins(ctx, "e2e-g", []string{"e2e-group-b", "e2e-group-c"}); err != nil || !slices.Equal(r.Succeeded, []string{"e2e-group-b"}) || len(r.Failed) != 1 {
		t.Fatalf("GroupRemoveAdmins = %+v, %v", r, err)
	}
}

// TestE2EUnmanaged: metadata, unmanaged encrypt / decrypt / grant through
// POST edeks/transform, judged by the oracle.
func TestE2EUnmanaged(t *testing.T) {
	t.Parallel()
	e := newE2E(t, service.Config{})
	ctx := t.Context()
	a, _ := e.identity("e2e-un-a", sdk.UserCreateOptions{})
	b, bdc := e.identity("e2e-un-b", sdk.UserCreateOptions{})
	c, cdc := e.identity("e2e-un-c", sdk.UserCreateOptions{})

	managed, err := a.DocumentEncrypt(ctx, []byte("m"), sdk.EncryptOptions{Name: "doc", Users: []string{"e2e-un-b"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.DocumentGetMetadata(ctx, managed.ID)
	if err != nil || m.Name != "doc" || m.Association != "owner" || !slices.Contains(m.VisibleUsers, "e2e-un-b") {
		t.Fatalf("DocumentGetMetadata = %+v, %v", m, err)
	}

	data := []byte("an unmanaged document")
	r, err := a.DocumentEncryptUnmanaged(ctx, data, sdk.EncryptOptions{Users: []string{"e2e-un-b", "e2e-nobody"}})
	if err != nil || len(r.Grants) != 2 || len(r.Failed) != 1 {
		t.Fatalf("DocumentEncryptUnmanaged = %+v, %v", r, err)
	}
	got, err := b.DocumentDecryptUnmanaged(ctx, r.Encrypted, r.EncryptedDeks)
	if err != nil || !bytes.Equal(got.Plaintext, data) || got.AccessVia != sdk.User("e2e-un-b") {
		t.Fatalf("b decrypts: %+v, %v", got, err)
	}
	t.Run("oracle b", func(t *testing.T) {
		oracleOpens(t, ro.Get(t), e.response("POST /api/1/edeks/transform"), "encryptedSymmetricKey", bdc, r.Encrypted, data)
	})
	_, err = c.DocumentDecryptUnmanaged(ctx, r.Encrypted, r.EncryptedDeks)
	var se *sdk.ServiceError
	if !errors.As(err, &se) || se.Status/100 != 4 || len(se.Errors) == 0 {
		t.Fatalf("c without access: %v, want a 4xx with the error list", err)
	}

	ga, err := b.DocumentGrantAccessUnmanaged(ctx, r.EncryptedDeks, []string{"e2e-un-c"}, nil)
	if err != nil || !slices.Equal(ga.Succeeded, []sdk.UserOrGroup{sdk.User("e2e-un-c")}) {
		t.Fatalf("b grants c: %+v, %v", ga, err)
	}
	got, err = c.DocumentDecryptUnmanaged(ctx, r.Encrypted, ga.EncryptedDeks)
	if err != nil || !bytes.Equal(got.Plaintext, data) {
		t.Fatalf("c decrypts after the grant: %v", err)
	}
	t.Run("oracle c", func(t *testing.T) {
		oracleOpens(t, ro.Get(t), e.response("POST /api/1/edeks/transform"), "encryptedSymmetricKey", cdc, r.Encrypted, data)
	})
}

// TestE2EPolicy: policy-based encryption against the service's default
// policy (the one ironoxide's integration tests assume), ironoxide's
// client-side policy cache, and a project without a policy.
func TestE2EPolicy(t *testing.T) {
	t.Parallel()
	e := newE2E(t, service.Config{})
	ctx := t.Context()
	a, _ := e.identity("e2e-pol-a", sdk.UserCreateOptions{})
	b, _ := e.identity("e2e-pol-b", sdk.UserCreateOptions{})
	recovery := "data_recovery_e2e-pol-a"
	if _, err := a.GroupCreate(ctx, sdk.GroupCreateOptions{ID: recovery, Members: []string{"e2e-pol-b"}}); err != nil {
		t.Fatal(err)
	}
	policyCalls := func() int64 { return e.srv.Count("GET /policies") }

	// HEALTH/RESTRICTED/PATIENT with %USER% = b: b, a's recovery group, and
	// two groups that do not exist (failures, so the answer is not cached).
	health := &sdk.PolicyGrant{Category: "HEALTH", Sensitivity: "RESTRICTED", DataSubject: "PATIENT", SubstituteUser: "e2e-pol-b"}
	for i := range 2 {
		r, err := a.DocumentEncrypt(ctx, []byte("health"), sdk.EncryptOptions{Policy: health, NoSelfGrant: true})
		if err != nil {
			t.Fatal(err)
		}
		want := []sdk.UserOrGroup{sdk.User("e2e-pol-b"), sdk.Group(recovery)}
		if !slices.Equal(r.Grants, want) || len(r.Failed) != 2 {
			t.Fatalf("encrypt %d: grants %v failed %+v; want %v and two unknown groups", i, r.Grants, r.Failed, want)
		}
		if got, err := b.DocumentDecrypt(ctx, r.Encrypted); err != nil || string(got.Plaintext) != "health" {
			t.Fatalf("b decrypts the policy's document: %v", err)
		}
	}
	if n := policyCalls(); n != 2 {
		t.Errorf("GET policies %d times for two encryptions with failures, want 2 (not cached)", n)
	}

	// No labels: the default rule, a's recovery group alone: cached.
	for range 3 {
		r, err := a.DocumentEncrypt(ctx, []byte("default"), sdk.EncryptOptions{Policy: &sdk.PolicyGrant{}})
		if err != nil || !slices.Equal(r.Grants, []sdk.UserOrGroup{sdk.User("e2e-pol-a"), sdk.Group(recovery)}) || len(r.Failed) != 0 {
			t.Fatalf("default rule: %+v, %v", r, err)
		}
	}
	if n := policyCalls(); n != 3 {
		t.Errorf("GET policies %d times after three encryptions with a clean answer, want 3 (2 + 1 cached)", n)
	}
	if n := a.ClearPolicyCache(); n != 1 {
		t.Errorf("ClearPolicyCache = %d, want 1", n)
	}

	none := newE2E(t, service.Config{Policy: &service.Policy{}})
	c, _ := none.identity("e2e-pol-c", sdk.UserCreateOptions{})
	_, err := c.DocumentEncrypt(ctx, []byte("x"), sdk.EncryptOptions{Policy: &sdk.PolicyGrant{Category: "PII"}})
	if !errors.Is(err, sdk.ErrPolicyNotFound) {
		t.Fatalf("no policy: err = %v, want ErrPolicyNotFound", err)
	}
}
