package service

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The rules of spec Appendix B: what the real service does that ironoxide's own integration
// tests rely on. Each test names the ironoxide test that is its evidence.

// groupCreateBody is a group create request (#11) by u for g with the given admins and members
// (members nil sends "members":null, as ironoxide does for none), owner and needsRotation.
func (e *env) groupCreateBody(u *tuser, g *tgroup, owner *string, admins, members []*tuser, needsRotation bool) []byte {
	e.t.Helper()
	var as []any
	for _, a := range admins {
		as = append(as, e.adminEntry(u, a, g.secret))
	}
	var ms []any
	for _, m := range members {
		ms = append(ms, e.memberEntry(u, m, g))
	}
	return mustJSON(e.t, map[string]any{
		"id": g.id, "name": nil, "owner": owner, "admins": as, "members": ms,
		"groupPublicKey": publicKeyFrom(g.pk), "needsRotation": needsRotation,
	})
}

// TestSharedUserMayRevoke: a user a document is shared with, directly or through a group, may
// revoke anyone's access, the creator's included (ironoxide doc_create_shared_user_can_revoke,
// doc_non_owner_can_revoke_all_access).
func TestSharedUserMayRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	owner, reader, member, outsider := e.newUser("rv-owner"), e.newUser("rv-reader"), e.newUser("rv-member"), e.newUser("rv-outsider")
	g := e.createGroup(owner, "rv-group")
	if status, b := e.v2(owner, "POST", "groups/rv-group/users", mustJSON(t, map[string]any{
		"users": []any{e.memberEntry(owner, member, g)}, "signature": e.groupSignature(g),
	})); status != 200 {
		t.Fatalf("add member: %d %s", status, b)
	}
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	// rv-1 is shared with the reader; rv-2 with the reader and the group (whose members include
	// the creator).
	for id, grants := range map[string][]accessGrantJSON{
		"rv-1": {e.grant(owner, "user", reader.id, pt, reader.pk)},
		"rv-2": {e.grant(owner, "user", reader.id, pt, reader.pk), e.grant(owner, "group", g.id, pt, g.pk)},
	} {
		if status, b := e.v2(owner, "POST", "documents", e.docBody(owner, id, pt, grants...)); status != 201 {
			t.Fatalf("create %s: %d %s", id, status, b)
		}
	}
	revoke := func(u *tuser, doc string, who ...string) (int, documentAccessResp) {
		t.Helper()
		var items []userOrGroupJSON
		for _, w := range who {
			typ, id, _ := strings.Cut(w, ":")
			items = append(items, userOrGroupJSON{Type: typ, ID: id})
		}
		status, b := e.v2(u, "DELETE", "documents/"+doc+"/access", mustJSON(t, revokeReq{UserOrGroups: items}))
		var resp documentAccessResp
		if status == 200 {
			if err := json.Unmarshal(b, &resp); err != nil {
				t.Fatal(err)
			}
		} else {
			errorBody(t, b)
		}
		return status, resp
	}

	// The directly shared reader revokes the creator: the creator can no longer read it.
	if status, resp := revoke(reader, "rv-1", "user:"+owner.id); status != 200 || len(resp.SucceededIDs) != 1 || len(resp.FailedIDs) != 0 {
		t.Fatalf("reader revokes the creator: %d %+v, want 200 with one success", status, resp)
	}
	if status, _ := e.v2(owner, "GET", "documents/rv-1", nil); status != 404 {
		t.Errorf("creator reads after being revoked: %d, want 404", status)
	}
	// A member who reads through the group revokes everyone, the group included.
	status, resp := revoke(member, "rv-2", "user:"+owner.id, "user:"+reader.id, "group:"+g.id)
	if status != 200 || len(resp.SucceededIDs) != 3 || len(resp.FailedIDs) != 0 {
		t.Fatalf("group member revokes all: %d %+v, want 200 with three successes", status, resp)
	}
	for _, u := range []*tuser{owner, reader, member} {
		if status, _ := e.v2(u, "GET", "documents/rv-2", nil); status != 404 {
			t.Errorf("%s reads after revoke-all: %d, want 404", u.id, status)
		}
	}
	// Someone the document was never shared with still cannot.
	if status, _ := revoke(outsider, "rv-1", "user:"+reader.id); status != 404 {
		t.Errorf("outsider revokes: %d, want 404", status)
	}
}

