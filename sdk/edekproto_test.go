package sdk

import (
	"bytes"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// FuzzParseEdeks: EDEK bytes come from the caller's storage, so any input
// must parse or fail cleanly, and what parses must write back to the same
// EDEKs (each kept byte for byte).
func FuzzParseEdeks(f *testing.F) {
	for _, name := range []string{"unmanaged.edeks", "document_encrypt_unmanaged.edeks", "document_grant_unmanaged.out"} {
		b, err := os.ReadFile("testdata/golden/" + name)
		if err != nil {
			f.Fatal(err)
		}
		raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte{0x0a, 0xff})
	f.Add([]byte{0x12, 0x01, 'd', 0x18, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseEdeks(b)
		if err != nil {
			return
		}
		again, err := parseEdeks(m.marshal())
		if err != nil {
			t.Fatalf("written EDEKs do not parse: %v", err)
		}
		if again.documentID != m.documentID || again.segmentID != m.segmentID || len(again.edeks) != len(m.edeks) {
			t.Fatalf("round trip changed the message: %q/%d/%d → %q/%d/%d",
				m.documentID, m.segmentID, len(m.edeks), again.documentID, again.segmentID, len(again.edeks))
		}
		for i := range m.edeks {
			if !bytes.Equal(again.edeks[i].raw, m.edeks[i].raw) || again.edeks[i].to != m.edeks[i].to {
				t.Fatalf("edek %d changed in the round trip", i)
			}
		}
	})
}

// TestEdekEncoding checks one EDEK written from fields, field by field,
// against the spec's numbering (§5.10), and that a negative segment ID
// survives as int32.
func TestEdekEncoding(t *testing.T) {
	t.Parallel()
	key := PublicKey{X: bytes.Repeat([]byte{1}, 32), Y: bytes.Repeat([]byte{2}, 32)}
	ev := encryptedOnce{EncryptedMessage: bytes.Repeat([]byte{3}, 384), EphemeralPublicKey: key,
		Signature: bytes.Repeat([]byte{4}, 64), AuthHash: bytes.Repeat([]byte{5}, 32), PublicSigningKey: bytes.Repeat([]byte{6}, 32)}
	m := edeks{edeks: []edek{{to: Group("g"), key: key, value: ev}}, documentID: "d", segmentID: -5}
	b := m.marshal()
	got, err := parseEdeks(b)
	if err != nil {
		t.Fatal(err)
	}
	e := got.edeks[0]
	if got.documentID != "d" || got.segmentID != -5 || e.to != Group("g") || !e.key.Equal(key) ||
		!bytes.Equal(e.value.AuthHash, ev.AuthHash) || !e.value.EphemeralPublicKey.Equal(key) {
		t.Fatalf("parsed %+v", got)
	}
	// UserOrGroup: masterPublicKey (field 3) first, then groupId (field 2).
	uog := []byte{0x0a, 0x9d, 0x05, 0x0a, 0x49, 0x1a, 0x44} // edeks (669 bytes), userOrGroup (73), masterPublicKey (68)
	if !bytes.HasPrefix(b, uog) {
		t.Errorf("EDEK starts % x, want % x", b[:len(uog)], uog)
	}
	// segmentId -5 as a ten-byte varint, last.
	if tail := []byte{0x18, 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}; !bytes.HasSuffix(b, tail) {
		t.Errorf("message ends % x, want % x", b[len(b)-len(tail):], tail)
	}
}
