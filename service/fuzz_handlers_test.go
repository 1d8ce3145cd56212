package service

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// fuzzAuth is how the harness signs a fuzzed request.
const (
	fuzzNoAuth   = iota // the fuzzed headers only
	fuzzV2Alice         // version 2, as alice's device
	fuzzV2Bob           // version 2, as bob's device
	fuzzJWTAlice        // a valid JWT for alice
	fuzzJWTCarol        // a valid JWT for carol, who does not exist at first
	fuzzV1Alice         // version 1, as alice's device
	fuzzAuthModes
)

// fuzzWorld is the service the handler fuzzer talks to, with two users who have devices, a
// group and a document shared with both and the group, on a stopped clock.
type fuzzWorld struct {
	e                  *env
	alice, bob         *tuser
	aliceDev, bobDev   *device
	jwtAlice, jwtCarol string
	limits             Limits
	checked            map[any]bool // stored values already found usable (they are immutable)
}

func newFuzzWorld(f *testing.F) *fuzzWorld {
	limits := Limits{MaxUsers: 100, MaxDevices: 200, MaxGroups: 200, MaxDocuments: 500}
	e := newEnv(f, Config{Limits: limits, ReplayWindow: time.Minute})
	w := &fuzzWorld{e: e, limits: limits, checked: map[any]bool{}}
	w.alice, w.bob = e.newUser("fz-alice"), e.newUser("fz-bob")
	g := e.createGroup(w.alice, "fz-g")
	r := e.createGroup(w.alice, "fz-r") // rotated by a seed; fz-g keeps its key, so its seeds stay signed
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		f.Fatal(err)
	}
	body := e.docBody(w.alice, "fz-d", pt, e.grant(w.alice, "user", w.bob.id, pt, w.bob.pk), e.grant(w.alice, "group", g.id, pt, g.pk))
	if status, b := e.v2(w.alice, "POST", "documents", body); status != 201 {
		f.Fatalf("create document: %d %s", status, b)
	}
	w.aliceDev, _ = e.s.store.deviceBySigningKey(pubOf(w.alice))
	w.bobDev, _ = e.s.store.deviceBySigningKey(pubOf(w.bob))
	w.jwtAlice, w.jwtCarol = e.jwt(w.alice.id), e.jwt("fz-carol")
	w.seed(f, g, r, pt)
	return w
}

func pubOf(u *tuser) []byte { p := u.signing.PublicKey(); return p[:] }

