package sdk

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// miniService is a small in-test IronCore service with real transform
// encryption: it checks JWTs, device signatures and Schnorr signatures, and
// transforms EDEKs and group keys to the calling device, so the SDK's real
// cryptography can be checked end to end. It is not the reference service
// (service/), which has its own wire types.
type miniService struct {
	t       testing.TB
	iss     *Issuer
	signer  recrypt.SigningKeypair
	rc      *recrypt.Recrypt
	mu      sync.Mutex
	users   map[string]*miniUser
	docs    map[string]map[UserOrGroup]recrypt.EncryptedValue
	groups  map[string]*miniGroup
	nextDev uint64
	// record keeps the last response body per "METHOD uri" for replay.
	record map[string][]byte
}

type miniUser struct {
	pub     PublicKey
	escrow  []byte
	devices map[string]*miniDevice // by base64 signing public key
}

type miniDevice struct {
	id uint64
	tk recrypt.TransformKey
}

type miniGroup struct {
	pub     PublicKey
	admins  map[string]recrypt.EncryptedValue
	members map[string]recrypt.TransformKey
}

func newMiniService(t testing.TB, iss *Issuer) *miniService {
	return &miniService{
		t: t, iss: iss, rc: recrypt.New(nil),
		signer: recrypt.NewSigningKeypairFromSeed(bytes.Repeat([]byte{7}, 32)),
		users:  map[string]*miniUser{}, docs: map[string]map[UserOrGroup]recrypt.EncryptedValue{},
		groups: map[string]*miniGroup{}, record: map[string][]byte{},
	}
}

type httpErr struct {
	status int
	msg    string
}

func (e *httpErr) Error() string { return e.msg }

func bad(status int, format string, a ...any) error {
	return &httpErr{status, fmt.Sprintf(format, a...)}
}

func (m *miniService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m.mu.Lock()
	resp, err := m.handle(r, body)
	if err == nil {
		m.record[r.Method+" "+r.RequestURI] = resp
	}
	m.mu.Unlock()
	if err != nil {
		st := 500
		if he, ok := err.(*httpErr); ok {
			st = he.status
		}
		w.WriteHeader(st)
		json.NewEncoder(w).Encode([]ServerMessage{{Message: err.Error(), Code: 1}})
		return
	}
	w.Write(resp)
}

// caller authenticates the request: a JWT (returns the subject and the
// token) or a device signature (returns the user and the device).
func (m *miniService) caller(r *http.Request, body []byte) (user, jwt string, dev *miniDevice, err error) {
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "jwt "); ok {
		if err := verifyJWT(tok, m.iss.key.Public()); err != nil {
			return "", "", nil, bad(401, "jwt: %v", err)
		}
		p, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		var claims struct {
			Sub string `json:"sub"`
		}
		json.Unmarshal(p, &claims)
		return claims.Sub, tok, nil, nil
	}
	sig, ok := strings.CutPrefix(auth, "IronCore 2.")
	uc := r.Header.Get("X-Ironcore-User-Context")
	parts := strings.Split(uc, ",")
	if !ok || len(parts) != 4 {
		return "", "", nil, bad(401, "no auth")
	}
	pub, _ := base64.StdEncoding.DecodeString(parts[3])
	s1, _ := base64.StdEncoding.DecodeString(sig)
	s2, _ := base64.StdEncoding.DecodeString(r.Header.Get("X-Ironcore-Request-Sig"))
	path, query, _ := strings.Cut(r.RequestURI, "?")
	sigPath := path
	if query != "" {
		sigPath += "?" + strings.ReplaceAll(query, "%27", "'")
	}
	msg := append([]byte(uc+r.Method+sigPath), body...)
	if len(pub) != 32 || !ed25519.Verify(pub, []byte(uc), s1) || !ed25519.Verify(pub, msg, s2) {
		return "", "", nil, bad(401, "bad request signature")
	}
	u := m.users[parts[2]]
	if u == nil || u.devices[parts[3]] == nil {
		return "", "", nil, bad(401, "unknown device")
	}
	return parts[2], "", u.devices[parts[3]], nil
}

func segments(r *http.Request) []string {
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/api/1/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i], _ = url.PathUnescape(s)
	}
	return segs
}