// TestMemberMayLeaveGroup: a plain member may remove itself from a group (ironoxide
// group_non_admin_member_can_remove_self), but no one else.
func TestMemberMayLeaveGroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	admin, m1, m2, outsider := e.newUser("lv-admin"), e.newUser("lv-m1"), e.newUser("lv-m2"), e.newUser("lv-outsider")
	g := e.createGroup(admin, "lv-group")
	if status, b := e.v2(admin, "POST", "groups/lv-group/users", mustJSON(t, map[string]any{
		"users": []any{e.memberEntry(admin, m1, g), e.memberEntry(admin, m2, g)}, "signature": e.groupSignature(g),
	})); status != 200 {
		t.Fatalf("add members: %d %s", status, b)
	}
	remove := func(u *tuser, ids ...string) (int, []byte) {
		var users []userIDJSON
		for _, id := range ids {
			users = append(users, userIDJSON{id})
		}
		return e.v2(u, "DELETE", "groups/lv-group/users", mustJSON(t, map[string]any{"users": users}))
	}
	if status, b := remove(m1, m2.id); status != 403 {
		t.Errorf("member removes another member: %d %s, want 403", status, b)
	} else {
		errorBody(t, b)
	}
	if status, b := remove(outsider, outsider.id); status != 403 {
		t.Errorf("outsider removes itself: %d %s, want 403", status, b)
	}
	status, b := remove(m1, m1.id)
	var resp groupUserEditResp
	if status != 200 || json.Unmarshal(b, &resp) != nil || len(resp.SucceededIDs) != 1 || resp.SucceededIDs[0].UserID != m1.id || len(resp.FailedIDs) != 0 {
		t.Fatalf("member removes itself: %d %s, want 200 with itself succeeded", status, b)
	}
	var got struct {
		MemberIDs []string `json:"memberIds"`
	}
	if _, b := e.v2(admin, "GET", "groups/lv-group", nil); json.Unmarshal(b, &got) != nil || slices.Contains(got.MemberIDs, m1.id) || !slices.Contains(got.MemberIDs, m2.id) {
		t.Errorf("members after %s left: %v, want %s and not %s", m1.id, got.MemberIDs, m2.id, m1.id)
	}
}

// TestGroupMemberIDsAlwaysPresent: a group created with no members answers "memberIds": [], in
// the create answer (ironoxide's GroupCreateResponse needs the field) and in GET groups/{id}
// (ironoxide group_create_no_member); a creator that is neither admin nor member names another
// owner (group_add_specific_owner).
func TestGroupMemberIDsAlwaysPresent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	creator, other := e.newUser("nm-creator"), e.newUser("nm-other")
	fields := func(b []byte) map[string]json.RawMessage {
		t.Helper()
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return m
	}

	g := e.groupKeys("nm-1")
	status, b := e.v2(creator, "POST", "groups", e.groupCreateBody(creator, g, nil, []*tuser{creator}, nil, true))
	if status != 201 {
		t.Fatalf("create with no members: %d %s", status, b)
	}
	m := fields(b)
	if string(m["memberIds"]) != "[]" || string(m["adminIds"]) != `["nm-creator"]` || string(m["owner"]) != `"nm-creator"` {
		t.Errorf("create answer: %s, want memberIds [] and the creator as owner and admin", b)
	}
	if status, b = e.v2(creator, "GET", "groups/nm-1", nil); status != 200 || string(fields(b)["memberIds"]) != "[]" {
		t.Errorf("GET as the admin: %d, memberIds %s, want []", status, fields(b)["memberIds"])
	}

	// Owner other than the caller, who is in the group only through that choice.
	g2 := e.groupKeys("nm-2")
	owner := other.id
	status, b = e.v2(creator, "POST", "groups", e.groupCreateBody(creator, g2, &owner, []*tuser{other}, []*tuser{other}, false))
	if status != 201 {
		t.Fatalf("create for another owner: %d %s", status, b)
	}
	m = fields(b)
	if string(m["owner"]) != `"nm-other"` || string(m["memberIds"]) != `["nm-other"]` || string(m["adminIds"]) != `["nm-other"]` || string(m["permissions"]) != "[]" {
		t.Errorf("create answer for another owner: %s", b)
	}
	var got groupResp
	if _, b = e.v2(other, "GET", "groups/nm-2", nil); json.Unmarshal(b, &got) != nil || got.Owner != owner || got.EncryptedPrivateKey == nil {
		t.Errorf("GET as the chosen owner: %s", b)
	}
}