// seed adds a valid request for every route to the corpus.
func (w *fuzzWorld) seed(f *testing.F, g, rot *tgroup, pt recrypt.Plaintext) {
	e, alice, bob := w.e, w.alice, w.bob
	_, carolPK, err := e.rc.GenerateKeyPair()
	if err != nil {
		f.Fatal(err)
	}
	priv := make([]byte, masterKeyEnSize)
	rand.Read(priv)
	scratch := *alice
	g2 := e.groupKeys("fz-g2")
	ptNew, err := e.rc.GeneratePlaintext()
	if err != nil {
		f.Fatal(err)
	}
	next := e.groupKeys(rot.id)
	factor := rot.sk.AugmentMinus(next.sk).Bytes()
	grantBody := func(from *tuser, to ...accessGrantJSON) []byte {
		return mustJSON(f, map[string]any{"fromPublicKey": publicKeyFrom(from.pk), "to": to})
	}
	edeks := pbBytes(nil, 1, pbEdek(false, alice.id, e.encryptTo(alice, pt, alice.pk)))
	edeks = pbBytes(edeks, 2, []byte("fz-u"))
	edeks = pbVarint(edeks, 3, uint64(e.s.Project().SegmentID))
	for _, s := range []struct {
		auth         uint8
		method, path string
		body         []byte
	}{
		{fuzzNoAuth, "GET", "/health", nil},
		{fuzzNoAuth, "PUT", "/admin/faults", []byte(`[]`)},
		{fuzzJWTAlice, "GET", "/api/1/users/verify?returnKeys=true", nil},
		{fuzzJWTCarol, "POST", "/api/1/users", mustJSON(f, userCreateReq{UserPublicKey: publicKeyFrom(carolPK), UserPrivateKey: priv})},
		{fuzzJWTAlice, "POST", "/api/1/users/devices", e.deviceAddBody(&scratch, w.jwtAlice, e.clock.Now())},
		{fuzzJWTAlice, "PUT", "/api/1/users/fz-alice", []byte(`{"status":1}`)},
		{fuzzV2Alice, "PUT", "/api/1/users/fz-alice", mustJSON(f, userUpdateReq{UserPrivateKey: priv})},
		{fuzzV2Alice, "GET", "/api/1/users/current", nil},
		{fuzzV1Alice, "GET", "/api/1/users/current", nil},
		{fuzzV2Alice, "GET", "/api/1/users?id=fz-alice%2Cfz-bob", nil},
		{fuzzV2Alice, "GET", "/api/1/users/fz-alice/devices", nil},
		{fuzzV2Alice, "DELETE", "/api/1/users/fz-alice/devices/999", []byte("null")},
		{fuzzV2Bob, "PUT", "/api/1/users/fz-bob/keys/1", mustJSON(f, userKeyUpdateReq{UserPrivateKey: priv, AugmentationFactor: e.randomFactor()})},
		{fuzzV2Alice, "POST", "/api/1/groups", e.groupBody(alice, g2)},
		{fuzzV2Alice, "GET", "/api/1/groups", nil},
		{fuzzV2Bob, "GET", "/api/1/groups?id=fz-g", nil},
		{fuzzV2Alice, "GET", "/api/1/groups/fz-g", nil},
		{fuzzV2Alice, "PUT", "/api/1/groups/fz-g", []byte(`{"name":"n"}`)},
		{fuzzV2Alice, "DELETE", "/api/1/groups/fz-g2", []byte("null")},
		{fuzzV2Alice, "POST", "/api/1/groups/fz-g/users", mustJSON(f, map[string]any{"users": []any{e.memberEntry(alice, bob, g)}, "signature": e.groupSignature(g)})},
		{fuzzV2Alice, "POST", "/api/1/groups/fz-g/admins", mustJSON(f, map[string]any{"admins": []any{e.adminEntry(alice, bob, g.secret)}, "signature": e.groupSignature(g)})},
		{fuzzV2Alice, "DELETE", "/api/1/groups/fz-g/users", []byte(`{"users":[{"userId":"fz-bob"}]}`)},
		{fuzzV2Alice, "DELETE", "/api/1/groups/fz-g/admins", []byte(`{"users":[{"userId":"fz-bob"}]}`)},
		{fuzzV2Alice, "PUT", "/api/1/groups/fz-r/keys/1", mustJSON(f, groupKeyUpdateReq{
			Admins: []groupAdminJSON{e.adminEntry(alice, alice, next.secret)}, AugmentationFactor: factor[:]})},
		{fuzzV2Alice, "POST", "/api/1/documents", e.docBody(alice, "fz-new", ptNew, e.grant(alice, "group", g.id, ptNew, g.pk))},
		{fuzzV2Alice, "GET", "/api/1/documents", nil},
		{fuzzV2Bob, "GET", "/api/1/documents/fz-d", nil},
		{fuzzV2Alice, "PUT", "/api/1/documents/fz-d", []byte(`{"name":"x"}`)},
		{fuzzV2Bob, "POST", "/api/1/documents/fz-d/access", grantBody(bob, e.grant(bob, "user", alice.id, ptNew, alice.pk))},
		{fuzzV2Alice, "DELETE", "/api/1/documents/fz-d/access", []byte(`{"userOrGroups":[{"type":"user","id":"fz-bob"}]}`)},
		{fuzzV2Alice, "POST", "/api/1/edeks/transform", edeks},
		{fuzzV2Alice, "GET", "/api/1/policies?category=A", nil},
		{fuzzV2Alice, "GET", "/api/1/documents/..", nil},
	} {
		f.Add(s.auth, s.method, s.path, "Content-Type: application/json", s.body)
	}
}

