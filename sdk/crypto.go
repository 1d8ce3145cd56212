package sdk

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"math/big"
)

// recryptor is the transform-encryption work the SDK needs, in the SDK's
// wire types. The production implementation adapts sdk/recrypt; tests may
// substitute a deterministic one to pin request bodies.
type recryptor interface {
	// GenerateKeyPair draws a private key from rnd and returns it (32
	// bytes, reduced mod p) with its public key.
	GenerateKeyPair(rnd io.Reader) (priv []byte, pub PublicKey, err error)
	// ComputePublicKey returns priv·G.
	ComputePublicKey(priv []byte) (PublicKey, error)
	// GenPlaintext draws a random 384-byte element of the target group.
	GenPlaintext(rnd io.Reader) ([]byte, error)
	// Encrypt encrypts pt to `to`, signed with the device signing key.
	Encrypt(rnd io.Reader, pt []byte, to PublicKey, signing ed25519.PrivateKey) (encryptedOnce, error)
	// Decrypt decrypts a transformed value with priv and returns the
	// 384-byte plaintext.
	Decrypt(v *transformedValue, priv []byte) ([]byte, error)
	// GenerateTransformKey makes a transform key from priv to `to`, signed
	// with signing.
	GenerateTransformKey(rnd io.Reader, from []byte, to PublicKey, signing ed25519.PrivateKey) (transformKey, error)
	// SchnorrSign signs msg with (priv, pub) and returns r || s (64 bytes).
	SchnorrSign(rnd io.Reader, priv []byte, pub PublicKey, msg []byte) ([]byte, error)
	// RandomPrivateKey draws a private key from rnd (recrypt's
	// random_private_key: one 32-byte draw reduced mod p).
	RandomPrivateKey(rnd io.Reader) ([]byte, error)
	// AugmentMinus returns (a − b) mod r, recrypt's
	// PrivateKey::augment_minus, as 32 bytes.
	AugmentMinus(a, b []byte) ([]byte, error)
}

// fieldPrimeHex is recrypt's Fp256 prime p.
const fieldPrimeHex = "8fb501e34aa387f9aa6fecb86184dc21ee5b88d120b5b59e185cac6c5e089667"

// deriveSymmetricKey is recrypt's derive_symmetric_key: SHA-256 of the
// plaintext's 384 bytes.
func deriveSymmetricKey(pt []byte) []byte {
	h := sha256.Sum256(pt)
	return h[:]
}

// derivePrivateKey is recrypt's derive_private_key: SHA-256 of the
// plaintext read big-endian and reduced mod p, as 32 bytes.
func derivePrivateKey(pt []byte) []byte {
	h := sha256.Sum256(pt)
	n := new(big.Int).SetBytes(h[:])
	p, _ := new(big.Int).SetString(fieldPrimeHex, 16)
	n.Mod(n, p)
	return n.FillBytes(make([]byte, 32))
}

// newSigningKey draws a fresh Ed25519 key pair (seed || public) from rnd:
// 32 bytes of seed, as recrypt's generate_ed25519_key_pair.
func newSigningKey(rnd io.Reader) (ed25519.PrivateKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rnd, seed); err != nil {
		return nil, fmt.Errorf("ed25519 seed: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
