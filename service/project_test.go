package service

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

func TestProjectWriteState(t *testing.T) {
	t.Parallel()
	p, err := NewProject(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "state")
	cfgPath, keyPath, err := p.WriteState(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// The exact keys SDK harnesses read (spec §3.1).
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg) != 3 || cfg["projectId"] != float64(p.ID) || cfg["segmentId"] != p.Segment || cfg["identityAssertionKeyId"] != float64(p.KeyID) {
		t.Errorf("config %s does not match %+v", raw, p.Config())
	}
	pemBytes, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("key file is not a PKCS#8 PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if ek, ok := k.(*ecdsa.PrivateKey); !ok || !ek.Equal(p.Key) {
		t.Error("key file holds another key")
	}
	// Writing again replaces the files.
	if _, _, err := p.WriteState(dir); err != nil {
		t.Errorf("second WriteState: %v", err)
	}
}

func TestProjectDeterministicFromReader(t *testing.T) {
	t.Parallel()
	seed := bytes.Repeat([]byte{1, 2, 3, 4}, 1024)
	p1, err1 := NewProject(bytes.NewReader(seed))
	p2, err2 := NewProject(bytes.NewReader(seed))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if p1.ID != p2.ID || p1.Segment != p2.Segment || p1.KeyID != p2.KeyID || p1.ID == 0 {
		t.Errorf("projects from equal readers differ: %+v %+v", p1.Config(), p2.Config())
	}
	if _, err := NewProject(bytes.NewReader(nil)); err == nil {
		t.Error("NewProject from an empty reader succeeded")
	}
}

func TestFaultsOnAPIRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Faults: []Fault{
		{Route: "GET /documents/{documentID}", ErrorRate: 1, Status: 429, RetryAfter: 2e9},
		{Route: "POST /users", ErrorRate: 1, Status: 500},
	}})
	jwt := e.jwt("ron")
	if status, _ := e.withJWT(jwt, "POST", "users", []byte(`{}`)); status != 500 {
		t.Errorf("POST users under a fault: %d, want 500", status)
	}
	if err := e.s.SetFaults(e.s.Faults()[:1]); err != nil {
		t.Fatal(err)
	}
	u := e.newUser("ron")
	e.createDocument(u, "x")
	if status, _ := e.v2(u, "GET", "documents/x", nil); status != 429 {
		t.Errorf("GET documents/x under a fault: %d, want 429", status)
	}
	if n := e.s.Count("GET /documents/{documentID}"); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
	if n := e.s.Count("POST /users"); n != 2 {
		t.Errorf("Count(POST /users) = %d, want 2", n)
	}
	// A concrete path is a valid fault route too.
	if err := e.s.SetFaults([]Fault{{Route: "GET /documents/x", ErrorRate: 1}}); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.v2(u, "GET", "documents/x", nil); status != 503 {
		t.Errorf("fault on a concrete path: %d, want 503", status)
	}
}
