package sdk

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func TestMasterKeyRoundTrip(t *testing.T) {
	t.Parallel()
	rnd := newDetReader("masterkey")
	priv, _ := read(rnd, 32)
	salt, _ := read(rnd, saltLen)
	key, err := deriveKey("pässword ", salt)
	if err != nil {
		t.Fatal(err)
	}
	esc, err := sealMasterKey(key, salt, priv, rnd)
	if err != nil {
		t.Fatal(err)
	}
	if len(esc) != 92 || !bytes.Equal(esc[:32], salt) {
		t.Fatalf("escrow is %d bytes / salt not first", len(esc))
	}
	got, err := openMasterKey(key, esc)
	if err != nil || !bytes.Equal(got, priv) {
		t.Fatalf("open = %x, %v", got, err)
	}
	wrong, _ := deriveKey("pässword", salt) // trailing space matters: the untrimmed bytes are used
	if _, err := openMasterKey(wrong, esc); !errors.Is(err, errWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := openMasterKey(key, esc[:91]); err == nil {
		t.Error("short escrow accepted")
	}
}

// TestPBKDF2Vector pins PBKDF2-HMAC-SHA256 at 250,000 iterations, the
// parameters of spec §5.2, against a value computed with OpenSSL/Python
// (hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 250000)).
func TestPBKDF2Vector(t *testing.T) {
	t.Parallel()
	got, err := deriveKey("password", []byte("salt"))
	if err != nil {
		t.Fatal(err)
	}
	const want = "485fb4210c882c6b3b412edb8363f111afcc4fe46723fe98816459e87e458317"
	if hex.EncodeToString(got) != want {
		t.Errorf("pbkdf2 = %x, want %s", got, want)
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"", " ", "\t\n"} {
		if !errors.Is(checkPassword(pw), ErrEmptyPassword) {
			t.Errorf("checkPassword(%q) accepted", pw)
		}
	}
	if err := checkPassword(" x "); err != nil {
		t.Errorf("checkPassword(\" x \") = %v", err)
	}
}
