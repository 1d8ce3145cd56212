package service_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/ironcorelabs/loadgen/sdk"
	"github.com/ironcorelabs/loadgen/service"
)

// TestWithSDK runs the project's SDK against the service: the two are written from the same
// spec by different hands, so this catches a misreading on either side. It uses only the
// public API of both, as the lead's embedding does.
func TestWithSDK(t *testing.T) {
	t.Parallel()
	p, err := service.NewProject(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := service.New(service.Config{Project: p})
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfgJSON, err := p.ConfigJSON()
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := p.PrivateKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	iss, err := sdk.NewIssuer(cfgJSON, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sdk.New(sdk.Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx := t.Context()

	device := func(id string) *sdk.SDK {
		t.Helper()
		if _, err := c.UserCreate(ctx, iss, id, "pw-"+id, sdk.UserCreateOptions{}); err != nil {
			t.Fatalf("UserCreate %s: %v", id, err)
		}
		if u, err := c.UserVerify(ctx, iss, id); err != nil || u == nil {
			t.Fatalf("UserVerify %s: %v %v", id, u, err)
		}
		dc, err := c.GenerateDevice(ctx, iss, id, "pw-"+id, sdk.DeviceOptions{Name: "laptop"})
		if err != nil {
			t.Fatalf("GenerateDevice %s: %v", id, err)
		}
		d, err := c.Initialize(ctx, dc)
		if err != nil {
			t.Fatalf("Initialize %s: %v", id, err)
		}
		t.Cleanup(d.Close)
		return d
	}
	alice, bob := device("sdk-alice"), device("sdk-bob")

	if devs, err := alice.DeviceList(ctx); err != nil || len(devs) != 1 {
		t.Errorf("DeviceList: %v %v", devs, err)
	}
	if _, err := c.GenerateDevice(ctx, iss, "sdk-alice", "pw-sdk-alice", sdk.DeviceOptions{}); err != nil {
		t.Fatalf("GenerateDevice (spare): %v", err)
	}
	if devs, err := alice.DeviceList(ctx); err != nil || len(devs) != 2 {
		t.Fatalf("DeviceList with the spare: %v %v", devs, err)
	} else if _, err := alice.DeviceDelete(ctx, devs[1].ID); err != nil {
		t.Errorf("DeviceDelete: %v", err)
	}
	g, err := alice.GroupCreate(ctx, sdk.GroupCreateOptions{ID: "sdk-group"})
	if err != nil {
		t.Fatalf("GroupCreate: %v", err)
	}
	if _, err := alice.GroupAddMembers(ctx, g.ID, []string{"sdk-bob"}); err != nil {
		t.Fatalf("GroupAddMembers: %v", err)
	}
	if _, err := alice.GroupAddAdmins(ctx, g.ID, []string{"sdk-bob"}); err != nil {
		t.Fatalf("GroupAddAdmins: %v", err)
	}
	if _, err := bob.GroupGet(ctx, g.ID); err != nil {
		t.Errorf("GroupGet as the new admin: %v", err)
	}
	if _, err := alice.GroupGet(ctx, g.ID); err != nil {
		t.Errorf("GroupGet: %v", err)
	}
	if _, err := alice.GroupList(ctx); err != nil {
		t.Errorf("GroupList: %v", err)
	}
	data := []byte("the quick brown fox")
	enc, err := alice.DocumentEncrypt(ctx, data, sdk.EncryptOptions{Groups: []string{g.ID}})
	if err != nil {
		t.Fatalf("DocumentEncrypt: %v", err)
	}
	for name, d := range map[string]*sdk.SDK{"alice": alice, "bob (through the group)": bob} {
		dec, err := d.DocumentDecrypt(ctx, enc.Encrypted)
		if err != nil {
			t.Fatalf("DocumentDecrypt as %s: %v", name, err)
		}
		if !bytes.Equal(dec.Plaintext, data) {
			t.Errorf("%s decrypted %q", name, dec.Plaintext)
		}
	}
	if _, err := alice.DocumentList(ctx); err != nil {
		t.Errorf("DocumentList: %v", err)
	}
	if _, err := alice.DocumentGrantAccess(ctx, enc.ID, []string{"sdk-bob"}, nil); err != nil {
		t.Errorf("DocumentGrantAccess: %v", err)
	}
	// Granting again an already-granted user succeeds and leaves its key alone.
	if res, err := alice.DocumentGrantAccess(ctx, enc.ID, []string{"sdk-bob"}, nil); err != nil || len(res.Succeeded) != 1 || len(res.Failed) != 0 {
		t.Errorf("DocumentGrantAccess again: %+v, %v; want sdk-bob succeeded", res, err)
	} else if dec, err := bob.DocumentDecrypt(ctx, enc.Encrypted); err != nil || !bytes.Equal(dec.Plaintext, data) {
		t.Errorf("DocumentDecrypt as bob after a second grant: %v", err)
	}
	if _, err := alice.DocumentRevokeAccess(ctx, enc.ID, []string{"sdk-bob"}, nil); err != nil {
		t.Errorf("DocumentRevokeAccess: %v", err)
	}
	if _, err := alice.DocumentUpdateName(ctx, enc.ID, "renamed"); err != nil {
		t.Errorf("DocumentUpdateName: %v", err)
	}
	if _, err := alice.DocumentUpdate(ctx, enc.ID, []byte("new text")); err != nil {
		t.Errorf("DocumentUpdate: %v", err)
	}
	if _, err := alice.GroupDelete(ctx, g.ID); err != nil {
		t.Errorf("GroupDelete: %v", err)
	}

	w := &sdkWorld{c: c, iss: iss, newUser: device, alice: alice, bob: bob}
	t.Run("users", w.users)
	t.Run("rotation", w.rotation)
	t.Run("groups", w.groups)
	t.Run("documents", w.documents)
}

// sdkWorld is TestWithSDK's service, client and users, for the issue-14 operations.
type sdkWorld struct {
	c          *sdk.Client
	iss        *sdk.Issuer
	newUser    func(id string) *sdk.SDK
	alice, bob *sdk.SDK
}

// users: public keys, password change, status by JWT, disable self.
func (w *sdkWorld) users(t *testing.T) {
	ctx := t.Context()
	keys, err := w.alice.UserGetPublicKey(ctx, []string{"sdk-alice", "sdk-bob", "sdk-nobody"})
	if bk := w.bob.PublicKey(); err != nil || len(keys) != 2 || !bytes.Equal(keys["sdk-bob"].X, bk.X) || !bytes.Equal(keys["sdk-bob"].Y, bk.Y) {
		t.Errorf("UserGetPublicKey: %d keys, %v", len(keys), err)
	}
	erin := w.newUser("sdk-erin")
	if _, err := erin.UserChangePassword(ctx, "pw-sdk-erin", "new-pw"); err != nil {
		t.Fatalf("UserChangePassword: %v", err)
	}
	if _, err := w.c.GenerateDevice(ctx, w.iss, "sdk-erin", "pw-sdk-erin", sdk.DeviceOptions{}); err == nil {
		t.Error("GenerateDevice with the old password succeeded")
	}
	if _, err := w.c.GenerateDevice(ctx, w.iss, "sdk-erin", "new-pw", sdk.DeviceOptions{}); err != nil {
		t.Errorf("GenerateDevice with the new password: %v", err)
	}
	if u, err := w.c.UserUpdateStatus(ctx, w.iss, "sdk-erin", 0); err != nil || u.Status != 0 {
		t.Errorf("UserUpdateStatus 0: %+v %v", u, err)
	}
	if _, err := erin.DeviceList(ctx); err == nil {
		t.Error("a disabled user's device still lists devices")
	}
	if u, err := w.c.UserUpdateStatus(ctx, w.iss, "sdk-erin", 1); err != nil || u.Status != 1 {
		t.Errorf("UserUpdateStatus 1: %+v %v", u, err)
	}
	if u, err := erin.UserDisableSelf(ctx); err != nil || u.Status != 0 {
		t.Errorf("UserDisableSelf: %+v %v", u, err)
	}
}

// rotation: needsRotation at create, the rotation check, rotate-all, InitializeAndRotate, and a
// user rotation after which an old and a new device decrypt what was encrypted before it.
func (w *sdkWorld) rotation(t *testing.T) {
	ctx := t.Context()
	flagged := func(id string) sdk.DeviceContext {
		t.Helper()
		if u, err := w.c.UserCreate(ctx, w.iss, id, "pw-"+id, sdk.UserCreateOptions{NeedsRotation: true}); err != nil || !u.NeedsRotation {
			t.Fatalf("UserCreate %s with NeedsRotation: %+v %v", id, u, err)
		}
		dc, err := w.c.GenerateDevice(ctx, w.iss, id, "pw-"+id, sdk.DeviceOptions{})
		if err != nil {
			t.Fatalf("GenerateDevice %s: %v", id, err)
		}
		return dc
	}
	dc := flagged("sdk-carol")
	carol, rc, err := w.c.InitializeCheckRotation(ctx, dc)
	if err != nil || rc.UserID != "sdk-carol" || len(rc.Groups) != 0 {
		t.Fatalf("InitializeCheckRotation: %+v %v", rc, err)
	}
	t.Cleanup(carol.Close)
	g, err := carol.GroupCreate(ctx, sdk.GroupCreateOptions{NeedsRotation: true})
	if err != nil || !g.NeedsRotation {
		t.Fatalf("GroupCreate with NeedsRotation: %+v %v", g, err)
	}
	enc, err := carol.DocumentEncrypt(ctx, []byte("before rotation"), sdk.EncryptOptions{Groups: []string{g.ID}})
	if err != nil {
		t.Fatalf("DocumentEncrypt: %v", err)
	}
	check, rc, err := w.c.InitializeCheckRotation(ctx, dc)
	if err != nil || rc.UserID != "sdk-carol" || len(rc.Groups) != 1 || rc.Groups[0] != g.ID {
		t.Fatalf("InitializeCheckRotation with a flagged group: %+v %v", rc, err)
	}
	check.Close()
	r, err := carol.RotateAll(ctx, rc, "pw-sdk-carol")
	if err != nil || r.User == nil || r.User.NeedsRotation || len(r.Groups) != 1 || r.Groups[0].NeedsRotation {
		t.Fatalf("RotateAll: %+v %v", r, err)
	}
	if _, rc, err = w.c.InitializeCheckRotation(ctx, dc); err != nil || rc.Needed() {
		t.Errorf("InitializeCheckRotation after RotateAll: %+v %v", rc, err)
	}
	if ur, err := carol.UserRotatePrivateKey(ctx, "pw-sdk-carol"); err != nil || ur.CurrentKeyID != 3 {
		t.Fatalf("UserRotatePrivateKey: %+v %v", ur, err)
	}
	if gr, err := carol.GroupRotatePrivateKey(ctx, g.ID); err != nil || gr.CurrentKeyID != 3 {
		t.Fatalf("GroupRotatePrivateKey: %+v %v", gr, err)
	}
	dc2, err := w.c.GenerateDevice(ctx, w.iss, "sdk-carol", "pw-sdk-carol", sdk.DeviceOptions{})
	if err != nil {
		t.Fatalf("GenerateDevice after rotation: %v", err)
	}
	carol2, err := w.c.Initialize(ctx, dc2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(carol2.Close)
	if _, err := carol.GroupAddMembers(ctx, g.ID, []string{"sdk-bob"}); err != nil {
		t.Fatalf("GroupAddMembers after the group rotation: %v", err)
	}
	for name, s := range map[string]*sdk.SDK{"carol's old device": carol, "carol's new device": carol2, "bob, added after": w.bob} {
		if dec, err := s.DocumentDecrypt(ctx, enc.Encrypted); err != nil || string(dec.Plaintext) != "before rotation" {
			t.Errorf("DocumentDecrypt as %s: %v", name, err)
		}
	}

	dave, r, err := w.c.InitializeAndRotate(ctx, flagged("sdk-dave"), "pw-sdk-dave")
	if err != nil || r == nil || r.User == nil || r.User.NeedsRotation {
		t.Fatalf("InitializeAndRotate: %+v %v", r, err)
	}
	dave.Close()
}

// groups: create with no members and for another owner, rename, a plain member leaving, admin
// removal.
func (w *sdkWorld) groups(t *testing.T) {
	ctx := t.Context()
	g, err := w.alice.GroupCreate(ctx, sdk.GroupCreateOptions{ID: "sdk-nomembers", NotMember: true})
	if err != nil || len(g.MemberIDs) != 0 || g.Owner != "sdk-alice" {
		t.Fatalf("GroupCreate with no members: %+v %v", g, err)
	}
	other, err := w.alice.GroupCreate(ctx, sdk.GroupCreateOptions{ID: "sdk-bobs", Owner: "sdk-bob", NotAdmin: true, NotMember: true})
	if err != nil || other.Owner != "sdk-bob" {
		t.Fatalf("GroupCreate owned by bob: %+v %v", other, err)
	}
	if got, err := w.bob.GroupGet(ctx, other.ID); err != nil || got.Owner != "sdk-bob" {
		t.Errorf("GroupGet as the chosen owner: %+v %v", got, err)
	}
	if got, err := w.alice.GroupUpdateName(ctx, g.ID, "renamed"); err != nil || got.Name != "renamed" {
		t.Errorf("GroupUpdateName: %+v %v", got, err)
	}
	if _, err := w.alice.GroupAddMembers(ctx, g.ID, []string{"sdk-bob"}); err != nil {
		t.Fatal(err)
	}
	if r, err := w.bob.GroupRemoveMembers(ctx, g.ID, []string{"sdk-bob"}); err != nil || len(r.Succeeded) != 1 {
		t.Errorf("GroupRemoveMembers as a plain member leaving: %+v %v", r, err)
	}
	if _, err := w.alice.GroupAddAdmins(ctx, g.ID, []string{"sdk-bob"}); err != nil {
		t.Fatal(err)
	}
	if r, err := w.alice.GroupRemoveAdmins(ctx, g.ID, []string{"sdk-bob"}); err != nil || len(r.Succeeded) != 1 {
		t.Errorf("GroupRemoveAdmins: %+v %v", r, err)
	}
}

// documents: metadata, a shared user revoking the creator, policy grants, unmanaged documents.
func (w *sdkWorld) documents(t *testing.T) {
	ctx := t.Context()
	enc, err := w.alice.DocumentEncrypt(ctx, []byte("shared"), sdk.EncryptOptions{Name: "memo", Users: []string{"sdk-bob"}})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := w.bob.DocumentGetMetadata(ctx, enc.ID); err != nil || m.Name != "memo" {
		t.Errorf("DocumentGetMetadata: %+v %v", m, err)
	}
	if r, err := w.bob.DocumentRevokeAccess(ctx, enc.ID, []string{"sdk-alice"}, nil); err != nil || len(r.Succeeded) != 1 {
		t.Errorf("DocumentRevokeAccess of the creator by a shared user: %+v %v", r, err)
	}
	if _, err := w.alice.DocumentDecrypt(ctx, enc.Encrypted); err == nil {
		t.Error("the creator decrypts after a shared user revoked her")
	}

	// The default policy: PII/INTERNAL names the caller and data_recovery_<caller>.
	if _, err := w.alice.GroupCreate(ctx, sdk.GroupCreateOptions{ID: "data_recovery_sdk-alice"}); err != nil {
		t.Fatal(err)
	}
	pol, err := w.alice.DocumentEncrypt(ctx, []byte("labelled"), sdk.EncryptOptions{NoSelfGrant: true, Policy: &sdk.PolicyGrant{Category: "PII", Sensitivity: "INTERNAL"}})
	if err != nil {
		t.Fatalf("DocumentEncrypt with a policy: %v", err)
	}
	if m, err := w.alice.DocumentGetMetadata(ctx, pol.ID); err != nil || len(m.VisibleUsers)+len(m.VisibleGroups) != 2 {
		t.Errorf("policy document's grants: %+v %v", m, err)
	}
	if n := w.alice.ClearPolicyCache(); n != 0 {
		t.Errorf("ClearPolicyCache: %d entries, want 0 (an answer naming missing users is not cached)", n)
	}

	un, err := w.alice.DocumentEncryptUnmanaged(ctx, []byte("kept by the caller"), sdk.EncryptOptions{})
	if err != nil {
		t.Fatalf("DocumentEncryptUnmanaged: %v", err)
	}
	if _, err := w.bob.DocumentDecryptUnmanaged(ctx, un.Encrypted, un.EncryptedDeks); err == nil {
		t.Error("bob decrypts an unmanaged document not shared with him")
	}
	ga, err := w.alice.DocumentGrantAccessUnmanaged(ctx, un.EncryptedDeks, []string{"sdk-bob"}, nil)
	if err != nil || len(ga.Succeeded) != 1 {
		t.Fatalf("DocumentGrantAccessUnmanaged: %+v %v", ga, err)
	}
	if dec, err := w.bob.DocumentDecryptUnmanaged(ctx, un.Encrypted, ga.EncryptedDeks); err != nil || string(dec.Plaintext) != "kept by the caller" {
		t.Errorf("DocumentDecryptUnmanaged as the new grantee: %v", err)
	}
}
