package recrypt

import (
	"crypto/subtle"
	"fmt"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/curve"
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/scalar"
)

// Sizes in bytes of the encodings of this package's values.
const (
	PrivateKeySize       = 32
	PublicKeySize        = 64 // x ‖ y
	PlaintextSize        = 384
	EncryptedMessageSize = 384
	EncryptedTempKeySize = 384
	HashedTempKeySize    = 128
	AuthHashSize         = 32
	SymmetricKeySize     = 32
	PublicSigningKeySize = 32
	SignatureSize        = 64 // Ed25519
	SigningKeypairSize   = 64 // Ed25519 seed ‖ public key
	SchnorrSignatureSize = 64 // r ‖ s
)

// PrivateKey is a recrypt private key: an integer modulo p, the field prime,
// stored as its 32-byte big-endian encoding (recrypt reduces private keys mod
// p, not mod the group order r). The zero value is the key 0, which has no
// public key.
//
// Its String and Format methods print no key material.
type PrivateKey struct {
	b [PrivateKeySize]byte
}

// NewPrivateKey returns the private key with the 32-byte big-endian encoding
// b reduced mod p, as recrypt's PrivateKey::new. It fails only on length.
func NewPrivateKey(b []byte) (PrivateKey, error) {
	if err := checkSize("PrivateKey", b, PrivateKeySize); err != nil {
		return PrivateKey{}, err
	}
	var e field.Element
	e.SetBytes(b)
	return PrivateKey{b: e.Bytes()}, nil
}

// Bytes returns the canonical (reduced mod p) 32-byte encoding of k.
func (k PrivateKey) Bytes() [PrivateKeySize]byte { return k.b }

// Equal reports whether k and o are the same key, in constant time.
func (k PrivateKey) Equal(o PrivateKey) bool {
	return subtle.ConstantTimeCompare(k.b[:], o.b[:]) == 1
}

// String returns a fixed text that does not reveal the key.
func (k PrivateKey) String() string { return "recrypt.PrivateKey(REDACTED)" }

// GoString returns a fixed text that does not reveal the key.
func (k PrivateKey) GoString() string { return k.String() }

// Format prints k as String does, for every verb.
func (k PrivateKey) Format(f fmt.State, verb rune) { fmt.Fprint(f, k.String()) }

// scalar returns k mod r.
func (k PrivateKey) scalar() scalar.Scalar {
	var s scalar.Scalar
	s.SetBytes(k.b[:])
	return s
}

// AugmentPlus returns (k + o) mod r, recrypt's PrivateKey::augment_plus.
func (k PrivateKey) AugmentPlus(o PrivateKey) PrivateKey {
	a, b := k.scalar(), o.scalar()
	a.Add(&a, &b)
	return PrivateKey{b: a.Bytes()}
}

// AugmentMinus returns (k − o) mod r, recrypt's PrivateKey::augment_minus.
func (k PrivateKey) AugmentMinus(o PrivateKey) PrivateKey {
	a, b := k.scalar(), o.scalar()
	a.Sub(&a, &b)
	return PrivateKey{b: a.Bytes()}
}

// PublicKey is a point of G1 other than infinity: the public half [sk]G of a
// key pair, or an ephemeral key. It is stored as its canonical affine
// coordinates. The zero value is not a valid public key.
type PublicKey struct {
	x, y [32]byte
}

// NewPublicKey returns the public key with affine coordinates x and y, each
// 32 bytes big-endian and reduced mod p. It fails with a *SizeError, or with
// ErrInvalidPublicKey and ErrPointNotOnCurve if the point is not on the curve.
func NewPublicKey(x, y []byte) (PublicKey, error) {
	if err := checkSize("PublicKey.x", x, 32); err != nil {
		return PublicKey{}, err
	}
	if err := checkSize("PublicKey.y", y, 32); err != nil {
		return PublicKey{}, err
	}
	var b [64]byte
	copy(b[:32], x)
	copy(b[32:], y)
	return NewPublicKeyFromBytes(b[:])
}

// NewPublicKeyFromBytes returns the public key encoded as x ‖ y (64 bytes).
// See NewPublicKey.
func NewPublicKeyFromBytes(b []byte) (PublicKey, error) {
	if err := checkSize("PublicKey", b, PublicKeySize); err != nil {
		return PublicKey{}, err
	}
	var p curve.G1
	if _, err := p.SetBytes(b); err != nil {
		return PublicKey{}, invalidPublicKey(ErrPointNotOnCurve)
	}
	return publicKeyFromPoint(&p)
}

// publicKeyFromPoint encodes p, failing with ErrZeroPoint for infinity.
func publicKeyFromPoint(p *curve.G1) (PublicKey, error) {
	enc, ok := p.Bytes()
	if ok != 1 {
		return PublicKey{}, invalidPublicKey(ErrZeroPoint)
	}
	var k PublicKey
	copy(k.x[:], enc[:32])
	copy(k.y[:], enc[32:])
	return k, nil
}

// X returns the affine x-coordinate of k.
func (k PublicKey) X() [32]byte { return k.x }

// Y returns the affine y-coordinate of k.
func (k PublicKey) Y() [32]byte { return k.y }

// Bytes returns the 64-byte encoding x ‖ y of k, which is also its hash image.
func (k PublicKey) Bytes() [PublicKeySize]byte {
	var b [64]byte
	copy(b[:32], k.x[:])
	copy(b[32:], k.y[:])
	return b
}

// Equal reports whether k and o are the same point.
func (k PublicKey) Equal(o PublicKey) bool { return k == o }

// IsValid reports whether k is a point of the curve (the zero value is not).
func (k PublicKey) IsValid() bool {
	_, err := k.point()
	return err == nil
}

// point decodes k.
func (k PublicKey) point() (*curve.G1, error) {
	b := k.Bytes()
	var p curve.G1
	if _, err := p.SetBytes(b[:]); err != nil {
		return nil, invalidPublicKey(ErrPointNotOnCurve)
	}
	return &p, nil
}

// Augment returns the point sum k + o, recrypt's PublicKey::augment. It fails
// with ErrZeroPoint if the sum is infinity.
func (k PublicKey) Augment(o PublicKey) (PublicKey, error) {
	a, err := k.point()
	if err != nil {
		return PublicKey{}, err
	}
	b, err := o.point()
	if err != nil {
		return PublicKey{}, err
	}
	a.Add(a, b)
	return publicKeyFromPoint(a)
}

// ComputePublicKey returns [sk]G. It fails with ErrInvalidPublicKey and
// ErrZeroPoint when sk is 0 modulo the group order. It runs in constant time.
func ComputePublicKey(sk PrivateKey) (PublicKey, error) {
	var p curve.G1
	params().gTable.ScalarMult(&p, &sk.b)
	return publicKeyFromPoint(&p)
}