// request builds the fuzzed request as the server would read it off the wire, signed as auth
// asks; ok is false for input no HTTP server would hand a handler.
func (w *fuzzWorld) request(auth uint8, method, target, headers string, body []byte) (*http.Request, bool) {
	if strings.ContainsAny(method+target, " \r\n") || method == "" || target == "" {
		return nil, false
	}
	now := w.e.clock.Now()
	var hdr http.Header
	switch auth % fuzzAuthModes {
	case fuzzV2Alice, fuzzV2Bob:
		u := w.alice
		if auth%fuzzAuthModes == fuzzV2Bob {
			u = w.bob
		}
		hdr = w.e.v2Headers(u, method, signedTarget(target), body, now)
	case fuzzJWTAlice:
		hdr = http.Header{"Authorization": {"jwt " + w.jwtAlice}}
	case fuzzJWTCarol:
		hdr = http.Header{"Authorization": {"jwt " + w.jwtCarol}}
	case fuzzV1Alice:
		hdr = w.e.v1Headers(w.alice, now)
	}
	var raw bytes.Buffer
	fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n", method, target, len(body))
	for k, vs := range hdr {
		for _, v := range vs {
			fmt.Fprintf(&raw, "%s: %s\r\n", k, v)
		}
	}
	for _, line := range strings.Split(headers, "\n") {
		k, v, found := strings.Cut(strings.TrimSuffix(line, "\r"), ":")
		if !found || strings.ContainsAny(k+v, "\r\n") || strings.EqualFold(k, "Host") ||
			strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Transfer-Encoding") {
			continue
		}
		fmt.Fprintf(&raw, "%s:%s\r\n", k, v)
	}
	raw.WriteString("\r\n")
	raw.Write(body)
	r, err := http.ReadRequest(bufio.NewReader(&raw))
	if err != nil {
		return nil, false
	}
	r.RemoteAddr = "192.0.2.1:4000" // not loopback: a fuzzed PUT /admin/faults must not inject faults
	return r, true
}

// signedTarget is what version 2 signs for a request target as sent (spec §3.2.4).
func signedTarget(target string) string {
	p, q, ok := strings.Cut(target, "?")
	if !ok {
		return p
	}
	return p + "?" + strings.ReplaceAll(q, "%27", "'")
}

// revive undoes what a fuzzed request may do to the harness's own identities (delete their
// devices, disable them), so later inputs can still sign, and takes bob out of group fz-g again,
// so that adding him (with whatever key the fuzzer made) is news to the store.
func (w *fuzzWorld) revive() {
	st := w.e.s.store
	if g, ok := st.groups.get("fz-g"); ok {
		g.mu.Lock()
		delete(g.members, w.bob.id)
		if g.owner != w.bob.id && len(g.admins) > 1 {
			delete(g.admins, w.bob.id)
		}
		g.mu.Unlock()
	}
	for _, d := range []*device{w.aliceDev, w.bobDev} {
		u, _ := st.user(d.userID)
		u.mu.Lock()
		u.st = statusEnabled
		_, has := u.devices[d.id]
		if !has {
			u.devices[d.id] = d
		}
		u.mu.Unlock()
		if st.devices.insert(d.signing, d) {
			st.nDevices.Add(1)
		}
	}
}

// grantSnapshot is every stored EDEK by document and grantee.
func (w *fuzzWorld) grantSnapshot() map[string]map[grantee]*recrypt.EncryptedValue {
	out := map[string]map[grantee]*recrypt.EncryptedValue{}
	forEach(w.e.s.store.docs, func(id string, d *document) {
		d.mu.Lock()
		m := make(map[grantee]*recrypt.EncryptedValue, len(d.grants))
		for gr, g := range d.grants {
			m[gr] = g.edek
		}
		d.mu.Unlock()
		out[id] = m
	})
	return out
}

