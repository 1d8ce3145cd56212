package service

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// rotateUser rotates u's key from keyID as ironoxide does (#10): a random factor f, the new
// private key sk − f; it returns the status and body and, on 200, keeps the new key in u.
func (e *env) rotateUser(u *tuser, keyID string, f []byte) (int, []byte) {
	e.t.Helper()
	body := mustJSON(e.t, userKeyUpdateReq{UserPrivateKey: make([]byte, masterKeyEnSize), AugmentationFactor: f})
	status, b := e.v2(u, "PUT", "users/"+u.id+"/keys/"+keyID, body)
	if status == 200 {
		fk, err := recrypt.NewPrivateKey(f)
		if err != nil {
			e.t.Fatal(err)
		}
		u.sk = u.sk.AugmentMinus(fk)
	}
	return status, b
}

// randomFactor returns a random augmentation factor.
func (e *env) randomFactor() []byte {
	e.t.Helper()
	sk, _, err := e.rc.GenerateKeyPair()
	if err != nil {
		e.t.Fatal(err)
	}
	b := sk.Bytes()
	return b[:]
}

// rotateGroup rotates g's key from keyID as ironoxide does (#21): a new secret, factor f = old
// key − new key, the new secret escrowed to admins by u's device. On 200 g holds the new secret
// and key; its public key stays.
func (e *env) rotateGroup(u *tuser, g *tgroup, keyID string, admins ...*tuser) (int, []byte) {
	e.t.Helper()
	next := e.groupKeys(g.id)
	f := g.sk.AugmentMinus(next.sk).Bytes()
	var as []groupAdminJSON
	for _, a := range admins {
		as = append(as, e.adminEntry(u, a, next.secret))
	}
	status, b := e.v2(u, "PUT", "groups/"+g.id+"/keys/"+keyID, mustJSON(e.t, groupKeyUpdateReq{Admins: as, AugmentationFactor: f[:]}))
	if status == 200 {
		g.secret, g.sk = next.secret, next.sk
	}
	return status, b
}

// rotationFlow is a world after both rotations: a document shared with a group, then the
// admin's user key rotated and a device added after it, then the group's key rotated and a
// member added after it. Every device in it must still decrypt the document.
type rotationFlow struct {
	e         *env
	admin     *tuser // its second device, added after the user rotation
	adminOld  *tuser // the admin's first device, added before
	member    *tuser // group member since create
	late      *tuser // group member added after the group rotation
	g         *tgroup
	pt        recrypt.Plaintext // the document's DEK
	docID     string
	userAfter currentUserResp // the admin's users/current after both rotations
}

func newRotationFlow(t *testing.T, e *env) *rotationFlow {
	t.Helper()
	f := &rotationFlow{e: e, docID: "rot-doc"}
	f.admin = e.createUserWith("rot-admin", true)
	e.addDevice(f.admin)
	f.member, f.late = e.newUser("rot-member"), e.newUser("rot-late")
	f.g = e.groupKeys("rot-group")
	if status, b := e.v2(f.admin, "POST", "groups", e.groupCreateBody(f.admin, f.g, nil, []*tuser{f.admin}, []*tuser{f.admin, f.member}, true)); status != 201 {
		t.Fatalf("create group: %d %s", status, b)
	}
	var err error
	if f.pt, err = e.rc.GeneratePlaintext(); err != nil {
		t.Fatal(err)
	}
	if status, b := e.v2(f.admin, "POST", "documents", e.docBody(f.admin, f.docID, f.pt, e.grant(f.admin, "group", f.g.id, f.pt, f.g.pk))); status != 201 {
		t.Fatalf("create document: %d %s", status, b)
	}

	if status, b := e.rotateUser(f.admin, "1", e.randomFactor()); status != 200 {
		t.Fatalf("rotate the admin's key: %d %s", status, b)
	}
	old := *f.admin
	f.adminOld = &old
	e.addDevice(f.admin) // made from the rotated key
	if status, b := e.rotateUser(f.admin, "2", e.randomFactor()); status != 200 {
		t.Fatalf("rotate the admin's key again: %d %s", status, b)
	}

	if status, b := e.rotateGroup(f.admin, f.g, "1", f.admin); status != 200 {
		t.Fatalf("rotate the group's key: %d %s", status, b)
	}
	add := mustJSON(t, map[string]any{"users": []any{e.memberEntry(f.admin, f.late, f.g)}, "signature": e.groupSignature(f.g)})
	if status, b := e.v2(f.admin, "POST", "groups/rot-group/users", add); status != 200 || !strings.Contains(string(b), `"succeededIds":[{"userId":"rot-late"}]`) {
		t.Fatalf("add a member after the group rotation: %d %s", status, b)
	}
	status, b := e.v2(f.admin, "GET", "users/current", nil)
	if status != 200 || json.Unmarshal(b, &f.userAfter) != nil {
		t.Fatalf("users/current: %d %s", status, b)
	}
	return f
}

