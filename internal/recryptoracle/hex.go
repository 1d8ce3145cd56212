package recryptoracle

import (
	"encoding/hex"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// The oracle (and its vector files) writes every byte string as hex and structured values as
// JSON objects with the wasm binding's field names. These types have exactly those shapes;
// the From* functions and Recrypt methods convert from and to sdk/recrypt's values, checking
// lengths (and, for public keys, that the point is on the curve).

// Bytes is a byte string written as hex.
type Bytes []byte

// UnmarshalText reads hex (either case).
func (h *Bytes) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// MarshalText writes lowercase hex.
func (h Bytes) MarshalText() ([]byte, error) {
	return []byte(hex.EncodeToString(h)), nil
}

// PublicKey is a recrypt public key: affine coordinates, 32 bytes each, big-endian.
type PublicKey struct {
	X Bytes `json:"x"`
	Y Bytes `json:"y"`
}

// KeyPair is the result of generateKeyPair.
type KeyPair struct {
	PrivateKey Bytes     `json:"privateKey"`
	PublicKey  PublicKey `json:"publicKey"`
}

// SigningKeypair is an Ed25519 key pair: the 64-byte private key (seed ‖ public key) and,
// optionally, the 32-byte public key.
type SigningKeypair struct {
	PrivateKey Bytes `json:"privateKey"`
	PublicKey  Bytes `json:"publicKey,omitempty"`
}

// TransformBlock is one transform block of an EncryptedValue.
type TransformBlock struct {
	PublicKey                       PublicKey `json:"publicKey"`
	EncryptedTempKey                Bytes     `json:"encryptedTempKey"`
	RandomTransformPublicKey        PublicKey `json:"randomTransformPublicKey"`
	RandomTransformEncryptedTempKey Bytes     `json:"randomTransformEncryptedTempKey"`
}

// EncryptedValue is a recrypt encrypted value, transformed or not.
type EncryptedValue struct {
	EphemeralPublicKey PublicKey        `json:"ephemeralPublicKey"`
	EncryptedMessage   Bytes            `json:"encryptedMessage"`
	AuthHash           Bytes            `json:"authHash"`
	TransformBlocks    []TransformBlock `json:"transformBlocks"`
	PublicSigningKey   Bytes            `json:"publicSigningKey"`
	Signature          Bytes            `json:"signature"`
}

// TransformKey is a recrypt transform key.
type TransformKey struct {
	EphemeralPublicKey PublicKey `json:"ephemeralPublicKey"`
	ToPublicKey        PublicKey `json:"toPublicKey"`
	EncryptedTempKey   Bytes     `json:"encryptedTempKey"`
	HashedTempKey      Bytes     `json:"hashedTempKey"`
	PublicSigningKey   Bytes     `json:"publicSigningKey"`
	Signature          Bytes     `json:"signature"`
}

func clone(b []byte) Bytes { return append(Bytes(nil), b...) }

// FromPublicKey converts a recrypt public key.
func FromPublicKey(k recrypt.PublicKey) PublicKey {
	x, y := k.X(), k.Y()
	return PublicKey{X: x[:], Y: y[:]}
}

// Recrypt decodes h as a recrypt public key.
func (h PublicKey) Recrypt() (recrypt.PublicKey, error) { return recrypt.NewPublicKey(h.X, h.Y) }

// FromPrivateKey converts a recrypt private key.
func FromPrivateKey(k recrypt.PrivateKey) Bytes {
	b := k.Bytes()
	return b[:]
}

// FromSigningKeypair converts an Ed25519 key pair, with its public half.
func FromSigningKeypair(k recrypt.SigningKeypair) SigningKeypair {
	b := k.Bytes()
	return SigningKeypair{PrivateKey: b[:], PublicKey: b[32:]}
}

// Recrypt decodes h's private key as a recrypt signing key pair.
func (h SigningKeypair) Recrypt() (recrypt.SigningKeypair, error) {
	return recrypt.NewSigningKeypair(h.PrivateKey)
}

// fixed copies src into dst, which must be as long.
func fixed(dst []byte, typ string, src []byte) error {
	if len(src) != len(dst) {
		return &recrypt.SizeError{Type: typ, Want: len(dst), Got: len(src)}
	}
	copy(dst, src)
	return nil
}

type field struct {
	dst  []byte
	name string
	src  []byte
}

func fill(fs []field) error {
	for _, f := range fs {
		if err := fixed(f.dst, f.name, f.src); err != nil {
			return err
		}
	}
	return nil
}

// FromEncryptedValue converts a recrypt encrypted value; TransformBlocks is never nil, so an
// untransformed value is written with "transformBlocks": [] as the oracle wants.
func FromEncryptedValue(ev recrypt.EncryptedValue) EncryptedValue {
	h := EncryptedValue{
		EphemeralPublicKey: FromPublicKey(ev.EphemeralPublicKey),
		EncryptedMessage:   clone(ev.EncryptedMessage[:]),
		AuthHash:           clone(ev.AuthHash[:]),
		PublicSigningKey:   clone(ev.PublicSigningKey[:]),
		Signature:          clone(ev.Signature[:]),
		TransformBlocks:    []TransformBlock{},
	}
	for _, b := range ev.TransformBlocks {
		h.TransformBlocks = append(h.TransformBlocks, TransformBlock{
			PublicKey:                       FromPublicKey(b.PublicKey),
			EncryptedTempKey:                clone(b.EncryptedTempKey[:]),
			RandomTransformPublicKey:        FromPublicKey(b.RandomTransformPublicKey),
			RandomTransformEncryptedTempKey: clone(b.RandomTransformEncryptedTempKey[:]),
		})
	}
	return h
}

// Recrypt decodes h as a recrypt encrypted value.
func (h EncryptedValue) Recrypt() (recrypt.EncryptedValue, error) {
	var ev recrypt.EncryptedValue
	var err error
	if ev.EphemeralPublicKey, err = h.EphemeralPublicKey.Recrypt(); err != nil {
		return ev, err
	}
	if err := fill([]field{
		{ev.EncryptedMessage[:], "EncryptedMessage", h.EncryptedMessage},
		{ev.AuthHash[:], "AuthHash", h.AuthHash},
		{ev.PublicSigningKey[:], "PublicSigningKey", h.PublicSigningKey},
		{ev.Signature[:], "Signature", h.Signature},
	}); err != nil {
		return ev, err
	}
	for _, hb := range h.TransformBlocks {
		var b recrypt.TransformBlock
		if b.PublicKey, err = hb.PublicKey.Recrypt(); err != nil {
			return ev, err
		}
		if b.RandomTransformPublicKey, err = hb.RandomTransformPublicKey.Recrypt(); err != nil {
			return ev, err
		}
		if err := fill([]field{
			{b.EncryptedTempKey[:], "EncryptedTempKey", hb.EncryptedTempKey},
			{b.RandomTransformEncryptedTempKey[:], "EncryptedTempKey", hb.RandomTransformEncryptedTempKey},
		}); err != nil {
			return ev, err
		}
		ev.TransformBlocks = append(ev.TransformBlocks, b)
	}
	return ev, nil
}

// FromTransformKey converts a recrypt transform key.
func FromTransformKey(tk recrypt.TransformKey) TransformKey {
	return TransformKey{
		EphemeralPublicKey: FromPublicKey(tk.EphemeralPublicKey),
		ToPublicKey:        FromPublicKey(tk.ToPublicKey),
		EncryptedTempKey:   clone(tk.EncryptedTempKey[:]),
		HashedTempKey:      clone(tk.HashedTempKey[:]),
		PublicSigningKey:   clone(tk.PublicSigningKey[:]),
		Signature:          clone(tk.Signature[:]),
	}
}

// Recrypt decodes h as a recrypt transform key.
func (h TransformKey) Recrypt() (recrypt.TransformKey, error) {
	var tk recrypt.TransformKey
	var err error
	if tk.EphemeralPublicKey, err = h.EphemeralPublicKey.Recrypt(); err != nil {
		return tk, err
	}
	if tk.ToPublicKey, err = h.ToPublicKey.Recrypt(); err != nil {
		return tk, err
	}
	err = fill([]field{
		{tk.EncryptedTempKey[:], "EncryptedTempKey", h.EncryptedTempKey},
		{tk.HashedTempKey[:], "HashedTempKey", h.HashedTempKey},
		{tk.PublicSigningKey[:], "PublicSigningKey", h.PublicSigningKey},
		{tk.Signature[:], "Signature", h.Signature},
	})
	return tk, err
}
