package recrypt

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// The oracle (shared/oracle/recrypt) and its vector files write bytes as hex
// and structured values with the wasm binding's field names. These types and
// converters are for tests only.

type hexBytes []byte

func (h *hexBytes) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

func (h hexBytes) MarshalText() ([]byte, error) {
	return []byte(hex.EncodeToString(h)), nil
}

type hexPublicKey struct {
	X hexBytes `json:"x"`
	Y hexBytes `json:"y"`
}

type hexSigningKeypair struct {
	PrivateKey hexBytes `json:"privateKey"`
	PublicKey  hexBytes `json:"publicKey,omitempty"`
}

type hexBlock struct {
	PublicKey                       hexPublicKey `json:"publicKey"`
	EncryptedTempKey                hexBytes     `json:"encryptedTempKey"`
	RandomTransformPublicKey        hexPublicKey `json:"randomTransformPublicKey"`
	RandomTransformEncryptedTempKey hexBytes     `json:"randomTransformEncryptedTempKey"`
}

type hexEncryptedValue struct {
	EphemeralPublicKey hexPublicKey `json:"ephemeralPublicKey"`
	EncryptedMessage   hexBytes     `json:"encryptedMessage"`
	AuthHash           hexBytes     `json:"authHash"`
	TransformBlocks    []hexBlock   `json:"transformBlocks"`
	PublicSigningKey   hexBytes     `json:"publicSigningKey"`
	Signature          hexBytes     `json:"signature"`
}

type hexTransformKey struct {
	EphemeralPublicKey hexPublicKey `json:"ephemeralPublicKey"`
	ToPublicKey        hexPublicKey `json:"toPublicKey"`
	EncryptedTempKey   hexBytes     `json:"encryptedTempKey"`
	HashedTempKey      hexBytes     `json:"hashedTempKey"`
	PublicSigningKey   hexBytes     `json:"publicSigningKey"`
	Signature          hexBytes     `json:"signature"`
}

func (h hexPublicKey) key() (PublicKey, error) { return NewPublicKey(h.X, h.Y) }

func toHexPublicKey(k PublicKey) hexPublicKey {
	x, y := k.X(), k.Y()
	return hexPublicKey{X: x[:], Y: y[:]}
}

func (h hexSigningKeypair) keypair() (SigningKeypair, error) { return NewSigningKeypair(h.PrivateKey) }

func toHexSigningKeypair(k SigningKeypair) hexSigningKeypair {
	b := k.Bytes()
	return hexSigningKeypair{PrivateKey: b[:], PublicKey: b[32:]}
}

func fixed(dst []byte, typ string, src []byte) error {
	if len(src) != len(dst) {
		return &SizeError{Type: typ, Want: len(dst), Got: len(src)}
	}
	copy(dst, src)
	return nil
}

func (h hexEncryptedValue) value() (EncryptedValue, error) {
	var ev EncryptedValue
	var err error
	if ev.EphemeralPublicKey, err = h.EphemeralPublicKey.key(); err != nil {
		return ev, err
	}
	for _, f := range []struct {
		dst []byte
		src []byte
	}{{ev.EncryptedMessage[:], h.EncryptedMessage}, {ev.AuthHash[:], h.AuthHash}, {ev.PublicSigningKey[:], h.PublicSigningKey}, {ev.Signature[:], h.Signature}} {
		if err := fixed(f.dst, "field", f.src); err != nil {
			return ev, err
		}
	}
	for _, hb := range h.TransformBlocks {
		var b TransformBlock
		if b.PublicKey, err = hb.PublicKey.key(); err != nil {
			return ev, err
		}
		if b.RandomTransformPublicKey, err = hb.RandomTransformPublicKey.key(); err != nil {
			return ev, err
		}
		if err := fixed(b.EncryptedTempKey[:], "EncryptedTempKey", hb.EncryptedTempKey); err != nil {
			return ev, err
		}
		if err := fixed(b.RandomTransformEncryptedTempKey[:], "EncryptedTempKey", hb.RandomTransformEncryptedTempKey); err != nil {
			return ev, err
		}
		ev.TransformBlocks = append(ev.TransformBlocks, b)
	}
	return ev, nil
}

func toHexEncryptedValue(ev EncryptedValue) hexEncryptedValue {
	h := hexEncryptedValue{
		EphemeralPublicKey: toHexPublicKey(ev.EphemeralPublicKey),
		EncryptedMessage:   clone(ev.EncryptedMessage[:]),
		AuthHash:           clone(ev.AuthHash[:]),
		PublicSigningKey:   clone(ev.PublicSigningKey[:]),
		Signature:          clone(ev.Signature[:]),
		TransformBlocks:    []hexBlock{},
	}
	for _, b := range ev.TransformBlocks {
		h.TransformBlocks = append(h.TransformBlocks, hexBlock{
			PublicKey:                       toHexPublicKey(b.PublicKey),
			EncryptedTempKey:                clone(b.EncryptedTempKey[:]),
			RandomTransformPublicKey:        toHexPublicKey(b.RandomTransformPublicKey),
			RandomTransformEncryptedTempKey: clone(b.RandomTransformEncryptedTempKey[:]),
		})
	}
	return h
}

func (h hexTransformKey) key() (TransformKey, error) {
	var tk TransformKey
	var err error
	if tk.EphemeralPublicKey, err = h.EphemeralPublicKey.key(); err != nil {
		return tk, err
	}
	if tk.ToPublicKey, err = h.ToPublicKey.key(); err != nil {
		return tk, err
	}
	for _, f := range []struct {
		dst []byte
		src []byte
	}{{tk.EncryptedTempKey[:], h.EncryptedTempKey}, {tk.HashedTempKey[:], h.HashedTempKey}, {tk.PublicSigningKey[:], h.PublicSigningKey}, {tk.Signature[:], h.Signature}} {
		if err := fixed(f.dst, "field", f.src); err != nil {
			return tk, err
		}
	}
	return tk, nil
}

func toHexTransformKey(tk TransformKey) hexTransformKey {
	return hexTransformKey{
		EphemeralPublicKey: toHexPublicKey(tk.EphemeralPublicKey),
		ToPublicKey:        toHexPublicKey(tk.ToPublicKey),
		EncryptedTempKey:   clone(tk.EncryptedTempKey[:]),
		HashedTempKey:      clone(tk.HashedTempKey[:]),
		PublicSigningKey:   clone(tk.PublicSigningKey[:]),
		Signature:          clone(tk.Signature[:]),
	}
}

// sharedDir returns <repository root>/../shared, where the repository root is
// the nearest parent directory holding go.mod, or an error if it is absent.
func sharedDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test directory")
		}
		dir = parent
	}
	shared := filepath.Join(filepath.Dir(dir), "shared")
	if _, err := os.Stat(shared); err != nil {
		return "", err
	}
	return shared, nil
}
