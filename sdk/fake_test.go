package sdk

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"math/big"
	"sync"
)

// detReader is the fixed random source of the golden tests: the stream of
// SHA-256(seed || counter as 8 bytes big-endian), counter = 0, 1, 2, …
// testdata/gen_golden.py reads the same stream.
type detReader struct {
	mu   sync.Mutex
	seed []byte
	n    uint64
	buf  []byte
}

func newDetReader(seed string) *detReader { return &detReader{seed: []byte(seed)} }

func (r *detReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.buf) < len(p) {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], r.n)
		r.n++
		h := sha256.Sum256(append(append([]byte(nil), r.seed...), c[:]...))
		r.buf = append(r.buf, h[:]...)
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// fakeRecrypt is a deterministic, insecure stand-in for transform
// encryption that keeps every size and every Ed25519 signature of the real
// thing, so tests can pin request bodies byte for byte and round-trip
// documents without pairings. A "public key" shows its private key as X.
// testdata/gen_golden.py implements the same functions.
type fakeRecrypt struct{}

func fakePub(p []byte) PublicKey {
	y := sha256.Sum256(append([]byte("fake-y"), p...))
	return PublicKey{X: bytes.Clone(p), Y: y[:]}
}

// expand returns n bytes: SHA-256(k || i) for i = 0, 1, … (one byte i).
func expand(k []byte, n int) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		h := sha256.Sum256(append(append([]byte(nil), k...), byte(i)))
		out = append(out, h[:]...)
	}
	return out[:n]
}

func xor(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}

func read(r io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}

func (fakeRecrypt) GenerateKeyPair(r io.Reader) ([]byte, PublicKey, error) {
	p, err := read(r, 32)
	return p, fakePub(p), err
}

func (fakeRecrypt) ComputePublicKey(p []byte) (PublicKey, error) { return fakePub(p), nil }

func (fakeRecrypt) GenPlaintext(r io.Reader) ([]byte, error) { return read(r, 384) }

func (fakeRecrypt) Encrypt(r io.Reader, pt []byte, to PublicKey, sk ed25519.PrivateKey) (encryptedOnce, error) {
	k, err := read(r, 32)
	if err != nil {
		return encryptedOnce{}, err
	}
	e := fakePub(k)
	msg := xor(pt, expand(k, 384))
	auth := sha256.Sum256(append(e.Bytes(), pt...))
	psk := sk[32:]
	signed := append(append(append(append([]byte(nil), psk...), e.Bytes()...), msg...), auth[:]...)
	sig := ed25519.Sign(ed25519.NewKeyFromSeed(sk[:32]), signed)
	return encryptedOnce{EncryptedMessage: msg, EphemeralPublicKey: e, Signature: sig, AuthHash: auth[:], PublicSigningKey: bytes.Clone(psk)}, nil
}

func (fakeRecrypt) Decrypt(v *transformedValue, _ []byte) ([]byte, error) {
	pt := xor(v.EncryptedMessage, expand(v.EphemeralPublicKey.X, 384))
	auth := sha256.Sum256(append(v.EphemeralPublicKey.Bytes(), pt...))
	if !bytes.Equal(auth[:], v.AuthHash) {
		return nil, errors.New("fake decrypt: auth hash mismatch")
	}
	return pt, nil
}

func (fakeRecrypt) GenerateTransformKey(r io.Reader, from []byte, to PublicKey, sk ed25519.PrivateKey) (transformKey, error) {
	t, err := read(r, 32)
	if err != nil {
		return transformKey{}, err
	}
	k, err := read(r, 384)
	if err != nil {
		return transformKey{}, err
	}
	rp := fakePub(t)
	x := xor(k, expand(t, 384))
	h := expand(append(bytes.Clone(from), k...), 128)
	psk := sk[32:]
	signed := append(append(append(append([]byte(nil), psk...), rp.Bytes()...), to.Bytes()...), x...)
	sig := ed25519.Sign(ed25519.NewKeyFromSeed(sk[:32]), signed)
	return transformKey{EphemeralPublicKey: rp, ToPublicKey: to, EncryptedTempKey: x, HashedTempKey: h, Signature: sig, PublicSigningKey: bytes.Clone(psk)}, nil
}

func (fakeRecrypt) SchnorrSign(r io.Reader, priv []byte, pub PublicKey, msg []byte) ([]byte, error) {
	k, err := read(r, 32)
	if err != nil {
		return nil, err
	}
	s := sha256.Sum256(append(append(append(bytes.Clone(priv), pub.Bytes()...), msg...), k...))
	return append(k, s[:]...), nil
}

// fakeOrder is recrypt's group order r; the fake augments with real
// arithmetic mod r, as gen_golden.py does.
var fakeOrder, _ = new(big.Int).SetString("8fb501e34aa387f9aa6fecb86184dc212e8d8e12f82b39241a2ef45b57ac7261", 16)

func (fakeRecrypt) RandomPrivateKey(r io.Reader) ([]byte, error) { return read(r, 32) }

func (fakeRecrypt) AugmentMinus(a, b []byte) ([]byte, error) {
	n := new(big.Int).Sub(new(big.Int).SetBytes(a), new(big.Int).SetBytes(b))
	n.Mod(n, fakeOrder)
	return n.FillBytes(make([]byte, 32)), nil
}

func base64Std(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
