package recrypt

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// Plaintext is a recrypt plaintext: an element of Fp12 (normally of GT),
// stored as its canonical 384-byte encoding. Its SHA-256 is the symmetric
// key (DeriveSymmetricKey). The zero value is the element 0, which cannot be
// encrypted.
//
// Its String and Format methods print no key material.
type Plaintext struct {
	b [PlaintextSize]byte
}

// NewPlaintext returns the plaintext encoded by b, each 32-byte coefficient
// reduced mod p, as recrypt's Plaintext::new. It fails only on length.
func NewPlaintext(b []byte) (Plaintext, error) {
	if err := checkSize("Plaintext", b, PlaintextSize); err != nil {
		return Plaintext{}, err
	}
	var e field.E12
	e.SetBytes(b)
	return Plaintext{b: e.Bytes()}, nil
}

// Bytes returns the canonical 384-byte encoding of pt.
func (pt Plaintext) Bytes() [PlaintextSize]byte { return pt.b }

// Equal reports whether pt and o are equal, in constant time.
func (pt Plaintext) Equal(o Plaintext) bool {
	return subtle.ConstantTimeCompare(pt.b[:], o.b[:]) == 1
}

// String returns a fixed text that does not reveal the plaintext.
func (pt Plaintext) String() string { return "recrypt.Plaintext(REDACTED)" }

// GoString returns a fixed text that does not reveal the plaintext.
func (pt Plaintext) GoString() string { return pt.String() }

// Format prints pt as String does, for every verb.
func (pt Plaintext) Format(f fmt.State, verb rune) { fmt.Fprint(f, pt.String()) }

func (pt Plaintext) element() field.E12 {
	var e field.E12
	e.SetBytes(pt.b[:])
	return e
}

// DeriveSymmetricKey returns SHA-256 of the plaintext's encoding, the key
// that encrypts documents (recrypt's derive_symmetric_key).
func DeriveSymmetricKey(pt Plaintext) [SymmetricKeySize]byte {
	return sha256.Sum256(pt.b[:])
}

// DerivePrivateKey returns SHA-256 of the plaintext's encoding reduced mod p,
// as recrypt's derive_private_key. It differs from DeriveSymmetricKey
// whenever the digest is at least p.
func DerivePrivateKey(pt Plaintext) PrivateKey {
	d := sha256.Sum256(pt.b[:])
	k, _ := NewPrivateKey(d[:])
	return k
}
