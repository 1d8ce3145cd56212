package recrypt

import (
	"crypto/ed25519"
	"crypto/subtle"
	"fmt"
)

// PublicSigningKey is an Ed25519 public key (32 bytes).
type PublicSigningKey [PublicSigningKeySize]byte

// Verify reports whether sig is a valid Ed25519 signature of msg by k.
func (k PublicSigningKey) Verify(msg, sig []byte) bool {
	return len(sig) == SignatureSize && ed25519.Verify(ed25519.PublicKey(k[:]), msg, sig)
}

// SigningKeypair is an Ed25519 key pair laid out as recrypt's: the 32-byte
// seed followed by the 32-byte public key, the layout of Go's
// ed25519.PrivateKey. The zero value is not a valid key pair.
//
// Its String and Format methods print only the public key.
type SigningKeypair struct {
	b [SigningKeypairSize]byte
}

// NewSigningKeypair returns the key pair encoded by b (seed ‖ public key). It
// fails with a *SizeError, or with ErrInvalidSigningKeypair if the public half
// does not belong to the seed.
func NewSigningKeypair(b []byte) (SigningKeypair, error) {
	if err := checkSize("SigningKeypair", b, SigningKeypairSize); err != nil {
		return SigningKeypair{}, err
	}
	k := NewSigningKeypairFromSeed(b[:32])
	if subtle.ConstantTimeCompare(k.b[32:], b[32:]) != 1 {
		return SigningKeypair{}, ErrInvalidSigningKeypair
	}
	return k, nil
}

// NewSigningKeypairFromSeed returns the key pair of a 32-byte Ed25519 seed.
// It panics if len(seed) != 32.
func NewSigningKeypairFromSeed(seed []byte) SigningKeypair {
	var k SigningKeypair
	copy(k.b[:], ed25519.NewKeyFromSeed(seed))
	return k
}

// Bytes returns the 64-byte encoding seed ‖ public key.
func (k SigningKeypair) Bytes() [SigningKeypairSize]byte { return k.b }

// PublicKey returns the public half of k.
func (k SigningKeypair) PublicKey() PublicSigningKey {
	var p PublicSigningKey
	copy(p[:], k.b[32:])
	return p
}

// Sign returns the Ed25519 signature of msg, made from the seed.
func (k SigningKeypair) Sign(msg []byte) [SignatureSize]byte {
	var s [SignatureSize]byte
	copy(s[:], ed25519.Sign(ed25519.NewKeyFromSeed(k.b[:32]), msg))
	return s
}

// String returns a text naming only the public key.
func (k SigningKeypair) String() string {
	return fmt.Sprintf("recrypt.SigningKeypair(public %x)", k.b[32:])
}

// GoString is String.
func (k SigningKeypair) GoString() string { return k.String() }

// Format prints k as String does, for every verb.
func (k SigningKeypair) Format(f fmt.State, verb rune) { fmt.Fprint(f, k.String()) }
