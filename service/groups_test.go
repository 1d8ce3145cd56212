package service

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestGroupEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	admin, member, outsider := e.newUser("lee"), e.newUser("max"), e.newUser("ned")
	g := e.createGroup(admin, "crew")

	// #11 refusals leave the store unchanged.
	other := e.groupKeys("crew2")
	body := func(mod func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(e.groupBody(admin, other), &m); err != nil {
			t.Fatalf("the good group body does not decode: %v", err)
		}
		mod(m)
		return mustJSON(t, m)
	}
	refusals := []struct {
		name   string
		body   []byte
		status int
		want   string
	}{
		{"exists", e.groupBody(admin, g), 409, "already exists"},
		{"no admins", body(func(m map[string]any) { m["admins"] = []any{} }), 400, "at least one admin"},
		{"owner not an admin", body(func(m map[string]any) { m["owner"] = "max" }), 400, "not one of the admins"},
		{"bad group key", body(func(m map[string]any) {
			m["groupPublicKey"] = map[string]any{"x": make([]byte, 32), "y": make([]byte, 31)}
		}), 400, "groupPublicKey"},
		{"escrow signature forged", body(func(m map[string]any) {
			m["admins"].([]any)[0].(map[string]any)["signature"] = make([]byte, 64)
		}), 400, "signature does not verify"},
		{"unknown member", body(func(m map[string]any) {
			m["members"].([]any)[0].(map[string]any)["userId"] = "nobody"
		}), 404, "does not exist"},
		{"bad ID", body(func(m map[string]any) { m["id"] = "white space" }), 400, "id:"},
		{"malformed", []byte(`{"admins":{}}`), 400, "malformed"},
	}
	for _, tt := range refusals {
		t.Run("create/"+tt.name, func(t *testing.T) {
			status, b := e.v2(admin, "POST", "groups", tt.body)
			if status != tt.status {
				t.Fatalf("status %d %s, want %d", status, b, tt.status)
			}
			if errs := errorBody(t, b); !strings.Contains(errs[0].Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", errs[0].Message, tt.want)
			}
		})
	}
	if n := e.s.store.nGroups.Load(); n != 1 {
		t.Fatalf("%d groups after refused creates, want 1", n)
	}

	// #17: a forged group signature is refused and changes nothing; an older SDK's request
	// without a signature is accepted.
	add := func(sig []byte) []byte {
		m := map[string]any{"users": []any{e.memberEntry(admin, member, g)}}
		if sig != nil {
			m["signature"] = sig
		}
		return mustJSON(t, m)
	}
	if status, b := e.v2(admin, "POST", "groups/crew/users", add(make([]byte, 64))); status != 401 {
		t.Fatalf("add member with a forged signature: %d %s, want 401", status, b)
	}
	if status, _ := e.v2(member, "GET", "groups/crew", nil); status != 200 {
		t.Fatal("get as outsider failed")
	}
	if status, b := e.v2(outsider, "POST", "groups/crew/users", add(e.groupSignature(g))); status != 403 {
		t.Fatalf("add member as a non-admin: %d %s, want 403", status, b)
	}
	if status, b := e.v2(admin, "POST", "groups/crew/users", add(nil)); status != 200 || !strings.Contains(string(b), `"succeededIds":[{"userId":"max"}]`) {
		t.Fatalf("add member without signature: %d %s", status, b)
	}
	if status, b := e.v2(admin, "POST", "groups/crew/users", add(e.groupSignature(g))); status != 200 || !strings.Contains(string(b), "already a member") {
		t.Fatalf("add the member again: %d %s", status, b)
	}

	// #14 get: the member sees IDs but no private key; the outsider only the basics.
	var got groupResp
	_, b := e.v2(member, "GET", "groups/crew", nil)
	if json.Unmarshal(b, &got) != nil || got.EncryptedPrivateKey != nil || len(got.MemberIDs) != 2 || got.Permissions[0] != permMember {
		t.Errorf("member's view: %s", b)
	}
	got = groupResp{}
	_, b = e.v2(outsider, "GET", "groups/crew", nil)
	if json.Unmarshal(b, &got) != nil || got.AdminIDs != nil || len(got.Permissions) != 0 || got.GroupMasterPublicKey == nil {
		t.Errorf("outsider's view: %s", b)
	}
	if status, _ := e.v2(admin, "GET", "groups/nope", nil); status != 404 {
		t.Errorf("get unknown group: %d, want 404", status)
	}

	// #18 add admin, with the group signature.
	secretFor := e.adminEntry(admin, member, g.secret)
	status, b := e.v2(admin, "POST", "groups/crew/admins", mustJSON(t, map[string]any{"admins": []any{secretFor}, "signature": e.groupSignature(g)}))
	if status != 200 || !strings.Contains(string(b), `"succeededIds":[{"userId":"max"}]`) {
		t.Fatalf("add admin: %d %s", status, b)
	}
	got = groupResp{}
	_, b = e.v2(member, "GET", "groups/crew", nil)
	if json.Unmarshal(b, &got) != nil || got.EncryptedPrivateKey == nil {
		t.Fatalf("new admin's view has no private key: %s", b)
	}
	if secret, err := recryptDecrypt(t, got.EncryptedPrivateKey, member); err != nil || !secret.Equal(g.secret) {
		t.Errorf("new admin decrypts the group secret: %v", err)
	}

	// #12/#13 lists.
	var list resultList[groupResp]
	_, b = e.v2(member, "GET", "groups", nil)
	if json.Unmarshal(b, &list) != nil || len(list.Result) != 1 || len(list.Result[0].Permissions) != 2 {
		t.Errorf("member's group list: %s", b)
	}
	_, b = e.v2(outsider, "GET", "groups", nil)
	if json.Unmarshal(b, &list) != nil || len(list.Result) != 0 {
		t.Errorf("outsider's group list: %s", b)
	}
	_, b = e.v2(outsider, "GET", "groups?id=crew%2Cnope", nil)
	if json.Unmarshal(b, &list) != nil || len(list.Result) != 1 || list.Result[0].ID != "crew" {
		t.Errorf("group lookup by ID: %s", b)
	}

	// #15 rename: admins only.
	if status, _ := e.v2(outsider, "PUT", "groups/crew", []byte(`{"name":"x"}`)); status != 403 {
		t.Errorf("rename as outsider: %d, want 403", status)
	}
	if status, b := e.v2(admin, "PUT", "groups/crew", []byte(`{"name":"The Crew"}`)); status != 200 || !strings.Contains(string(b), `"name":"The Crew"`) {
		t.Errorf("rename: %d %s", status, b)
	}

	// #19/#20 removals: the owner stays admin; members can leave.
	rm := []byte(`{"users":[{"userId":"lee"}]}`)
	if status, b := e.v2(admin, "DELETE", "groups/crew/admins", rm); status != 200 || !strings.Contains(string(b), "owner") {
		t.Errorf("remove the owner as admin: %d %s", status, b)
	}
	if status, b := e.v2(admin, "DELETE", "groups/crew/users", []byte(`{"users":[{"userId":"max"},{"userId":"ned"}]}`)); status != 200 ||
		!strings.Contains(string(b), `"succeededIds":[{"userId":"max"}]`) || !strings.Contains(string(b), "not a member") {
		t.Errorf("remove members: %d %s", status, b)
	}

	// #16 delete: admins only; then the group is gone.
	if status, _ := e.v2(outsider, "DELETE", "groups/crew", []byte("null")); status != 403 {
		t.Errorf("delete as outsider: %d, want 403", status)
	}
	if status, b := e.v2(admin, "DELETE", "groups/crew", []byte("null")); status != 200 || string(b) != `{"id":"crew"}` {
		t.Fatalf("delete: %d %s", status, b)
	}
	if status, _ := e.v2(admin, "GET", "groups/crew", nil); status != 404 {
		t.Errorf("get deleted group: %d, want 404", status)
	}
	_, b = e.v2(admin, "GET", "groups", nil)
	if json.Unmarshal(b, &list) != nil || len(list.Result) != 0 {
		t.Errorf("group list after delete: %s", b)
	}
}
