package service

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestUserVerifyAndCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	jwt := e.jwt("fay")
	if status, b := e.withJWT(jwt, "GET", "users/verify?returnKeys=true", nil); status != 204 || len(b) != 0 {
		t.Fatalf("verify before create: %d %q, want 204 and no body", status, b)
	}
	u := e.createUser("fay")
	status, b := e.withJWT(jwt, "GET", "users/verify?returnKeys=true", nil)
	if status != 200 {
		t.Fatalf("verify after create: %d %s", status, b)
	}
	var got userResp
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != "fay" || got.Status != statusEnabled || got.SegmentID != e.s.Project().SegmentID ||
		len(got.UserPrivateKey) != masterKeyEnSize || !got.UserMasterPublicKey.equal(publicKeyFrom(u.pk)) {
		t.Errorf("verify = %+v", got)
	}

	bad := []struct {
		name, body string
		status     int
		want       string
	}{
		{"exists", string(mustJSON(t, userCreateReq{UserPublicKey: publicKeyFrom(u.pk), UserPrivateKey: make([]byte, 92)})), 409, "already exists"},
		{"not JSON", `{"userPublicKey":`, 400, "malformed JSON"},
		{"trailing data", `{} {}`, 400, "data after the value"},
		{"no public key", `{"userPrivateKey":"` + strings.Repeat("A", 124) + `"}`, 400, "userPublicKey is missing"},
		{"short private key", string(mustJSON(t, userCreateReq{UserPublicKey: publicKeyFrom(u.pk), UserPrivateKey: make([]byte, 91)})), 400, "userPrivateKey must be 92 bytes"},
		{"point not on the curve", string(mustJSON(t, userCreateReq{UserPublicKey: &publicKeyJSON{X: make([]byte, 32), Y: append(make([]byte, 31), 5)}, UserPrivateKey: make([]byte, 92)})), 400, "not on curve"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			id := "fay"
			if tt.name != "exists" {
				id = "gus"
			}
			status, b := e.withJWT(e.jwt(id), "POST", "users", []byte(tt.body))
			if status != tt.status {
				t.Fatalf("status %d %s, want %d", status, b, tt.status)
			}
			if errs := errorBody(t, b); !strings.Contains(errs[0].Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", errs[0].Message, tt.want)
			}
		})
	}
	if n := e.s.store.nUsers.Load(); n != 1 {
		t.Errorf("%d users after refused creates, want 1", n)
	}
}

func TestDeviceAddRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	u := e.createUser("hal")
	other := e.createUser("ida")
	now := e.clock.Now()
	tests := []struct {
		name   string
		send   func() (int, []byte)
		status int
		want   string
	}{
		{"Schnorr over another JWT", func() (int, []byte) {
			jwt := e.jwt("hal")
			return e.withJWT(jwt, "POST", "users/devices", e.deviceAddBody(u, e.jwt("hal")+"x", now))
		}, 401, "Schnorr"},
		{"Schnorr by another user's key", func() (int, []byte) {
			jwt := e.jwt("hal")
			forged := &tuser{id: "hal", sk: other.sk, pk: u.pk}
			return e.withJWT(jwt, "POST", "users/devices", e.deviceAddBody(forged, jwt, now))
		}, 401, "Schnorr"},
		{"timestamp outside the skew window", func() (int, []byte) {
			jwt := e.jwt("hal")
			return e.withJWT(jwt, "POST", "users/devices", e.deviceAddBody(u, jwt, now.Add(-DefaultClockSkew-time.Second)))
		}, 401, "allowed is"},
		{"another user's public key", func() (int, []byte) {
			jwt := e.jwt("hal")
			return e.withJWT(jwt, "POST", "users/devices", e.deviceAddBody(&tuser{id: "hal", sk: other.sk, pk: other.pk}, jwt, now))
		}, 401, "userPublicKey"},
		{"transform key signature forged", func() (int, []byte) {
			jwt := e.jwt("hal")
			body := e.deviceAddBody(u, jwt, now)
			var req map[string]any
			json.Unmarshal(body, &req)
			req["device"].(map[string]any)["transformKey"].(map[string]any)["signature"] = make([]byte, 64)
			return e.withJWT(jwt, "POST", "users/devices", mustJSON(t, req))
		}, 400, "transformKey.signature does not verify"},
		{"unknown user", func() (int, []byte) {
			jwt := e.jwt("nobody")
			return e.withJWT(jwt, "POST", "users/devices", e.deviceAddBody(u, jwt, now))
		}, 404, "does not exist"},
		{"malformed", func() (int, []byte) {
			return e.withJWT(e.jwt("hal"), "POST", "users/devices", []byte(`{"timestamp":"x"`))
		}, 400, "malformed"},
		{"no device", func() (int, []byte) {
			return e.withJWT(e.jwt("hal"), "POST", "users/devices", []byte(`{"timestamp":1}`))
		}, 400, "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, b := tt.send()
			if status != tt.status {
				t.Fatalf("status %d %s, want %d", status, b, tt.status)
			}
			if errs := errorBody(t, b); !strings.Contains(errs[0].Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", errs[0].Message, tt.want)
			}
		})
	}
	if n := e.s.store.nDevices.Load(); n != 0 {
		t.Errorf("refused device adds left %d devices", n)
	}
	// An older SDK's body (name omitted) is accepted.
	jwt := e.jwt("hal")
	body := strings.Replace(string(e.deviceAddBody(u, jwt, now)), `,"name":null`, "", 1)
	if status, b := e.withJWT(jwt, "POST", "users/devices", []byte(body)); status != 201 {
		t.Fatalf("device add without name: %d %s", status, b)
	}
}

func TestUserEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	u := e.newUser("jo")
	peer := e.newUser("kim")

	// #5 users/current
	status, b := e.v2(u, "GET", "users/current", nil)
	var cur currentUserResp
	if status != 200 || json.Unmarshal(b, &cur) != nil || cur.ID != "jo" || cur.CurrentKeyID != 1 || cur.GroupsNeedingRotation == nil {
		t.Fatalf("users/current: %d %s", status, b)
	}

	// #6 users?id=: unknown users are absent.
	status, b = e.v2(u, "GET", "users?id=jo%2Ckim%2Cnobody", nil)
	var keys resultList[userKeyResp]
	if status != 200 || json.Unmarshal(b, &keys) != nil || len(keys.Result) != 2 || keys.Result[1].ID != "kim" {
		t.Fatalf("users?id=: %d %s", status, b)
	}
	if status, _ := e.v2(u, "GET", "users?id=", nil); status != 400 {
		t.Errorf("users?id= with no IDs: %d, want 400", status)
	}

	// #7 device list: a second device, then list marks the current one.
	e.addDevice(u) // u now signs with its second device
	status, b = e.v2(u, "GET", "users/jo/devices", nil)
	var devs resultList[deviceResp]
	if status != 200 || json.Unmarshal(b, &devs) != nil || len(devs.Result) != 2 {
		t.Fatalf("device list: %d %s", status, b)
	}
	if *devs.Result[0].IsCurrentDevice || !*devs.Result[1].IsCurrentDevice || devs.Result[1].ID != u.deviceID {
		t.Errorf("device list %s: want the second device current", b)
	}
	if status, _ := e.v2(u, "GET", "users/kim/devices", nil); status != 403 {
		t.Errorf("listing another user's devices: %d, want 403", status)
	}

	// #8 device delete: the first device by ID (ironoxide's null body), then a repeat is 404.
	first := devs.Result[0].ID
	path := "users/jo/devices/" + itoa(int(first))
	if status, b := e.v2(u, "DELETE", path, []byte("null")); status != 200 || string(b) != `{"id":`+itoa(int(first))+`}` {
		t.Fatalf("device delete: %d %s", status, b)
	}
	if status, _ := e.v2(u, "DELETE", path, nil); status != 404 {
		t.Errorf("deleting it again: %d, want 404", status)
	}
	if status, _ := e.v2(peer, "DELETE", "users/jo/devices/"+itoa(int(u.deviceID)), []byte("null")); status != 403 {
		t.Errorf("deleting another user's device: %d, want 403", status)
	}
	// .../devices/current deletes the signing device; it can sign no more.
	if status, b := e.v2(peer, "DELETE", "users/kim/devices/current", nil); status != 200 {
		t.Fatalf("delete current: %d %s", status, b)
	}
	if status, _ := e.v2(peer, "GET", "users/current", nil); status != 401 {
		t.Errorf("deleted device signs: %d, want 401", status)
	}

	// #9 self update: new escrowed key; enabling is refused; disabling locks the user out.
	newKey := make([]byte, 92)
	newKey[0] = 7
	if status, b := e.v2(u, "PUT", "users/jo", mustJSON(t, map[string]any{"userPrivateKey": newKey})); status != 200 {
		t.Fatalf("change password: %d %s", status, b)
	}
	if status, _ := e.v2(u, "PUT", "users/jo", []byte(`{"status":1}`)); status != 400 {
		t.Errorf("enabling self: %d, want 400", status)
	}
	if status, _ := e.v2(u, "PUT", "users/jo", []byte(`{"status":0}`)); status != 200 {
		t.Fatalf("disable self: %d", status)
	}
	if status, _ := e.v2(u, "GET", "users/current", nil); status != 403 {
		t.Errorf("disabled user's init: %d, want 403", status)
	}

	// #4 status with a JWT: a disabled user can still verify, and is re-enabled.
	jwt := e.jwt("jo")
	status, b = e.withJWT(jwt, "GET", "users/verify?returnKeys=true", nil)
	var v userResp
	if status != 200 || json.Unmarshal(b, &v) != nil || v.Status != statusDisabled || v.UserPrivateKey[0] != 7 {
		t.Fatalf("verify disabled user: %d %s", status, b)
	}
	if status, _ := e.withJWT(jwt, "PUT", "users/kim", []byte(`{"status":1}`)); status != 403 {
		t.Errorf("status of another user: %d, want 403", status)
	}
	if status, _ := e.withJWT(jwt, "PUT", "users/jo", []byte(`{"status":2}`)); status != 400 {
		t.Errorf("status 2: %d, want 400", status)
	}
	if status, b := e.withJWT(jwt, "PUT", "users/jo", []byte(`{"status":1}`)); status != 200 {
		t.Fatalf("enable with JWT: %d %s", status, b)
	}
	if status, _ := e.v2(u, "GET", "users/current", nil); status != 200 {
		t.Errorf("re-enabled user's init: %d, want 200", status)
	}
}

func TestIDsNeedingEncoding(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	// Every character class the spec allows (§2.4), as ironoxide's tests use.
	id := "abcABC012_.$#|@/:;=+'-x"
	u := e.newUser(id)
	enc := "abcABC012_.%24%23%7C%40%2F%3A%3B%3D%2B'-x"
	if status, b := e.v2(u, "GET", "users/"+enc+"/devices", nil); status != 200 {
		t.Fatalf("device list with an encoded ID in the path: %d %s", status, b)
	}
	// In the query, ' goes out as %27 and is signed as ' (spec §3.2.4).
	wire := "users?id=abcABC012_.%24%23%7C%40%2F%3A%3B%3D%2B%27-x"
	signed := "/api/1/users?id=abcABC012_.%24%23%7C%40%2F%3A%3B%3D%2B'-x"
	status, b := e.do("GET", wire, nil, e.v2Headers(u, "GET", signed, nil, e.clock.Now()))
	var keys resultList[userKeyResp]
	if status != 200 || json.Unmarshal(b, &keys) != nil || len(keys.Result) != 1 || keys.Result[0].ID != id {
		t.Fatalf("users?id= with an encoded ID: %d %s", status, b)
	}
}