// TestKeyRotation: after user (#10) and group (#21) key rotations every device decrypts what it
// could before, through the devices and members added before and after each rotation (ironoxide
// user_private_key_rotation, user_add_device_after_rotation, decrypt_with_rotated_user_private_key,
// group_rotate_private_key, rotate_all); the flags are cleared; bad rotations are refused.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	f := newRotationFlow(t, e)
	for _, u := range []*tuser{f.adminOld, f.admin, f.member, f.late} {
		if got, _ := e.decryptDocument(u, f.docID); !got.Equal(f.pt) {
			t.Errorf("device %d of %s decrypts the document to another DEK", u.deviceID, u.id)
		}
	}
	if c := f.userAfter; c.CurrentKeyID != 3 || c.NeedsRotation || len(c.GroupsNeedingRotation) != 0 || !c.UserMasterPublicKey.equal(publicKeyFrom(f.admin.pk)) {
		t.Errorf("users/current after the rotations: key %d, needsRotation %v, groups %v (want 3, false, none, the same public key)",
			c.CurrentKeyID, c.NeedsRotation, c.GroupsNeedingRotation)
	}
	var got groupResp
	if _, b := e.v2(f.admin, "GET", "groups/rot-group", nil); json.Unmarshal(b, &got) != nil || got.CurrentKeyID != 2 || got.NeedsRotation == nil || *got.NeedsRotation || got.EncryptedPrivateKey == nil {
		t.Fatalf("group after rotation: key %d, needsRotation %v", got.CurrentKeyID, got.NeedsRotation)
	}
	if secret, err := recryptDecrypt(t, got.EncryptedPrivateKey, f.admin); err != nil || !secret.Equal(f.g.secret) {
		t.Errorf("the admin's escrowed group secret is not the new one: %v", err)
	}

	// Signatures by keys that are not the current ones do not verify: a key not the group's,
	// and the admin's key before its last rotation (adminOld's).
	stale := e.groupKeys("rot-group") // a key that is not the group's
	add := mustJSON(t, map[string]any{"users": []any{e.memberEntry(f.admin, f.member, f.g)}, "signature": e.groupSignature(stale)})
	if status, b := e.v2(f.admin, "POST", "groups/rot-group/users", add); status != 401 {
		t.Errorf("add member signed with a key that is not the group's: %d %s, want 401", status, b)
	}
	jwt := e.jwt(f.admin.id)
	if status, b := e.withJWT(jwt, "POST", "users/devices", e.deviceAddBody(f.adminOld, jwt, e.clock.Now())); status != 401 {
		t.Errorf("device add signed with the key before the last rotation: %d %s, want 401", status, b)
	}
}

