package service

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"github.com/ironcorelabs/loadgen/sdk/recrypt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestJWTRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := e.s.Project()
	now := e.clock.Now()
	tests := []struct {
		name  string
		token func() string
		want  string // substring of the error message
	}{
		{"stale iat", func() string {
			c := e.validClaims("u1")
			c["iat"] = now.Add(-JWTLifetime - time.Second).Unix()
			return signJWT(t, p.Key, c)
		}, "issued"},
		{"iat beyond the skew window", func() string {
			c := e.validClaims("u1")
			c["iat"] = now.Add(DefaultClockSkew + time.Minute).Unix()
			return signJWT(t, p.Key, c)
		}, "in the future"},
		{"wrong project", func() string {
			c := e.validClaims("u1")
			c["pid"] = p.ID + 1
			return signJWT(t, p.Key, c)
		}, "pid"},
		{"wrong segment", func() string {
			c := e.validClaims("u1")
			c["sid"] = "other-segment"
			return signJWT(t, p.Key, c)
		}, "sid"},
		{"unknown kid", func() string {
			c := e.validClaims("u1")
			c["kid"] = p.KeyID + 1
			return signJWT(t, p.Key, c)
		}, "kid"},
		{"signed by another key", func() string { return signJWT(t, other, e.validClaims("u1")) }, "signature does not verify"},
		{"missing sub", func() string {
			c := e.validClaims("u1")
			delete(c, "sub")
			return signJWT(t, p.Key, c)
		}, "sub is missing"},
		{"missing pid", func() string {
			c := e.validClaims("u1")
			delete(c, "pid")
			return signJWT(t, p.Key, c)
		}, "pid is missing"},
		{"bad user ID", func() string { return signJWT(t, p.Key, e.validClaims("no spaces allowed")) }, "user ID"},
		{"alg none", func() string {
			tok := e.jwt("u1")
			parts := strings.Split(tok, ".")
			return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
		}, "alg"},
		{"payload altered", func() string {
			tok := e.jwt("u1")
			parts := strings.Split(tok, ".")
			c := e.validClaims("u2")
			b, _ := json.Marshal(c)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
		}, "signature does not verify"},
		{"not a JWS", func() string { return "garbage" }, "compact JWS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, b := e.withJWT(tt.token(), "GET", "users/verify?returnKeys=true", nil)
			if status != 401 {
				t.Fatalf("status %d %s, want 401", status, b)
			}
			if errs := errorBody(t, b); !strings.Contains(errs[0].Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", errs[0].Message, tt.want)
			}
			// The same token must not create a user either.
			if status, _ := e.withJWT(tt.token(), "POST", "users", []byte(`{}`)); status != 401 {
				t.Errorf("user create with the token: %d, want 401", status)
			}
		})
	}
	if n := e.s.store.nUsers.Load(); n != 0 {
		t.Errorf("refused JWTs left %d users", n)
	}
	if status, _ := e.do("GET", "users/verify?returnKeys=true", nil, nil); status != 401 {
		t.Errorf("no Authorization: %d, want 401", status)
	}
}

func TestJWTAccepted(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Config{IdentityKeys: []IdentityKey{{ID: 7, PublicKey: &rsaKey.PublicKey}}})
	p := e.s.Project()
	rs256 := func(c claims) string {
		hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
		b, _ := json.Marshal(c)
		signing := hdr + "." + base64.RawURLEncoding.EncodeToString(b)
		d := sha256.Sum256([]byte(signing))
		sig, err := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, d[:])
		if err != nil {
			t.Fatal(err)
		}
		return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	now := e.clock.Now().Unix()
	tests := []struct {
		name, token, user string
	}{
		{"ES256", e.jwt("plain"), "plain"},
		{"RS256 with a further key", rs256(claims{"sub": "rsa", "iat": now, "exp": now + 120, "pid": p.ID, "sid": p.Segment, "kid": 7}), "rsa"},
		{"prefixed claims (Auth0)", signJWT(t, p.Key, claims{"sub": "auth0|x", "iat": now, "exp": now + 120,
			"http://ironcore/pid": p.ID, "http://ironcore/sid": p.Segment, "http://ironcore/kid": p.KeyID}), "auth0|x"},
		{"uid overrides sub", signJWT(t, p.Key, claims{"sub": "ignored", "http://ironcore/uid": "the-uid", "iat": now, "exp": now + 120,
			"pid": p.ID, "sid": p.Segment, "kid": p.KeyID}), "the-uid"},
		{"iat slightly in the future", signJWT(t, p.Key, claims{"sub": "future", "iat": now + 20, "exp": now + 140,
			"pid": p.ID, "sid": p.Segment, "kid": p.KeyID}), "future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, b := e.withJWT(tt.token, "GET", "users/verify?returnKeys=true", nil); status != 204 || len(b) != 0 {
				t.Fatalf("verify: %d %q, want 204 with no body", status, b)
			}
			status, b := e.withJWT(tt.token, "POST", "users", mustJSON(t, userCreateReq{UserPublicKey: publicKeyFrom(e.createKey(t)), UserPrivateKey: make([]byte, 92)}))
			if status != 201 {
				t.Fatalf("create: %d %s", status, b)
			}
			var u userResp
			if err := json.Unmarshal(b, &u); err != nil || u.ID != tt.user {
				t.Errorf("created %+v (%v), want user %s", u, err, tt.user)
			}
		})
	}
}

func TestDeviceAuthRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	u := e.newUser("dana")
	stranger := &tuser{id: "dana"}
	if _, err := e.rc.GenerateEd25519KeyPair(); err != nil {
		t.Fatal(err)
	}
	stranger.signing, _ = e.rc.GenerateEd25519KeyPair()
	other := e.newUser("erin")
	now := e.clock.Now()
	path := "/api/1/users/current"
	tests := []struct {
		name   string
		hdr    func() http.Header
		status int
		want   string
	}{
		{"no authorization", func() http.Header { return nil }, 401, "missing Authorization"},
		{"jwt on a device route", func() http.Header { return http.Header{"Authorization": {"jwt " + e.jwt("dana")}} }, 401, "not an IronCore device signature"},
		{"v2 forged authorization", func() http.Header {
			h := e.v2Headers(u, "GET", path, nil, now)
			h.Set("Authorization", "IronCore 2."+base64.StdEncoding.EncodeToString(make([]byte, 64)))
			return h
		}, 401, "authorization signature does not verify"},
		{"v2 request signature over another path", func() http.Header { return e.v2Headers(u, "GET", "/api/1/users/verify", nil, now) }, 401, "X-IronCore-Request-Sig does not verify"},
		{"v2 request signature over another method", func() http.Header { return e.v2Headers(u, "POST", path, nil, now) }, 401, "X-IronCore-Request-Sig does not verify"},
		{"v2 request signature over a body not sent", func() http.Header { return e.v2Headers(u, "GET", path, []byte("null"), now) }, 401, "X-IronCore-Request-Sig does not verify"},
		{"v2 missing user context", func() http.Header {
			h := e.v2Headers(u, "GET", path, nil, now)
			h.Del(headerUserContext)
			return h
		}, 401, "missing X-IronCore-User-Context"},
		{"v2 too old", func() http.Header { return e.v2Headers(u, "GET", path, nil, now.Add(-DefaultClockSkew-time.Second)) }, 401, "allowed is"},
		{"v2 too new", func() http.Header { return e.v2Headers(u, "GET", path, nil, now.Add(DefaultClockSkew+time.Second)) }, 401, "allowed is"},
		{"v2 unknown device", func() http.Header { return e.v2Headers(stranger, "GET", path, nil, now) }, 401, "not a device of user"},
		{"v2 another user's device", func() http.Header {
			h := e.v2Headers(&tuser{id: "dana", signing: other.signing}, "GET", path, nil, now)
			return h
		}, 401, "not a device of user"},
		{"v1 forged", func() http.Header {
			h := e.v1Headers(u, now)
			a := h.Get("Authorization")
			h.Set("Authorization", a[:strings.LastIndexByte(a, '.')+1]+base64.StdEncoding.EncodeToString(make([]byte, 64)))
			return h
		}, 401, "version 1 signature does not verify"},
		{"v1 too old", func() http.Header { return e.v1Headers(u, now.Add(-DefaultClockSkew-time.Second)) }, 401, "allowed is"},
		{"v1 unknown device", func() http.Header { return e.v1Headers(stranger, now) }, 401, "not a device of user"},
		{"v1 not base64", func() http.Header { return http.Header{"Authorization": {"IronCore 1.%%%.%%%"}} }, 401, "not base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, b := e.do("GET", "users/current", nil, tt.hdr())
			if status != tt.status {
				t.Fatalf("status %d %s, want %d", status, b, tt.status)
			}
			if errs := errorBody(t, b); !strings.Contains(errs[0].Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", errs[0].Message, tt.want)
			}
		})
	}

	// Both versions succeed with good signatures, and the clock window moves with the server.
	for name, send := range map[string]func() (int, []byte){
		"v2": func() (int, []byte) { return e.v2(u, "GET", "users/current", nil) },
		"v1": func() (int, []byte) { return e.v1(u, "GET", "users/current", nil) },
	} {
		if status, b := send(); status != 200 {
			t.Errorf("%s: %d %s, want 200", name, status, b)
		}
	}
	e.clock.Set(now.Add(time.Hour))
	if status, _ := e.do("GET", "users/current", nil, e.v2Headers(u, "GET", path, nil, now)); status != 401 {
		t.Errorf("signature from an hour before the server's clock: %d, want 401", status)
	}
}

// createKey returns a fresh recrypt public key.
func (e *env) createKey(t *testing.T) recrypt.PublicKey {
	t.Helper()
	_, pk, err := e.rc.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	return pk
}