// TestRotationFlags: needsRotation set at user and group create shows in GET users/current
// (needsRotation, groupsNeedingRotation: the groups the user administers whose flag is set) and
// in GET groups, only to the group's admins; members see no flag (ironoxide
// group_init_and_rotation_check, group_get_metadata; ironnode 0.8 reads groupsNeedingRotation).
func TestRotationFlags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	admin := e.createUserWith("rf-admin", true)
	e.addDevice(admin)
	member := e.newUser("rf-member")
	for _, spec := range []struct {
		id    string
		flag  bool
		users []*tuser
	}{{"rf-rotate", true, []*tuser{admin, member}}, {"rf-fine", false, []*tuser{admin, member}}} {
		g := e.groupKeys(spec.id)
		if status, b := e.v2(admin, "POST", "groups", e.groupCreateBody(admin, g, nil, []*tuser{admin}, spec.users, spec.flag)); status != 201 {
			t.Fatalf("create %s: %d %s", spec.id, status, b)
		}
	}
	current := func(u *tuser) currentUserResp {
		t.Helper()
		status, b := e.v2(u, "GET", "users/current", nil)
		var c currentUserResp
		if status != 200 || json.Unmarshal(b, &c) != nil {
			t.Fatalf("users/current as %s: %d %s", u.id, status, b)
		}
		if !strings.Contains(string(b), `"groupsNeedingRotation":[`) {
			t.Errorf("users/current as %s has no groupsNeedingRotation list: %s", u.id, b)
		}
		return c
	}
	if c := current(admin); !c.NeedsRotation || !slices.Equal(c.GroupsNeedingRotation, []string{"rf-rotate"}) {
		t.Errorf("admin's users/current: needsRotation %v, groupsNeedingRotation %v; want true, [rf-rotate]", c.NeedsRotation, c.GroupsNeedingRotation)
	}
	if c := current(member); c.NeedsRotation || len(c.GroupsNeedingRotation) != 0 {
		t.Errorf("member's users/current: needsRotation %v, groupsNeedingRotation %v; want false, []", c.NeedsRotation, c.GroupsNeedingRotation)
	}
	flags := func(u *tuser) map[string]string {
		t.Helper()
		_, b := e.v2(u, "GET", "groups", nil)
		var list struct {
			Result []map[string]json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(b, &list); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, g := range list.Result {
			var id string
			json.Unmarshal(g["id"], &id)
			out[id] = string(g["needsRotation"])
		}
		return out
	}
	if got := flags(admin); got["rf-rotate"] != "true" || got["rf-fine"] != "false" {
		t.Errorf("admin's GET groups needsRotation: %v, want rf-rotate true, rf-fine false", got)
	}
	if got := flags(member); (got["rf-rotate"] != "" && got["rf-rotate"] != "null") || len(got) != 2 {
		t.Errorf("member's GET groups needsRotation: %v, want none on either group", got)
	}
}

// createUserWith creates user id (#2) with the needsRotation flag given, without a device.
func (e *env) createUserWith(id string, needsRotation bool) *tuser {
	e.t.Helper()
	sk, pk, err := e.rc.GenerateKeyPair()
	if err != nil {
		e.t.Fatal(err)
	}
	body := mustJSON(e.t, userCreateReq{UserPublicKey: publicKeyFrom(pk), UserPrivateKey: make([]byte, masterKeyEnSize), NeedsRotation: needsRotation})
	if status, b := e.withJWT(e.jwt(id), "POST", "users", body); status != 201 {
		e.t.Fatalf("create user %s: %d %s", id, status, b)
	}
	return &tuser{id: id, sk: sk, pk: pk}
}
