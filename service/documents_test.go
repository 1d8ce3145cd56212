package service

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDocumentEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	owner, reader, outsider := e.newUser("ora"), e.newUser("pia"), e.newUser("quin")
	pt := e.createDocument(owner, "d1")

	// #22 refusals leave the store unchanged.
	pt2, err := e.rc.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	body := func(mod func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(e.docBody(owner, "d2", pt2), &m)
		mod(m)
		return mustJSON(t, m)
	}
	grant0 := func(m map[string]any) map[string]any {
		return m["value"].(map[string]any)["sharedWith"].([]any)[0].(map[string]any)
	}
	refusals := []struct {
		name   string
		body   []byte
		status int
		want   string
	}{
		{"exists", e.docBody(owner, "d1", pt2), 409, "already exists"},
		{"EDEK signature forged", body(func(m map[string]any) { grant0(m)["signature"] = make([]byte, 64) }), 400, "signature does not verify"},
		{"EDEK message altered", body(func(m map[string]any) { grant0(m)["encryptedMessage"] = make([]byte, 384) }), 400, "signature does not verify"},
		{"EDEK short", body(func(m map[string]any) { grant0(m)["authHash"] = make([]byte, 31) }), 400, "authHash must be 32 bytes"},
		{"unknown grantee", body(func(m map[string]any) { grant0(m)["userOrGroup"].(map[string]any)["id"] = "nobody" }), 404, "does not exist"},
		{"grantee's key is not theirs", body(func(m map[string]any) {
			grant0(m)["userOrGroup"].(map[string]any)["masterPublicKey"] = publicKeyFrom(reader.pk)
		}), 400, "masterPublicKey"},
		{"bad grantee type", body(func(m map[string]any) { grant0(m)["userOrGroup"].(map[string]any)["type"] = "robot" }), 400, "type"},
		{"no grants", body(func(m map[string]any) { m["value"].(map[string]any)["sharedWith"] = []any{} }), 400, "at least one grant"},
		{"no value", []byte(`{"id":"d2"}`), 400, "value is missing"},
		{"bad ID", body(func(m map[string]any) { m["id"] = "" }), 400, "id:"},
		{"malformed", []byte(`[`), 400, "malformed"},
	}
	for _, tt := range refusals {
		t.Run("create/"+tt.name, func(t *testing.T) {
			status, b := e.v2(owner, "POST", "documents", tt.body)
			if status != tt.status {
				t.Fatalf("status %d %s, want %d", status, b, tt.status)
			}
			if errs := errorBody(t, b); !strings.Contains(errs[0].Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", errs[0].Message, tt.want)
			}
		})
	}
	if st := e.s.Stats(); st != (Stats{Users: 3, Devices: 3, Documents: 1}) {
		t.Fatalf("store after refused creates: %+v, want 3 users, 3 devices, 1 document", st)
	}

	// An older SDK's create (extra fromUserId, name omitted) is accepted; the answer echoes the
	// grants without keys.
	var m map[string]any
	json.Unmarshal(e.docBody(owner, "d3", pt2), &m)
	delete(m["value"].(map[string]any), "name")
	m["value"].(map[string]any)["fromUserId"] = "ora"
	status, b := e.v2(owner, "POST", "documents", mustJSON(t, m))
	var created documentCreateResp
	if status != 201 || json.Unmarshal(b, &created) != nil || len(created.SharedWith) != 1 ||
		created.SharedWith[0].UserOrGroup.MasterPublicKey != nil || len(created.SharedWith[0].EncryptedMessage) != 384 {
		t.Fatalf("ironnode-style create: %d %s", status, b)
	}

	// #26 grant: the outsider cannot; a wrong fromPublicKey is refused; an unknown grantee fails
	// alone.
	grantBody := func(from *tuser, to ...accessGrantJSON) []byte {
		return mustJSON(t, map[string]any{"fromPublicKey": publicKeyFrom(from.pk), "to": to})
	}
	if status, _ := e.v2(outsider, "POST", "documents/d1/access", grantBody(outsider, e.grant(outsider, "user", "quin", pt, outsider.pk))); status != 404 {
		t.Errorf("grant by an outsider: %d, want 404", status)
	}
	if status, _ := e.v2(owner, "POST", "documents/d1/access", grantBody(reader, e.grant(owner, "user", "pia", pt, reader.pk))); status != 400 {
		t.Errorf("grant with another user's fromPublicKey: %d, want 400", status)
	}
	unknown := e.grant(owner, "user", "nobody", pt, reader.pk)
	status, b = e.v2(owner, "POST", "documents/d1/access", grantBody(owner, e.grant(owner, "user", "pia", pt, reader.pk), unknown))
	var acc documentAccessResp
	if status != 200 || json.Unmarshal(b, &acc) != nil || len(acc.SucceededIDs) != 1 || len(acc.FailedIDs) != 1 || acc.FailedIDs[0].UserOrGroup.ID != "nobody" {
		t.Fatalf("grant: %d %s", status, b)
	}
	if got, meta := e.decryptDocument(reader, "d1"); !got.Equal(pt) || len(meta.VisibleTo.Users) != 2 {
		t.Errorf("reader after grant: plaintext equal %v, visibleTo %+v", got.Equal(pt), meta.VisibleTo)
	}

	// #23 list.
	var list resultList[docListItem]
	_, b = e.v2(reader, "GET", "documents", nil)
	if json.Unmarshal(b, &list) != nil || len(list.Result) != 1 || list.Result[0].ID != "d1" || list.Result[0].Association.Type != assocFromUser {
		t.Errorf("reader's list: %s", b)
	}
	_, b = e.v2(owner, "GET", "documents", nil)
	if json.Unmarshal(b, &list) != nil || len(list.Result) != 2 || list.Result[0].Association.Type != assocOwner {
		t.Errorf("owner's list: %s", b)
	}

	// #25 rename: readers may; outsiders get 404.
	if status, _ := e.v2(outsider, "PUT", "documents/d1", []byte(`{"name":"x"}`)); status != 404 {
		t.Errorf("rename by an outsider: %d, want 404", status)
	}
	status, b = e.v2(reader, "PUT", "documents/d1", []byte(`{"name":"Q3 plan"}`))
	var meta documentMetaResp
	if status != 200 || json.Unmarshal(b, &meta) != nil || meta.Name == nil || *meta.Name != "Q3 plan" || meta.EncryptedSymmetricKey == nil {
		t.Errorf("rename: %d %s", status, b)
	}

	// #27 revoke: anyone who can read the document (appendixb_test.go has more); outsiders get
	// 404. The reader revokes itself.
	revoke := []byte(`{"userOrGroups":[{"type":"user","id":"pia"},{"type":"group","id":"nope"}]}`)
	if status, _ := e.v2(outsider, "DELETE", "documents/d1/access", revoke); status != 404 {
		t.Errorf("revoke by an outsider: %d, want 404", status)
	}
	status, b = e.v2(reader, "DELETE", "documents/d1/access", revoke)
	acc = documentAccessResp{}
	if status != 200 || json.Unmarshal(b, &acc) != nil || len(acc.SucceededIDs) != 1 || len(acc.FailedIDs) != 1 {
		t.Fatalf("revoke: %d %s", status, b)
	}
	_, b = e.v2(reader, "GET", "documents", nil)
	if json.Unmarshal(b, &list) != nil || len(list.Result) != 0 {
		t.Errorf("reader's list after revoke: %s", b)
	}

	// Unknown document.
	if status, _ := e.v2(owner, "GET", "documents/nope", nil); status != 404 {
		t.Errorf("unknown document: %d, want 404", status)
	}
}

func TestStoreLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Limits: Limits{MaxUsers: 2, MaxDevices: 2, MaxGroups: 1, MaxDocuments: 1}})
	a, b := e.newUser("a1"), e.newUser("b1")
	_ = b
	status, body := e.withJWT(e.jwt("c1"), "POST", "users", mustJSON(t, userCreateReq{UserPublicKey: publicKeyFrom(a.pk), UserPrivateKey: make([]byte, 92)}))
	if status != 507 || !strings.Contains(string(body), "store full: 2 users") {
		t.Errorf("third user: %d %s, want 507 store full", status, body)
	}
	jwt := e.jwt("a1")
	if status, body := e.withJWT(jwt, "POST", "users/devices", e.deviceAddBody(&tuser{id: "a1", sk: a.sk, pk: a.pk}, jwt, e.clock.Now())); status != 507 {
		t.Errorf("third device: %d %s, want 507", status, body)
	}
	e.createGroup(a, "g1")
	if status, body := e.v2(a, "POST", "groups", e.groupBody(a, e.groupKeys("g2"))); status != 507 {
		t.Errorf("second group: %d %s, want 507", status, body)
	}
	e.createDocument(a, "doc1")
	pt, _ := e.rc.GeneratePlaintext()
	if status, body := e.v2(a, "POST", "documents", e.docBody(a, "doc2", pt)); status != 507 {
		t.Errorf("second document: %d %s, want 507", status, body)
	}
	if _, err := New(Config{Limits: Limits{MaxUsers: -1}}); err == nil {
		t.Error("New accepted a negative limit")
	}
}
