package service

import (
	"encoding/json"
	"testing"
)

// TestGrantNeverReplacesAKey: a reader who grants the owner, or a group, a key of her choosing
// gets "succeeded" (they have access) but the stored keys stay, so the owner and the group's
// members still decrypt the document's real key. A grant to a new group that reuses a deleted
// group's ID is a new grantee and is stored.
func TestGrantNeverReplacesAKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	owner, reader, mia, ned := e.newUser("gora"), e.newUser("gpia"), e.newUser("gmia"), e.newUser("gned")
	g := e.createGroup(owner, "gcrew")
	add := mustJSON(t, map[string]any{"users": []any{e.memberEntry(owner, mia, g)}, "signature": e.groupSignature(g)})
	if status, b := e.v2(owner, "POST", "groups/gcrew/users", add); status != 200 {
		t.Fatalf("add mia to gcrew: %d %s", status, b)
	}
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	body := e.docBody(owner, "gd1", pt, e.grant(owner, "user", reader.id, pt, reader.pk), e.grant(owner, "group", g.id, pt, g.pk))
	if status, b := e.v2(owner, "POST", "documents", body); status != 201 {
		t.Fatalf("create document: %d %s", status, b)
	}

	evil, err := e.rc.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	grantBody := func(from *tuser, to ...accessGrantJSON) []byte {
		return mustJSON(t, map[string]any{"fromPublicKey": publicKeyFrom(from.pk), "to": to})
	}
	status, b := e.v2(reader, "POST", "documents/gd1/access", grantBody(reader,
		e.grant(reader, "user", owner.id, evil, owner.pk), e.grant(reader, "group", g.id, evil, g.pk)))
	var acc documentAccessResp
	if status != 200 || json.Unmarshal(b, &acc) != nil || len(acc.SucceededIDs) != 2 || len(acc.FailedIDs) != 0 {
		t.Fatalf("re-grant to the owner and the group: %d %s, want 200 with both succeeded", status, b)
	}
	if got, _ := e.decryptDocument(owner, "gd1"); !got.Equal(pt) {
		t.Error("the owner's key was replaced by the reader's")
	}
	if got, _ := e.decryptDocument(mia, "gd1"); !got.Equal(pt) {
		t.Error("the group's key was replaced by the reader's")
	}

	// A new group under the deleted one's ID is another grantee: its grant is stored.
	if status, b := e.v2(owner, "DELETE", "groups/gcrew", []byte("null")); status != 200 {
		t.Fatalf("delete group: %d %s", status, b)
	}
	g2 := e.createGroup(ned, "gcrew")
	status, b = e.v2(owner, "POST", "documents/gd1/access", grantBody(owner, e.grant(owner, "group", g2.id, pt, g2.pk)))
	if status != 200 || json.Unmarshal(b, &acc) != nil || len(acc.SucceededIDs) != 1 {
		t.Fatalf("grant to the new gcrew: %d %s", status, b)
	}
	if got, _ := e.decryptDocument(ned, "gd1"); !got.Equal(pt) {
		t.Error("a member of the new gcrew does not decrypt the document granted to it")
	}
}
