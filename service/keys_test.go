package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestStoredKeysAreValidated: a key, point or encrypted value that a later request would use
// is checked when it arrives (400 with the error array, store unchanged), so that no stored input
// turns every later fetch through it into a 500. A transform key's hashed temp key is not covered
// by its signature, so only a curve check catches a bad one.
func TestStoredKeysAreValidated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	owner, mia, rex := e.newUser("kora"), e.newUser("kmia"), e.newUser("krex")
	g := e.createGroup(owner, "kcrew")
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	body := e.docBody(owner, "kd1", pt, e.grant(owner, "group", g.id, pt, g.pk))
	if status, b := e.v2(owner, "POST", "documents", body); status != 201 {
		t.Fatalf("create document: %d %s", status, b)
	}
	before := e.s.Stats()
	offTwist := bytes.Repeat([]byte{1}, g2Size) // not a point of the twist
	infinity := make([]byte, g2Size)            // no encoding of infinity is a point either
	offCurve := &publicKeyJSON{X: bytes.Repeat([]byte{1}, fieldSize), Y: bytes.Repeat([]byte{2}, fieldSize)}

	refuse := func(name, method, path string, body []byte, want string) {
		t.Helper()
		status, b := e.v2(owner, method, path, body)
		if status != 400 {
			t.Errorf("%s: %d %s, want 400", name, status, b)
			return
		}
		if errs := errorBody(t, b); !strings.Contains(errs[0].Message, want) {
			t.Errorf("%s: message %q, want it to contain %q", name, errs[0].Message, want)
		}
	}
	for _, h := range [][]byte{offTwist, infinity} {
		m := e.memberEntry(owner, mia, g)
		m.TransformKey.HashedTempKey = h
		add := mustJSON(t, map[string]any{"users": []any{m}, "signature": e.groupSignature(g)})
		refuse("member with a bad hashedTempKey", "POST", "groups/kcrew/users", add, "hashedTempKey")
	}
	a := e.adminEntry(owner, mia, g.secret)
	a.EphemeralPublicKey = offCurve
	refuse("admin with an off-curve ephemeral key", "POST", "groups/kcrew/admins",
		mustJSON(t, map[string]any{"admins": []any{a}, "signature": e.groupSignature(g)}), "ephemeralPublicKey")
	gr := e.grant(owner, "user", rex.id, pt, rex.pk)
	gr.EphemeralPublicKey = offCurve
	refuse("grant with an off-curve ephemeral key", "POST", "documents/kd1/access",
		mustJSON(t, map[string]any{"fromPublicKey": publicKeyFrom(owner.pk), "to": []any{gr}}), "ephemeralPublicKey")

	// A device whose transform key has a bad hashed temp key, with a valid device-add signature.
	jwt := e.jwt(mia.id)
	status, b := e.withJWT(jwt, "POST", "users/devices", e.deviceAddBodyWith(mia, jwt, func(tk *transformKeyJSON) { tk.HashedTempKey = offTwist }))
	if status != 400 || !strings.Contains(string(b), "hashedTempKey") {
		t.Errorf("device add with a bad hashedTempKey: %d %s, want 400 naming hashedTempKey", status, b)
	}

	if got := e.s.Stats(); got != before {
		t.Errorf("store %+v after refusals, want %+v", got, before)
	}
	for _, u := range []*tuser{mia, rex} {
		if status, b := e.v2(u, "GET", "documents/kd1", nil); status != 404 {
			t.Errorf("GET documents/kd1 as %s: %d %s, want 404 (no access was stored)", u.id, status, b)
		}
	}
	if status, b := e.v2(owner, "GET", "groups/kcrew", nil); status != 200 || bytes.Contains(b, []byte(mia.id)) {
		t.Errorf("group after refusals: %d %s, want it without %s", status, b, mia.id)
	}
}

// deviceAddBodyWith is deviceAddBody with the transform key edited before it is signed; u's
// device keys are left as they were.
func (e *env) deviceAddBodyWith(u *tuser, jwt string, edit func(*transformKeyJSON)) []byte {
	e.t.Helper()
	var req map[string]json.RawMessage
	scratch := *u
	if err := json.Unmarshal(e.deviceAddBody(&scratch, jwt, e.clock.Now()), &req); err != nil {
		e.t.Fatal(err)
	}
	var dev struct {
		TransformKey *transformKeyJSON `json:"transformKey"`
	}
	if err := json.Unmarshal(req["device"], &dev); err != nil {
		e.t.Fatal(err)
	}
	edit(dev.TransformKey)
	ms := strconv.FormatInt(e.clock.Now().UnixMilli(), 10)
	pkb := u.pk.Bytes()
	msg := append(append(append([]byte(ms), dev.TransformKey.bytes()...), jwt...), pkb[:]...)
	sig, err := e.rc.SchnorrSign(u.sk, u.pk, msg)
	if err != nil {
		e.t.Fatal(err)
	}
	return []byte(fmt.Sprintf(`{"timestamp":%s,"device":{"transformKey":%s,"name":null},"signature":%s,"userPublicKey":%s}`,
		ms, mustJSON(e.t, dev.TransformKey), mustJSON(e.t, sig[:]), mustJSON(e.t, publicKeyFrom(u.pk))))
}