func (m *miniService) handle(r *http.Request, body []byte) ([]byte, error) {
	user, jwt, dev, err := m.caller(r, body)
	if err != nil {
		return nil, err
	}
	segs := segments(r)
	route := r.Method + " " + segs[0]
	if len(segs) > 1 {
		route += "/" + strings.Join(append([]string{"_"}, segs[2:]...), "/")
		if segs[1] == "verify" || segs[1] == "devices" || segs[1] == "current" {
			route = r.Method + " " + segs[0] + "/" + segs[1]
		}
	}
	ts := time.Unix(1591901740, 0).UTC()
	switch route {
	case "POST users":
		var req userCreateReq
		json.Unmarshal(body, &req)
		if len(req.UserPrivateKey) != 92 {
			return nil, bad(400, "escrow size")
		}
		m.users[user] = &miniUser{pub: req.UserPublicKey, escrow: req.UserPrivateKey, devices: map[string]*miniDevice{}}
		return marshal(userResp{ID: user, Status: 1, SegmentID: 7, UserPrivateKey: req.UserPrivateKey, UserMasterPublicKey: req.UserPublicKey})
	case "GET users/verify":
		u := m.users[user]
		if u == nil {
			return nil, nil
		}
		return marshal(userResp{ID: user, Status: 1, SegmentID: 7, UserPrivateKey: u.escrow, UserMasterPublicKey: u.pub})
	case "POST users/devices":
		var req deviceAddReq
		json.Unmarshal(body, &req)
		u := m.users[user]
		if u == nil {
			return nil, bad(404, "no user")
		}
		up, _ := fromPub(u.pub)
		var sig recrypt.SchnorrSignature
		copy(sig[:], req.Signature)
		if !recrypt.VarTimeSchnorrVerify(up, nil, deviceAddMessage(req.Timestamp, &req.Device.TransformKey, jwt, u.pub), sig) {
			return nil, bad(400, "bad device-add signature")
		}
		tk, err := req.Device.TransformKey.recryptTK()
		if err != nil {
			return nil, bad(400, "transform key: %v", err)
		}
		m.nextDev++
		u.devices[base64.StdEncoding.EncodeToString(req.Device.TransformKey.PublicSigningKey)] = &miniDevice{id: m.nextDev, tk: tk}
		return marshal(deviceResp{ID: m.nextDev, Name: req.Device.Name, Created: ts, Updated: ts})
	case "GET users/current":
		u := m.users[user]
		return marshal(currentUserResp{CurrentKeyID: 1, ID: user, Status: 1, SegmentID: 7, UserMasterPublicKey: u.pub, UserPrivateKey: u.escrow})
	case "GET users":
		var out userKeyListResp
		for _, id := range strings.Split(r.URL.Query().Get("id"), ",") {
			if u := m.users[id]; u != nil {
				out.Result = append(out.Result, struct {
					ID                  string    `json:"id"`
					UserMasterPublicKey PublicKey `json:"userMasterPublicKey"`
				}{id, u.pub})
			}
		}
		return marshal(out)
	case "POST documents":
		var req documentCreateReq
		json.Unmarshal(body, &req)
		grants := map[UserOrGroup]recrypt.EncryptedValue{}
		for _, g := range req.Value.SharedWith {
			ev, err := (&transformedValue{encryptedOnce: g.encryptedOnce}).recrypt()
			if err != nil {
				return nil, bad(400, "edek: %v", err)
			}
			grants[UserOrGroup{g.UserOrGroup.Type, g.UserOrGroup.ID}] = ev
		}
		m.docs[req.ID] = grants
		return marshal(documentCreateResp{ID: req.ID, Name: req.Value.Name, Created: ts, Updated: ts})
	case "GET documents/_":
		grants := m.docs[segs[1]]
		if grants == nil {
			return nil, bad(404, "no document")
		}
		ev, err := m.edekFor(grants, user, dev)
		if err != nil {
			return nil, err
		}
		var meta documentMetaResp
		meta.ID, meta.Created, meta.Updated = segs[1], ts, ts
		meta.EncryptedSymmetricKey = wireEV(ev)
		return marshal(meta)
	case "POST documents/_/access":
		grants := m.docs[segs[1]]
		var req documentGrantReq
		json.Unmarshal(body, &req)
		var resp documentAccessResp
		for _, g := range req.To {
			ev, err := (&transformedValue{encryptedOnce: g.encryptedOnce}).recrypt()
			if err != nil {
				return nil, bad(400, "edek: %v", err)
			}
			who := UserOrGroup{g.UserOrGroup.Type, g.UserOrGroup.ID}
			grants[who] = ev
			resp.SucceededIDs = append(resp.SucceededIDs, struct {
				UserOrGroup UserOrGroup `json:"userOrGroup"`
			}{who})
		}
		return marshal(resp)
	case "POST groups":
		var req groupCreateReq
		json.Unmarshal(body, &req)
		g := &miniGroup{pub: req.GroupPublicKey, admins: map[string]recrypt.EncryptedValue{}, members: map[string]recrypt.TransformKey{}}
		for _, a := range req.Admins {
			g.admins[a.User.UserID], _ = (&transformedValue{encryptedOnce: a.encryptedOnce}).recrypt()
		}
		if req.Members != nil {
			for _, mb := range *req.Members {
				g.members[mb.UserID], _ = mb.TransformKey.recryptTK()
			}
		}
		id := "g" + strconv.Itoa(len(m.groups)+1)
		if req.ID != nil {
			id = *req.ID
		}
		m.groups[id] = g
		return marshal(groupResp{ID: id, Name: req.Name, Permissions: []string{"admin", "member"}, GroupMasterPublicKey: g.pub, Created: ts, Updated: ts, AdminIDs: []string{user}, MemberIDs: []string{user}})
	case "GET groups":
		var out groupListResp
		for _, id := range strings.Split(r.URL.Query().Get("id"), ",") {
			if g := m.groups[id]; g != nil {
				out.Result = append(out.Result, groupResp{ID: id, GroupMasterPublicKey: g.pub, Created: ts, Updated: ts})
			}
		}
		return marshal(out)
	case "GET groups/_":
		g := m.groups[segs[1]]
		if g == nil {
			return nil, bad(404, "no group")
		}
		resp := groupResp{ID: segs[1], GroupMasterPublicKey: g.pub, Permissions: []string{"member"}, Created: ts, Updated: ts}
		if ev, ok := g.admins[user]; ok {
			t, err := m.rc.Transform(ev, dev.tk, m.signer)
			if err != nil {
				return nil, err
			}
			resp.EncryptedPrivateKey = wireEV(t)
			resp.Permissions = []string{"admin", "member"}
		}
		return marshal(resp)
	case "POST groups/_/users":
		g := m.groups[segs[1]]
		var req groupAddMembersReq
		json.Unmarshal(body, &req)
		gp, _ := fromPub(g.pub)
		var sig recrypt.SchnorrSignature
		copy(sig[:], req.Signature)
		if !recrypt.VarTimeSchnorrVerify(gp, nil, []byte(segs[1]), sig) {
			return nil, bad(400, "bad group signature")
		}
		var resp groupUserEditResp
		for _, mb := range req.Users {
			g.members[mb.UserID], _ = mb.TransformKey.recryptTK()
			resp.SucceededIDs = append(resp.SucceededIDs, struct {
				UserID string `json:"userId"`
			}{mb.UserID})
		}
		return marshal(resp)
	}
	return nil, bad(404, "no route %s", route)
}

