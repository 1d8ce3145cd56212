package service

import "testing"

// A document shared with a group that is then deleted must not become readable by whoever
// creates a new group under the same ID: the grant was to the deleted group's key.
func TestDeletedGroupGrantDoesNotPassToANewGroupOfTheSameID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	lee, ned := e.newUser("lee"), e.newUser("ned")
	g := e.createGroup(lee, "crew")
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	body := e.docBody(lee, "d1", pt, e.grant(lee, "group", g.id, pt, g.pk))
	if status, b := e.v2(lee, "POST", "documents", body); status != 201 {
		t.Fatalf("create document: %d %s", status, b)
	}
	if status, b := e.v2(lee, "DELETE", "groups/crew", []byte("null")); status != 200 {
		t.Fatalf("delete group: %d %s", status, b)
	}
	e.createGroup(ned, "crew") // ned is admin and member of a new group "crew"
	if status, b := e.v2(ned, "GET", "documents/d1", nil); status != 404 {
		t.Errorf("GET documents/d1 as a member of the new group crew: %d %s, want 404", status, b)
	}
	if status, b := e.v2(ned, "PUT", "documents/d1", []byte(`{"name":"mine"}`)); status != 404 {
		t.Errorf("PUT documents/d1 as a member of the new group crew: %d %s, want 404", status, b)
	}
	// The creator's own access is unchanged.
	if got, _ := e.decryptDocument(lee, "d1"); got != pt {
		t.Error("lee's document key changed")
	}
}
