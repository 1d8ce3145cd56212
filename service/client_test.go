package service

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// This file is a small IronCore client for the tests, written from the spec: JWT minting,
// version 1 and 2 device signatures, and the recrypt work of the SDK operations.

// testClock is a settable clock for Config.Now.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// env is a running service with a client for it.
type env struct {
	t     testing.TB
	s     *Server
	base  string
	clock *testClock
	rc    *recrypt.Recrypt
	hc    *http.Client
}

// newEnv starts a service on 127.0.0.1:0 with a test clock.
func newEnv(t testing.TB, cfg Config) *env {
	t.Helper()
	clock := &testClock{now: time.Now()}
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	s, base := startServer(t, cfg)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &env{t: t, s: s, base: base, clock: clock, rc: recrypt.New(nil), hc: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// claims are a JWT's claims; tests edit them to forge tokens.
type claims map[string]any

// validClaims returns claims the service accepts for user sub.
func (e *env) validClaims(sub string) claims {
	p := e.s.Project()
	iat := e.clock.Now().Unix()
	return claims{"sub": sub, "iat": iat, "exp": iat + 120, "pid": p.ID, "sid": p.Segment, "kid": p.KeyID}
}

// jwt signs c with key as an ES256 compact JWS.
func signJWT(t testing.TB, key *ecdsa.PrivateKey, c claims) string {
	t.Helper()
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`))
	body, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	signing := hdr + "." + base64.RawURLEncoding.EncodeToString(body)
	digest := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// jwt returns a valid JWT for sub.
func (e *env) jwt(sub string) string { return signJWT(e.t, e.s.Project().Key, e.validClaims(sub)) }

// do sends method path (relative to the base URL) with body and headers and returns the status
// and body.
func (e *env) do(method, path string, body []byte, hdr http.Header) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.base+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header = hdr
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// withJWT sends a JWT-authenticated request.
func (e *env) withJWT(token, method, path string, body []byte) (int, []byte) {
	e.t.Helper()
	return e.do(method, path, body, http.Header{"Authorization": {"jwt " + token}})
}

// tuser is a test user with one device.
type tuser struct {
	id       string
	sk       recrypt.PrivateKey
	pk       recrypt.PublicKey
	devSK    recrypt.PrivateKey
	devPK    recrypt.PublicKey
	signing  recrypt.SigningKeypair
	deviceID uint64
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// createUser creates user id (#2) and returns it without a device.
func (e *env) createUser(id string) *tuser {
	e.t.Helper()
	sk, pk, err := e.rc.GenerateKeyPair()
	if err != nil {
		e.t.Fatal(err)
	}
	priv := make([]byte, masterKeyEnSize)
	rand.Read(priv)
	body := mustJSON(e.t, userCreateReq{UserPublicKey: publicKeyFrom(pk), UserPrivateKey: priv})
	if status, b := e.withJWT(e.jwt(id), "POST", "users", body); status != 201 {
		e.t.Fatalf("create user %s: %d %s", id, status, b)
	}
	return &tuser{id: id, sk: sk, pk: pk}
}

// deviceAddBody builds a device-add request for u signed for jwt at ts.
func (e *env) deviceAddBody(u *tuser, jwt string, ts time.Time) []byte {
	e.t.Helper()
	devSK, devPK, err := e.rc.GenerateKeyPair()
	if err != nil {
		e.t.Fatal(err)
	}
	signing, err := e.rc.GenerateEd25519KeyPair()
	if err != nil {
		e.t.Fatal(err)
	}
	tk, err := e.rc.GenerateTransformKey(u.sk, devPK, signing)
	if err != nil {
		e.t.Fatal(err)
	}
	u.devSK, u.devPK, u.signing = devSK, devPK, signing
	ms := strconv.FormatInt(ts.UnixMilli(), 10)
	tkb := tk.Bytes()
	pkb := u.pk.Bytes()
	msg := append(append(append([]byte(ms), tkb[:]...), jwt...), pkb[:]...)
	sig, err := e.rc.SchnorrSign(u.sk, u.pk, msg)
	if err != nil {
		e.t.Fatal(err)
	}
	return []byte(fmt.Sprintf(`{"timestamp":%s,"device":{"transformKey":%s,"name":null},"signature":%s,"userPublicKey":%s}`,
		ms, mustJSON(e.t, tkJSONFrom(tk)), mustJSON(e.t, sig[:]), mustJSON(e.t, publicKeyFrom(u.pk))))
}

// addDevice adds a device to u (#3).
func (e *env) addDevice(u *tuser) {
	e.t.Helper()
	jwt := e.jwt(u.id)
	status, b := e.withJWT(jwt, "POST", "users/devices", e.deviceAddBody(u, jwt, e.clock.Now()))
	if status != 201 {
		e.t.Fatalf("add device for %s: %d %s", u.id, status, b)
	}
	var resp deviceResp
	if err := json.Unmarshal(b, &resp); err != nil {
		e.t.Fatal(err)
	}
	u.deviceID = resp.ID
}

// newUser creates a user with one device.
func (e *env) newUser(id string) *tuser {
	e.t.Helper()
	u := e.createUser(id)
	e.addDevice(u)
	return u
}

// v2Headers signs a request as ironoxide does (spec §3.2) at time ts.
func (e *env) v2Headers(u *tuser, method, sigPath string, body []byte, ts time.Time) http.Header {
	pub := u.signing.PublicKey()
	uc := fmt.Sprintf("%d,%d,%s,%s", ts.UnixMilli(), e.s.Project().SegmentID, u.id, base64.StdEncoding.EncodeToString(pub[:]))
	auth := u.signing.Sign([]byte(uc))
	reqSig := u.signing.Sign(append(append(append([]byte(uc), method...), sigPath...), body...))
	return http.Header{
		"Authorization":           {"IronCore 2." + base64.StdEncoding.EncodeToString(auth[:])},
		"X-Ironcore-User-Context": {uc},
		"X-Ironcore-Request-Sig":  {base64.StdEncoding.EncodeToString(reqSig[:])},
	}
}

// v1Headers signs a request as ironnode 0.8 does (Appendix A) at time ts.
func (e *env) v1Headers(u *tuser, ts time.Time) http.Header {
	pub := u.signing.PublicKey()
	j := fmt.Sprintf(`{"ts":%d,"sid":%d,"uid":%q,"x":%q}`, ts.UnixMilli(), e.s.Project().SegmentID, u.id, base64.StdEncoding.EncodeToString(pub[:]))
	sig := u.signing.Sign([]byte(j))
	return http.Header{"Authorization": {"IronCore 1." + base64.StdEncoding.EncodeToString([]byte(j)) + "." + base64.StdEncoding.EncodeToString(sig[:])}}
}

// v2 sends a version-2-signed request for path relative to the base URL.
func (e *env) v2(u *tuser, method, path string, body []byte) (int, []byte) {
	e.t.Helper()
	return e.do(method, path, body, e.v2Headers(u, method, "/api/1/"+path, body, e.clock.Now()))
}

// v1 sends a version-1-signed request.
func (e *env) v1(u *tuser, method, path string, body []byte) (int, []byte) {
	e.t.Helper()
	return e.do(method, path, body, e.v1Headers(u, e.clock.Now()))
}

// tkJSONFrom encodes a transform key for the wire.
func tkJSONFrom(tk recrypt.TransformKey) *transformKeyJSON {
	return &transformKeyJSON{
		EphemeralPublicKey: publicKeyFrom(tk.EphemeralPublicKey), ToPublicKey: publicKeyFrom(tk.ToPublicKey),
		EncryptedTempKey: tk.EncryptedTempKey[:], HashedTempKey: tk.HashedTempKey[:],
		Signature: tk.Signature[:], PublicSigningKey: tk.PublicSigningKey[:],
	}
}

// evJSONFrom encodes an untransformed encrypted value for the wire.
func evJSONFrom(ev recrypt.EncryptedValue) encryptedOnceJSON {
	return transformedFrom(&ev).encryptedOnceJSON
}

// evFromJSON decodes a transformed value from the wire.
func evFromJSON(t testing.TB, tj *transformedJSON) recrypt.EncryptedValue {
	t.Helper()
	pk := func(p *publicKeyJSON) recrypt.PublicKey {
		k, err := recrypt.NewPublicKey(p.X, p.Y)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	ev := recrypt.EncryptedValue{
		EphemeralPublicKey: pk(tj.EphemeralPublicKey),
		EncryptedMessage:   [384]byte(tj.EncryptedMessage),
		AuthHash:           [32]byte(tj.AuthHash),
		PublicSigningKey:   recrypt.PublicSigningKey(tj.PublicSigningKey),
		Signature:          [64]byte(tj.Signature),
	}
	for _, b := range tj.TransformBlocks {
		ev.TransformBlocks = append(ev.TransformBlocks, recrypt.TransformBlock{
			PublicKey: pk(b.PublicKey), EncryptedTempKey: [384]byte(b.EncryptedTempKey),
			RandomTransformPublicKey: pk(b.RandomTransformPublicKey), RandomTransformEncryptedTempKey: [384]byte(b.RandomTransformEncryptedTempKey),
		})
	}
	return ev
}

// encryptTo encrypts pt to pk, signed by u's device.
func (e *env) encryptTo(u *tuser, pt recrypt.Plaintext, pk recrypt.PublicKey) encryptedOnceJSON {
	e.t.Helper()
	ev, err := e.rc.Encrypt(pt, pk, u.signing)
	if err != nil {
		e.t.Fatal(err)
	}
	return evJSONFrom(ev)
}

// grant is an AccessGrant of pt to user or group id with key pk.
func (e *env) grant(u *tuser, typ, id string, pt recrypt.Plaintext, pk recrypt.PublicKey) accessGrantJSON {
	return accessGrantJSON{
		UserOrGroup:       &userOrGroupWithKeyJSON{Type: typ, ID: id, MasterPublicKey: publicKeyFrom(pk)},
		encryptedOnceJSON: e.encryptTo(u, pt, pk),
	}
}

// createDocument creates document id shared with grants, as u (#22); it returns the plaintext.
func (e *env) createDocument(u *tuser, id string, extra ...accessGrantJSON) recrypt.Plaintext {
	e.t.Helper()
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		e.t.Fatal(err)
	}
	grants := append([]accessGrantJSON{e.grant(u, "user", u.id, pt, u.pk)}, extra...)
	body := mustJSON(e.t, map[string]any{"id": id, "value": map[string]any{"name": nil, "sharedWith": grants}})
	if status, b := e.v2(u, "POST", "documents", body); status != 201 {
		e.t.Fatalf("create document %s: %d %s", id, status, b)
	}
	return pt
}

// docBody builds a create-document body for u with the plaintext pt granted to u and extra.
func (e *env) docBody(u *tuser, id string, pt recrypt.Plaintext, extra ...accessGrantJSON) []byte {
	grants := append([]accessGrantJSON{e.grant(u, "user", u.id, pt, u.pk)}, extra...)
	return mustJSON(e.t, map[string]any{"id": id, "value": map[string]any{"name": nil, "sharedWith": grants}})
}

// decryptDocument fetches document id as u (#24) and decrypts its key with u's device key.
func (e *env) decryptDocument(u *tuser, id string) (recrypt.Plaintext, documentMetaResp) {
	e.t.Helper()
	status, b := e.v2(u, "GET", "documents/"+id, nil)
	if status != 200 {
		e.t.Fatalf("get document %s as %s: %d %s", id, u.id, status, b)
	}
	var meta documentMetaResp
	if err := json.Unmarshal(b, &meta); err != nil {
		e.t.Fatal(err)
	}
	pt, err := recrypt.Decrypt(evFromJSON(e.t, meta.EncryptedSymmetricKey), u.devSK)
	if err != nil {
		e.t.Fatalf("decrypt document %s as %s: %v", id, u.id, err)
	}
	return pt, meta
}

// group is a test group: its secret, keys and ID.
type tgroup struct {
	id     string
	secret recrypt.Plaintext
	sk     recrypt.PrivateKey
	pk     recrypt.PublicKey
}

// createGroup creates group id with admin u as admin and member (#11), as ironoxide's defaults.
func (e *env) createGroup(u *tuser, id string) *tgroup {
	e.t.Helper()
	g := e.groupKeys(id)
	status, b := e.v2(u, "POST", "groups", e.groupBody(u, g))
	if status != 201 {
		e.t.Fatalf("create group %s: %d %s", id, status, b)
	}
	return g
}

// groupKeys makes a group's secret and keys; the secret is encrypted to admins at create.
func (e *env) groupKeys(id string) *tgroup {
	e.t.Helper()
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		e.t.Fatal(err)
	}
	sk := recrypt.DerivePrivateKey(pt)
	pk, err := recrypt.ComputePublicKey(sk)
	if err != nil {
		e.t.Fatal(err)
	}
	return &tgroup{id: id, secret: pt, sk: sk, pk: pk}
}

func (e *env) groupBody(u *tuser, g *tgroup) []byte {
	e.t.Helper()
	return mustJSON(e.t, map[string]any{
		"id": g.id, "name": nil, "owner": nil,
		"admins":         []any{e.adminEntry(u, u, g.secret)},
		"members":        []any{e.memberEntry(u, u, g)},
		"groupPublicKey": publicKeyFrom(g.pk), "needsRotation": false,
	})
}

// adminEntry is a GroupAdmin for user a, made by u's device.
func (e *env) adminEntry(u, a *tuser, secret recrypt.Plaintext) groupAdminJSON {
	ga := groupAdminJSON{encryptedOnceJSON: e.encryptTo(u, secret, a.pk)}
	ga.User = &struct {
		UserID              string         `json:"userId"`
		UserMasterPublicKey *publicKeyJSON `json:"userMasterPublicKey"`
	}{a.id, publicKeyFrom(a.pk)}
	return ga
}

// memberEntry is a GroupMember for user m, made by u's device.
func (e *env) memberEntry(u, m *tuser, g *tgroup) groupMemberJSON {
	e.t.Helper()
	tk, err := e.rc.GenerateTransformKey(g.sk, m.pk, u.signing)
	if err != nil {
		e.t.Fatal(err)
	}
	return groupMemberJSON{UserID: m.id, TransformKey: tkJSONFrom(tk), UserMasterPublicKey: publicKeyFrom(m.pk)}
}

// groupSignature is the Schnorr signature over the group's ID that ironoxide sends with member
// and admin additions.
func (e *env) groupSignature(g *tgroup) []byte {
	e.t.Helper()
	sig, err := e.rc.SchnorrSign(g.sk, g.pk, []byte(g.id))
	if err != nil {
		e.t.Fatal(err)
	}
	return sig[:]
}

// errorBody decodes the spec's error array and fails unless it has one entry or more.
func errorBody(t testing.TB, b []byte) []apiError {
	t.Helper()
	var errs []apiError
	if err := json.Unmarshal(b, &errs); err != nil || len(errs) == 0 {
		t.Fatalf("body %q is not a non-empty error array: %v", b, err)
	}
	return errs
}

// recryptDecrypt decrypts a transformed value with u's device key.
func recryptDecrypt(t testing.TB, tj *transformedJSON, u *tuser) (recrypt.Plaintext, error) {
	t.Helper()
	return recrypt.Decrypt(evFromJSON(t, tj), u.devSK)
}
