package sdk

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ironcorelabs/loadgen/sdk/internal/pbkdf2"
)

// The escrowed user master key (§5.2): salt(32) || IV(12) || AES-256-GCM
// ciphertext of the 32-byte private key (32) || tag(16) = 92 bytes, with the
// AES key derived by PBKDF2-HMAC-SHA256 over 250,000 iterations.
const (
	pbkdf2Iterations = 250_000
	saltLen          = 32
	ivLen            = 12
	tagLen           = 16
	masterKeyLen     = saltLen + ivLen + 32 + tagLen // 92
)

// errWrongPassword is what a master key that fails to authenticate means.
var errWrongPassword = errors.New("wrong password or corrupt master key")

// checkPassword applies ironoxide's rule: not empty after trimming, but the
// untrimmed bytes are what is used.
func checkPassword(pw string) error {
	if strings.TrimSpace(pw) == "" {
		return ErrEmptyPassword
	}
	return nil
}

// deriveKey runs PBKDF2-HMAC-SHA256, 250,000 iterations, 32-byte output,
// with sdk/internal/pbkdf2 (byte-equal to crypto/pbkdf2, two SHA-256
// compressions per iteration). A variable so that a benchmark can compare
// it with crypto/pbkdf2 inside whole operations.
var deriveKey = func(password string, salt []byte) ([]byte, error) {
	return pbkdf2.Key(password, salt, pbkdf2Iterations, 32)
}

// DeriveKey runs the key derivation that user_create and generate_device
// do on the client (PBKDF2-HMAC-SHA256, 250,000 iterations, a 32-byte key)
// over password and salt. `run --dry-run` times it to estimate client CPU.
func DeriveKey(password string, salt []byte) ([]byte, error) { return deriveKey(password, salt) }

// sealMasterKey encrypts a 32-byte private key under key (from deriveKey)
// with a fresh IV from rnd and returns the 92-byte escrow.
func sealMasterKey(key, salt, priv []byte, rnd io.Reader) ([]byte, error) {
	if len(priv) != 32 || len(salt) != saltLen {
		return nil, fmt.Errorf("master key: want a 32-byte key and salt, got %d and %d", len(priv), len(salt))
	}
	out := make([]byte, saltLen+ivLen, masterKeyLen)
	copy(out, salt)
	if _, err := io.ReadFull(rnd, out[saltLen:]); err != nil {
		return nil, fmt.Errorf("master key iv: %w", err)
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return gcm.Seal(out, out[saltLen:], priv, nil), nil
}

// openMasterKey decrypts a 92-byte escrow with key (from deriveKey over its
// first 32 bytes).
func openMasterKey(key, escrow []byte) ([]byte, error) {
	if len(escrow) != masterKeyLen {
		return nil, fmt.Errorf("master key is %d bytes, want %d", len(escrow), masterKeyLen)
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	priv, err := gcm.Open(nil, escrow[saltLen:saltLen+ivLen], escrow[saltLen+ivLen:], nil)
	if err != nil {
		return nil, errWrongPassword
	}
	return priv, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
