package service

import (
	"bytes"
	"encoding/json"
	"testing"

	ro "github.com/ironcorelabs/loadgen/internal/recryptoracle"
	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// TestOracleKeyRotation judges key rotation (#10, #21) by the real recrypt-rs: after the admin's
// user key and the group's key were rotated (rotationFlow), the EDEKs the service transforms to
// every device, including the ones added after a rotation, decrypt in the oracle to the
// document's DEK; the transform keys the service augmented carry a value the oracle encrypted to
// the unchanged public key over to their owner; the client's rotated key plus the service's
// augmentation is, by recrypt, the key of that public key; and the un-augmented transform key
// the client made does not work.
func TestOracleKeyRotation(t *testing.T) {
	o := ro.Get(t)
	e := newEnv(t, Config{})
	f := newRotationFlow(t, e)
	dek := f.pt.Bytes()

	for _, u := range []*tuser{f.adminOld, f.admin, f.member, f.late} {
		status, b := e.v2(u, "GET", "documents/"+f.docID, nil)
		var meta documentMetaResp
		if status != 200 || json.Unmarshal(b, &meta) != nil || meta.EncryptedSymmetricKey == nil {
			t.Fatalf("GET document as %s: %d %s", u.id, status, b)
		}
		got, err := o.Decrypt(oracleValue(meta.EncryptedSymmetricKey), ro.FromPrivateKey(u.devSK))
		if err != nil || !bytes.Equal(got, dek[:]) {
			t.Errorf("recrypt decrypt of the EDEK to %s's device %d: equal %v, %v", u.id, u.deviceID, bytes.Equal(got, dek[:]), err)
		}
	}

	// The admin's device added after the rotation: user → device, from the unchanged public key.
	su, _ := e.s.store.user(f.admin.id)
	su.mu.Lock()
	devTK := su.devices[f.admin.deviceID].transformKey
	userAug := su.aug
	su.mu.Unlock()
	transformChecksOut(t, o, f.admin.pk, ro.FromPrivateKey(f.admin.devSK), devTK)

	// The member added after the group rotation: group → member → its device.
	g, _ := e.s.store.groups.get(f.g.id)
	g.mu.Lock()
	memberTK := g.members[f.late.id]
	groupAug := g.aug
	g.mu.Unlock()
	su, _ = e.s.store.user(f.late.id)
	su.mu.Lock()
	lateDevTK := su.devices[f.late.deviceID].transformKey
	su.mu.Unlock()
	transformChecksOut(t, o, f.g.pk, ro.FromPrivateKey(f.late.sk), memberTK)
	transformChecksOut(t, o, f.g.pk, ro.FromPrivateKey(f.late.devSK), memberTK, lateDevTK)

	// Client key + augmentation = the public key's private key, by recrypt's own point addition.
	for _, c := range []struct {
		name   string
		client recrypt.PrivateKey
		aug    *recrypt.PrivateKey
		pub    recrypt.PublicKey
	}{{"user", f.admin.sk, userAug, f.admin.pk}, {"group", f.g.sk, groupAug, f.g.pk}} {
		if c.aug == nil {
			t.Fatalf("%s: the store holds no augmentation after a rotation", c.name)
		}
		pc, err := o.ComputePublicKey(ro.FromPrivateKey(c.client))
		if err != nil {
			t.Fatal(err)
		}
		pa, err := o.ComputePublicKey(ro.FromPrivateKey(*c.aug))
		if err != nil {
			t.Fatal(err)
		}
		var sum ro.PublicKey
		if err := o.Call("addPublicKeys", map[string]any{"publicKeyA": pc, "publicKeyB": pa}, &sum); err != nil {
			t.Fatal(err)
		}
		if !samePublicKey(sum, ro.FromPublicKey(c.pub)) {
			t.Errorf("%s: [rotated key]G + [augmentation]G is not the unchanged public key", c.name)
		}
	}

	// The judge can say no: the transform key as the client makes it from the rotated group key,
	// not augmented, does not carry the value to the member.
	signer, err := o.GenerateSigningKeypair()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := signer.Recrypt()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := e.rc.GenerateTransformKey(f.g.sk, f.late.pk, rs)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := o.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := o.Encrypt(pt, ro.FromPublicKey(f.g.pk), signer)
	if err != nil {
		t.Fatal(err)
	}
	if ev, err = o.Transform(ev, ro.FromTransformKey(raw), signer); err != nil {
		t.Fatal(err)
	}
	if got, err := o.Decrypt(ev, ro.FromPrivateKey(f.late.sk)); err == nil && bytes.Equal(got, pt) {
		t.Error("an un-augmented transform key from the rotated group key carried the value: the augmentation proves nothing")
	}
}