// edekFor transforms the caller's EDEK to the calling device: directly, or
// through a group the caller is a member of (two hops).
func (m *miniService) edekFor(grants map[UserOrGroup]recrypt.EncryptedValue, user string, dev *miniDevice) (recrypt.EncryptedValue, error) {
	if ev, ok := grants[User(user)]; ok {
		return m.rc.Transform(ev, dev.tk, m.signer)
	}
	for who, ev := range grants {
		if who.Type != "group" {
			continue
		}
		if tk, ok := m.groups[who.ID].members[user]; ok {
			once, err := m.rc.Transform(ev, tk, m.signer)
			if err != nil {
				return ev, err
			}
			return m.rc.Transform(once, dev.tk, m.signer)
		}
	}
	return recrypt.EncryptedValue{}, bad(404, "no access")
}

func wireEV(ev recrypt.EncryptedValue) *transformedValue {
	v := &transformedValue{encryptedOnce: encryptedOnce{
		EncryptedMessage: bytes.Clone(ev.EncryptedMessage[:]), EphemeralPublicKey: toPub(ev.EphemeralPublicKey),
		Signature: bytes.Clone(ev.Signature[:]), AuthHash: bytes.Clone(ev.AuthHash[:]), PublicSigningKey: bytes.Clone(ev.PublicSigningKey[:]),
	}}
	for _, b := range ev.TransformBlocks {
		v.TransformBlocks = append(v.TransformBlocks, transformBlock{
			EncryptedTempKey: bytes.Clone(b.EncryptedTempKey[:]), PublicKey: toPub(b.PublicKey),
			RandomTransformEncryptedTempKey: bytes.Clone(b.RandomTransformEncryptedTempKey[:]), RandomTransformPublicKey: toPub(b.RandomTransformPublicKey),
		})
	}
	return v
}

