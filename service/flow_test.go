package service

import (
	"encoding/json"
	"testing"
)

// TestDocumentFlow walks the SDK's main path: users, devices, a group, documents shared
// directly and through the group, and checks that each device decrypts the key it is given.
func TestDocumentFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	alice, bob, carol := e.newUser("alice"), e.newUser("bob"), e.newUser("carol")

	// alice's own document: one hop, user → device.
	pt := e.createDocument(alice, "doc1")
	got, meta := e.decryptDocument(alice, "doc1")
	if !got.Equal(pt) {
		t.Fatal("alice decrypted a different plaintext")
	}
	if meta.Association.Type != assocOwner || len(meta.EncryptedSymmetricKey.TransformBlocks) != 1 {
		t.Errorf("association %q, %d blocks; want owner, 1", meta.Association.Type, len(meta.EncryptedSymmetricKey.TransformBlocks))
	}
	// bob has no access.
	if status, _ := e.v2(bob, "GET", "documents/doc1", nil); status != 404 {
		t.Errorf("bob reads doc1: %d, want 404", status)
	}

	// A group of alice (admin, member) and bob (member): two hops, group → user → device.
	g := e.createGroup(alice, "team")
	body := mustJSON(t, map[string]any{"users": []any{e.memberEntry(alice, bob, g)}, "signature": e.groupSignature(g)})
	status, b := e.v2(alice, "POST", "groups/team/users", body)
	if status != 200 {
		t.Fatalf("add bob to team: %d %s", status, b)
	}
	var edit groupUserEditResp
	if err := json.Unmarshal(b, &edit); err != nil || len(edit.SucceededIDs) != 1 || edit.SucceededIDs[0].UserID != "bob" {
		t.Fatalf("add bob: %s (%v)", b, err)
	}
	pt2, err := e.rc.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	status, b = e.v2(alice, "POST", "documents", e.docBody(alice, "doc2", pt2, e.grant(alice, "group", "team", pt2, g.pk)))
	if status != 201 {
		t.Fatalf("create doc2: %d %s", status, b)
	}
	got, meta = e.decryptDocument(bob, "doc2")
	if !got.Equal(pt2) {
		t.Fatal("bob decrypted a different plaintext through the group")
	}
	if meta.Association.Type != assocFromGroup || len(meta.EncryptedSymmetricKey.TransformBlocks) != 2 {
		t.Errorf("association %q, %d blocks; want fromGroup, 2", meta.Association.Type, len(meta.EncryptedSymmetricKey.TransformBlocks))
	}

	// Grant doc1 to carol directly, then revoke.
	body = mustJSON(t, map[string]any{"fromPublicKey": publicKeyFrom(alice.pk), "to": []any{e.grant(alice, "user", "carol", pt, carol.pk)}})
	if status, b := e.v2(alice, "POST", "documents/doc1/access", body); status != 200 {
		t.Fatalf("grant doc1 to carol: %d %s", status, b)
	}
	if got, meta := e.decryptDocument(carol, "doc1"); !got.Equal(pt) || meta.Association.Type != assocFromUser {
		t.Errorf("carol: plaintext equal %v, association %q", got.Equal(pt), meta.Association.Type)
	}
	body = mustJSON(t, map[string]any{"userOrGroups": []any{map[string]string{"type": "user", "id": "carol"}}})
	if status, b := e.v2(alice, "DELETE", "documents/doc1/access", body); status != 200 {
		t.Fatalf("revoke carol: %d %s", status, b)
	}
	if status, _ := e.v2(carol, "GET", "documents/doc1", nil); status != 404 {
		t.Errorf("carol reads doc1 after revoke: %d, want 404", status)
	}

	// The group admin gets the group's private key, transformed to its device.
	status, b = e.v2(alice, "GET", "groups/team", nil)
	if status != 200 {
		t.Fatalf("get team: %d %s", status, b)
	}
	var gr groupResp
	if err := json.Unmarshal(b, &gr); err != nil {
		t.Fatal(err)
	}
	if gr.EncryptedPrivateKey == nil {
		t.Fatal("admin got no encryptedPrivateKey")
	}
	secret, err := recryptDecrypt(t, gr.EncryptedPrivateKey, alice)
	if err != nil || !secret.Equal(g.secret) {
		t.Fatalf("admin decrypts the group secret: equal %v, %v", err == nil && secret.Equal(g.secret), err)
	}
}