// TestKeyRotationRefusals: what #10 and #21 refuse, each leaving the key as it was.
func TestKeyRotationRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	u, other, member := e.newUser("rr-user"), e.newUser("rr-other"), e.newUser("rr-member")
	g := e.groupKeys("rr-group")
	if status, b := e.v2(u, "POST", "groups", e.groupCreateBody(u, g, nil, []*tuser{u, other}, []*tuser{member}, false)); status != 201 {
		t.Fatalf("create group: %d %s", status, b)
	}
	zero := make([]byte, 32)
	self := u.sk.Bytes() // the whole key: the rotated key would be zero
	userCases := []struct {
		name, path string
		body       []byte
		status     int
		want       string
	}{
		{"stale key ID", "users/rr-user/keys/2", mustJSON(t, userKeyUpdateReq{make([]byte, 92), e.randomFactor()}), 409, "current key 1"},
		{"another user", "users/rr-other/keys/1", mustJSON(t, userKeyUpdateReq{make([]byte, 92), e.randomFactor()}), 403, "own"},
		{"zero factor", "users/rr-user/keys/1", mustJSON(t, userKeyUpdateReq{make([]byte, 92), zero}), 400, "zero"},
		{"factor is the key", "users/rr-user/keys/1", mustJSON(t, userKeyUpdateReq{make([]byte, 92), self[:]}), 400, "zero"},
		{"short factor", "users/rr-user/keys/1", mustJSON(t, userKeyUpdateReq{make([]byte, 92), zero[:31]}), 400, "32 bytes"},
		{"short private key", "users/rr-user/keys/1", mustJSON(t, userKeyUpdateReq{make([]byte, 91), e.randomFactor()}), 400, "92 bytes"},
		{"bad key ID", "users/rr-user/keys/x", mustJSON(t, userKeyUpdateReq{make([]byte, 92), e.randomFactor()}), 400, "key ID"},
	}
	for _, tt := range userCases {
		status, b := e.v2(u, "PUT", tt.path, tt.body)
		if status != tt.status {
			t.Errorf("user %s: %d %s, want %d", tt.name, status, b, tt.status)
		} else if errs := errorBody(t, b); !strings.Contains(errs[0].Message, tt.want) {
			t.Errorf("user %s: message %q, want it to contain %q", tt.name, errs[0].Message, tt.want)
		}
	}

	groupCases := []struct {
		name   string
		by     *tuser
		keyID  string
		admins []*tuser
		status int
		want   string
	}{
		{"a member", member, "1", []*tuser{u, other}, 403, "not an admin"},
		{"an admin left out", u, "1", []*tuser{u}, 400, "rr-other of group rr-group is missing"},
		{"a non-admin escrowed", u, "1", []*tuser{u, other, member}, 400, "not an admin"},
		{"stale key ID", u, "0", []*tuser{u, other}, 409, "current key 1"},
	}
	for _, tt := range groupCases {
		gk := *g
		status, b := e.rotateGroup(tt.by, &gk, tt.keyID, tt.admins...)
		if status != tt.status {
			t.Errorf("group %s: %d %s, want %d", tt.name, status, b, tt.status)
		} else if errs := errorBody(t, b); !strings.Contains(errs[0].Message, tt.want) {
			t.Errorf("group %s: message %q, want it to contain %q", tt.name, errs[0].Message, tt.want)
		}
	}
	gself := g.sk.Bytes()
	body := mustJSON(t, groupKeyUpdateReq{Admins: []groupAdminJSON{e.adminEntry(u, u, g.secret), e.adminEntry(u, other, g.secret)}, AugmentationFactor: gself[:]})
	if status, b := e.v2(u, "PUT", "groups/rr-group/keys/1", body); status != 400 || !strings.Contains(string(b), "zero") {
		t.Errorf("group factor that is the whole key: %d %s, want 400", status, b)
	}
	if status, _ := e.v2(u, "PUT", "groups/nope/keys/1", body); status != 404 {
		t.Errorf("rotate an unknown group: %d, want 404", status)
	}
	// Nothing changed: the key IDs are still 1 and the old group signature still verifies.
	if status, b := e.v2(u, "GET", "users/current", nil); status != 200 || !strings.Contains(string(b), `"currentKeyId":1,`) {
		t.Errorf("users/current after refusals: %d %s", status, b)
	}
	add := mustJSON(t, map[string]any{"users": []any{e.memberEntry(u, u, g)}, "signature": e.groupSignature(g)})
	if status, b := e.v2(u, "POST", "groups/rr-group/users", add); status != 200 || !strings.Contains(string(b), `"succeededIds":[{"userId":"rr-user"}]`) {
		t.Errorf("add member with the unrotated key after refusals: %d %s", status, b)
	}
}