func (t *transformKey) recryptTK() (recrypt.TransformKey, error) {
	var tk recrypt.TransformKey
	var err error
	if tk.EphemeralPublicKey, err = fromPub(t.EphemeralPublicKey); err != nil {
		return tk, err
	}
	if tk.ToPublicKey, err = fromPub(t.ToPublicKey); err != nil {
		return tk, err
	}
	if len(t.EncryptedTempKey) != len(tk.EncryptedTempKey) || len(t.HashedTempKey) != len(tk.HashedTempKey) ||
		len(t.Signature) != len(tk.Signature) || len(t.PublicSigningKey) != len(tk.PublicSigningKey) {
		return tk, fmt.Errorf("transform key field sizes")
	}
	copy(tk.EncryptedTempKey[:], t.EncryptedTempKey)
	copy(tk.HashedTempKey[:], t.HashedTempKey)
	copy(tk.Signature[:], t.Signature)
	copy(tk.PublicSigningKey[:], t.PublicSigningKey)
	return tk, nil
}

// TestEndToEnd runs every kind of operation with the real sdk/recrypt
// against the mini service, which verifies the signatures and transforms
// the keys: a document decrypted one hop (user → device) and two hops
// (group → user → device).
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("pairings are slow")
	}
	iss := testIssuer(t, "iak-es256.pem")
	svc := newMiniService(t, iss)
	srv := httptest.NewServer(svc)
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL + "/api/1/"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	mk := func(id string) *SDK {
		if _, err := c.UserCreate(ctx, iss, id, "pw-"+id, UserCreateOptions{}); err != nil {
			t.Fatalf("UserCreate(%s): %v", id, err)
		}
		if _, err := c.GenerateDevice(ctx, iss, id, "wrong", DeviceOptions{}); err == nil {
			t.Fatal("GenerateDevice with a wrong password succeeded")
		} else if ce := (*CryptoError)(nil); !errors.As(err, &ce) {
			t.Errorf("wrong password: %T %v, want *CryptoError", err, err)
		}
		dc, err := c.GenerateDevice(ctx, iss, id, "pw-"+id, DeviceOptions{Name: "d"})
		if err != nil {
			t.Fatalf("GenerateDevice(%s): %v", id, err)
		}
		b, _ := json.Marshal(dc)
		var back DeviceContext
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		s, err := c.Initialize(ctx, back)
		if err != nil {
			t.Fatalf("Initialize(%s): %v", id, err)
		}
		t.Cleanup(s.Close)
		return s
	}
	alice, bob := mk("alice'=#|@"), mk("bob")

	data := []byte("a secret for alice")
	enc, err := alice.DocumentEncrypt(ctx, data, EncryptOptions{Name: "d1"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := alice.DocumentDecrypt(ctx, enc.Encrypted); err != nil || !bytes.Equal(got.Plaintext, data) {
		t.Fatalf("alice decrypt = %v, %v", got, err)
	}
	if _, err := bob.DocumentDecrypt(ctx, enc.Encrypted); err == nil {
		t.Fatal("bob decrypted alice's document")
	}

	g, err := alice.GroupCreate(ctx, GroupCreateOptions{Name: "team"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := alice.GroupAddMembers(ctx, g.ID, []string{"bob"}); err != nil || len(r.Succeeded) != 1 {
		t.Fatalf("GroupAddMembers = %+v, %v", r, err)
	}
	enc2, err := alice.DocumentEncrypt(ctx, []byte("for the team"), EncryptOptions{Groups: []string{g.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := bob.DocumentDecrypt(ctx, enc2.Encrypted); err != nil || string(got.Plaintext) != "for the team" {
		t.Fatalf("bob decrypt through the group = %v, %v", got, err)
	}

	if r, err := alice.DocumentGrantAccess(ctx, enc.ID, []string{"bob"}, nil); err != nil || len(r.Succeeded) != 1 {
		t.Fatalf("grant = %+v, %v", r, err)
	}
	if got, err := bob.DocumentDecrypt(ctx, enc.Encrypted); err != nil || !bytes.Equal(got.Plaintext, data) {
		t.Fatalf("bob decrypt after grant = %v, %v", got, err)
	}
	up, err := alice.DocumentUpdate(ctx, enc.ID, []byte("new bytes"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := bob.DocumentDecrypt(ctx, up.Encrypted); err != nil || string(got.Plaintext) != "new bytes" {
		t.Fatalf("decrypt updated = %v, %v", got, err)
	}
}