// forEach calls fn for every entry of sm, one shard at a time.
func forEach[K comparable, V any](sm *shardMap[K, V], fn func(K, V)) {
	for i := range sm.shards {
		sh := &sm.shards[i]
		sh.mu.RLock()
		entries := make(map[K]V, len(sh.m))
		for k, v := range sh.m {
			entries[k] = v
		}
		sh.mu.RUnlock()
		for k, v := range entries {
			fn(k, v)
		}
	}
}

// checkStore checks the store's invariants and returns the first broken one.
func (w *fuzzWorld) checkStore(before map[string]map[grantee]*recrypt.EncryptedValue) error {
	st := w.e.s.store
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	var nUsers, nDevices, nGroups, nDocs, userDevices int64
	forEach(st.users, func(id string, u *user) {
		nUsers++
		u.mu.Lock()
		for did, d := range u.devices {
			userDevices++
			if d.id != did || d.userID != id {
				bad("user %s: device %d is %d of %s", id, did, d.id, d.userID)
			}
		}
		u.mu.Unlock()
		if _, err := recrypt.NewPublicKey(u.publicKey.X, u.publicKey.Y); err != nil {
			bad("user %s: stored public key: %v", id, err)
		}
	})
	forEach(st.devices, func(k [signingKeySize]byte, d *device) {
		nDevices++
		u, ok := st.user(d.userID)
		if !ok {
			bad("device %d: user %s does not exist", d.id, d.userID)
			return
		}
		u.mu.Lock()
		same := u.devices[d.id] == d
		u.mu.Unlock()
		if !same || k != d.signing {
			bad("device %d is not its user's device %d", d.id, d.id)
		}
		if err := checkOnce(w.checked, d.transformKey, checkStoredTransformKey); err != nil {
			bad("device %d: %v", d.id, err)
		}
	})
	forEach(st.groups, func(id string, g *group) {
		nGroups++
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.admins) == 0 {
			bad("group %s has no admin", id)
		}
		if _, ok := g.admins[g.owner]; !ok {
			bad("group %s: owner %s is not an admin", id, g.owner)
		}
		for uid, ev := range g.admins {
			if err := checkOnce(w.checked, ev, checkStoredValue); err != nil {
				bad("group %s admin %s: %v", id, uid, err)
			}
		}
		for uid, tk := range g.members {
			if err := checkOnce(w.checked, tk, checkStoredTransformKey); err != nil {
				bad("group %s member %s: %v", id, uid, err)
			}
		}
	})
	forEach(st.docs, func(id string, d *document) {
		nDocs++
		d.mu.Lock()
		defer d.mu.Unlock()
		for gr, g := range d.grants {
			if err := checkOnce(w.checked, g.edek, checkStoredValue); err != nil {
				bad("document %s grant %v: %v", id, gr, err)
			}
			if old := before[id][gr]; old != nil && old != g.edek {
				bad("document %s: the key of %v was replaced", id, gr)
			}
		}
	})
	counts := [][3]any{
		{"users", nUsers, st.nUsers.Load()}, {"devices", nDevices, st.nDevices.Load()},
		{"groups", nGroups, st.nGroups.Load()}, {"documents", nDocs, st.nDocs.Load()},
		{"devices held by users", userDevices, st.nDevices.Load()},
	}
	for _, c := range counts {
		if c[1] != c[2] {
			bad("%s: %d stored, counter says %d", c[0], c[1], c[2])
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// checkOnce runs check on v unless v passed it before.
func checkOnce[T any](seen map[any]bool, v *T, check func(*T) error) error {
	if seen[v] {
		return nil
	}
	if err := check(v); err != nil {
		return err
	}
	seen[v] = true
	return nil
}

// checkStoredTransformKey checks what a transform through tk needs: its points and signature.
func checkStoredTransformKey(tk *recrypt.TransformKey) error {
	_, err := tk.JSON().Value()
	if err == nil && !tk.PublicSigningKey.Verify(tkSignedBytes(tk), tk.Signature[:]) {
		err = fmt.Errorf("transform key signature does not verify")
	}
	return err
}

func tkSignedBytes(tk *recrypt.TransformKey) []byte {
	return tkJSONFrom(*tk).signedBytes()
}

// checkStoredValue checks what a transform of ev needs: its points and signature.
func checkStoredValue(ev *recrypt.EncryptedValue) error {
	if ev == nil {
		return fmt.Errorf("nil encrypted value")
	}
	_, err := ev.JSON().Value()
	if err == nil {
		psk := ev.PublicSigningKey
		if !psk.Verify(append(psk[:], ev.PayloadImage()...), ev.Signature[:]) {
			err = fmt.Errorf("encrypted value signature does not verify")
		}
	}
	return err
}

// full reports whether 507 is the right answer: some store limit is reached.
func (w *fuzzWorld) full() bool {
	st, l := w.e.s.Stats(), w.limits
	return st.Users >= int64(l.MaxUsers) || st.Devices >= int64(l.MaxDevices) || st.Groups >= int64(l.MaxGroups) || st.Documents >= int64(l.MaxDocuments)
}

// FuzzHandlers sends fuzzed requests (method, target, headers, body), signed by one of the
// harness's identities where the mode asks, to the service's handler, and wants: no panic, no
// 5xx (but 507 when the store is full), every refusal the spec's error array, and the store's
// invariants after each request (counts, device ownership, every stored key and EDEK usable,
// groups with an owner who is an admin, no grant's key replaced). State carries over between
// inputs, as it would for a client; a failure prints the request.
//
//	go test -run '^$' -fuzz '^FuzzHandlers$' -parallel 1 -fuzztime 5m ./service
func FuzzHandlers(f *testing.F) {
	w := newFuzzWorld(f)
	h := w.e.s.Handler()
	f.Fuzz(func(t *testing.T, auth uint8, method, target, headers string, body []byte) {
		r, ok := w.request(auth, method, target, headers, body)
		if !ok {
			return
		}
		before := w.grantSnapshot()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		desc := fmt.Sprintf("auth %d %s %s headers %q body %q", auth%fuzzAuthModes, method, target, headers, body)
		if rec.Code >= 500 && !(rec.Code == http.StatusInsufficientStorage && w.full()) {
			t.Fatalf("%s: %d %s", desc, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var errs []apiError
			if err := json.Unmarshal(rec.Body.Bytes(), &errs); err != nil || len(errs) == 0 || errs[0].Message == "" {
				t.Fatalf("%s: %d with body %q, not the error array", desc, rec.Code, rec.Body)
			}
		}
		if err := w.checkStore(before); err != nil {
			t.Fatalf("%s: %d: store invariant broken: %v", desc, rec.Code, err)
		}
		w.revive()
		if rec.Code < 300 && method != "GET" {
			w.readBack(t, desc)
		}
	})
}

// readBack fetches the seed document as both harness users after a request that changed the
// store: whatever was stored, the answer is no 5xx.
func (w *fuzzWorld) readBack(t *testing.T, desc string) {
	for _, who := range []struct {
		u    *tuser
		auth uint8
	}{{w.alice, fuzzV2Alice}, {w.bob, fuzzV2Bob}} {
		u := who.u
		r, _ := w.request(who.auth, "GET", "/api/1/documents/fz-d", "", nil)
		rec := httptest.NewRecorder()
		w.e.s.Handler().ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("after %s: GET documents/fz-d as %s: %d %s", desc, u.id, rec.Code, rec.Body)
		}
	}
}
