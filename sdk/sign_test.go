package sdk

import (
	"crypto/ed25519"
	"encoding/base64"
	"net/http"
	"testing"
	"time"
)

// The signing vectors of the spec, §3.2.3 (ironoxide src/internal/rest.rs
// unit tests, re-verified independently).
const (
	vecKeyPair = "JtqNdfg6H7sRt6MxbUIJhINNxB91Dz0dq3exH9uk2t3Gyp/6iIGlA8Ovr2Nv5O8rExJ2dgBOvuKA01H+4DXC3A=="
	vecContext = "123456,1,user-10,xsqf+oiBpQPDr69jb+TvKxMSdnYATr7igNNR/uA1wtw="
	vecAuth    = "IronCore 2.CzATu+yKHO9edYZ6L27EXE4jKlk9p9hBhQsTJjj5ENFk2VhMfLp1ADKfaDQ/Q6u/Q7yHawq9L5Y1BFivdUYSCQ=="
	vecSigGET  = "7zvbj5mGKir4LxrQCcHCNc6md/487MMiBokumIIq4wEk+kJEFIKP1iBRK2cX8cs9h4XrdvXju3kEh0xdJBTlBw=="
	vecBody    = `{"k1":[42,42,42,42,42,42,42,42,42,42],"k2":64,"k3":"Fake text for a fake request","k4":-482949}`
	vecSigBody = "EdXNi3mkmHfEcFxhKfl3dri/Z1E0uGq6H+wbitD3N/Ooi9cq9tpmlkjoV4dnEFSKs/xxkOwlLOTwtVsM1f2lAw=="
)

func vectorKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	k, err := base64.StdEncoding.DecodeString(vecKeyPair)
	if err != nil || len(k) != 64 {
		t.Fatalf("vector key: %v (%d bytes)", err, len(k))
	}
	return k
}

func TestSignV2Vectors(t *testing.T) {
	t.Parallel()
	key := vectorKey(t)
	tests := []struct {
		name    string
		body    []byte
		wantSig string
	}{
		{"GET without body", nil, vecSigGET},
		{"with JSON body", []byte(vecBody), vecSigBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			uc, auth, sig := signV2(key, 123456, 1, "user-10", "GET", "/api/1/users?id=user-10", tt.body)
			if uc != vecContext {
				t.Errorf("user context = %q, want %q", uc, vecContext)
			}
			if auth != vecAuth {
				t.Errorf("authorization = %q, want %q", auth, vecAuth)
			}
			if sig != tt.wantSig {
				t.Errorf("request sig = %q, want %q", sig, tt.wantSig)
			}
		})
	}
}

func TestDeviceAuthHeaders(t *testing.T) {
	t.Parallel()
	a := deviceAuth{segmentID: 1, userID: "user-10", key: vectorKey(t)}
	h := http.Header{}
	a.authorize(h, "GET", "/api/1/users?id=user-10", nil, time.UnixMilli(123456))
	want := map[string]string{
		"authorization":           vecAuth,
		"x-ironcore-user-context": vecContext,
		"x-ironcore-request-sig":  vecSigGET,
	}
	for k, v := range want {
		if got := h[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestURLAndSigPath(t *testing.T) {
	t.Parallel()
	c, err := New(Config{BaseURL: "https://api.example.test/api/1/"})
	if err != nil {
		t.Fatal(err)
	}
	id := "abcABC012_.$#|@/:;=+'-"
	tests := []struct {
		name, path, query    string
		wantURI, wantSigPath string
	}{
		{"document path", "documents/some-doc-id", "", "/api/1/documents/some-doc-id", "/api/1/documents/some-doc-id"},
		// §3.2.4: ' goes out as %27 in the query but is signed as '.
		{"user list query", "users", "id=" + iclEncode(id),
			"/api/1/users?id=abcABC012_.%24%23%7C%40%2F%3A%3B%3D%2B%27-",
			"/api/1/users?id=abcABC012_.%24%23%7C%40%2F%3A%3B%3D%2B'-"},
		// In a path ' stays as it is.
		{"path with quote", "users/" + iclEncode(id) + "/devices", "",
			"/api/1/users/abcABC012_.%24%23%7C%40%2F%3A%3B%3D%2B'-/devices",
			"/api/1/users/abcABC012_.%24%23%7C%40%2F%3A%3B%3D%2B'-/devices"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, sp := c.t.url(tt.path, tt.query)
			if got := u.RequestURI(); got != tt.wantURI {
				t.Errorf("RequestURI = %q, want %q", got, tt.wantURI)
			}
			if sp != tt.wantSigPath {
				t.Errorf("sigPath = %q, want %q", sp, tt.wantSigPath)
			}
		})
	}
}
