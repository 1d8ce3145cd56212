package service

import (
	"fmt"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// This file converts between the service's wire types and sdk/recrypt's values, and does the
// service's recrypt work: transforms and Schnorr verification.

// key decodes p as a recrypt public key, checking that it is on the curve.
func (p *publicKeyJSON) key(field string) (recrypt.PublicKey, error) {
	if err := p.check(field); err != nil {
		return recrypt.PublicKey{}, badRequestf("%v", err)
	}
	k, err := recrypt.NewPublicKey(p.X, p.Y)
	if err != nil {
		return recrypt.PublicKey{}, badRequestf("%s: %v", field, err)
	}
	return k, nil
}

func publicKeyFrom(k recrypt.PublicKey) *publicKeyJSON {
	x, y := k.X(), k.Y()
	return &publicKeyJSON{X: x[:], Y: y[:]}
}

// value decodes e as a recrypt encrypted value and verifies its Ed25519 signature by its
// public signing key, so that a forged EDEK is refused when it arrives.
func (e *encryptedOnceJSON) value(field string) (*recrypt.EncryptedValue, error) {
	if err := e.check(field); err != nil {
		return nil, badRequestf("%v", err)
	}
	eph, err := e.EphemeralPublicKey.key(field + ".ephemeralPublicKey")
	if err != nil {
		return nil, err
	}
	ev := &recrypt.EncryptedValue{
		EphemeralPublicKey: eph,
		EncryptedMessage:   [recrypt.EncryptedMessageSize]byte(e.EncryptedMessage),
		AuthHash:           [recrypt.AuthHashSize]byte(e.AuthHash),
		PublicSigningKey:   recrypt.PublicSigningKey(e.PublicSigningKey),
		Signature:          [recrypt.SignatureSize]byte(e.Signature),
	}
	msg := append(e.PublicSigningKey[:len(e.PublicSigningKey):len(e.PublicSigningKey)], ev.PayloadImage()...)
	if !ev.PublicSigningKey.Verify(msg, e.Signature) {
		return nil, badRequestf("%s.signature does not verify with its publicSigningKey", field)
	}
	return ev, nil
}

// key decodes t as a recrypt transform key, checking that its points are on the curve (the
// hashed temp key on the twist: the key's signature does not cover it, and a transform through
// a key with a bad one fails) and verifying its Ed25519 signature by its public signing key.
func (t *transformKeyJSON) key(field string) (*recrypt.TransformKey, error) {
	if err := t.check(field); err != nil {
		return nil, badRequestf("%v", err)
	}
	eph, err := t.EphemeralPublicKey.key(field + ".ephemeralPublicKey")
	if err != nil {
		return nil, err
	}
	to, err := t.ToPublicKey.key(field + ".toPublicKey")
	if err != nil {
		return nil, err
	}
	if _, err := recrypt.NewHashedValue(t.HashedTempKey); err != nil {
		return nil, badRequestf("%s.hashedTempKey is not a point of the curve's twist", field)
	}
	psk := recrypt.PublicSigningKey(t.PublicSigningKey)
	if !psk.Verify(t.signedBytes(), t.Signature) {
		return nil, badRequestf("%s.signature does not verify with its publicSigningKey", field)
	}
	return &recrypt.TransformKey{
		EphemeralPublicKey: eph,
		ToPublicKey:        to,
		EncryptedTempKey:   [recrypt.EncryptedTempKeySize]byte(t.EncryptedTempKey),
		HashedTempKey:      [recrypt.HashedTempKeySize]byte(t.HashedTempKey),
		PublicSigningKey:   psk,
		Signature:          [recrypt.SignatureSize]byte(t.Signature),
	}, nil
}

// checkMemberKeys decodes the transform key of every entry of a member addition before any is
// stored: a malformed key fails the whole request (400), as it does a group create.
func checkMemberKeys(users []groupMemberJSON) error {
	for i := range users {
		if _, err := users[i].TransformKey.key("users[" + itoa(i) + "].transformKey"); err != nil {
			return err
		}
	}
	return nil
}

// checkAdminValues decodes the encrypted group secret of every entry of an admin addition
// before any is stored (400 for a malformed one).
func checkAdminValues(admins []groupAdminJSON) error {
	for i := range admins {
		if _, err := admins[i].encryptedOnceJSON.value("admins[" + itoa(i) + "]"); err != nil {
			return err
		}
	}
	return nil
}

// checkGrantValues decodes the EDEK of every entry of a grant before any is stored (400 for a
// malformed one).
func checkGrantValues(to []accessGrantJSON) error {
	for i := range to {
		if _, err := to[i].encryptedOnceJSON.value("to[" + itoa(i) + "]"); err != nil {
			return err
		}
	}
	return nil
}

// transformedFrom encodes a transformed value for the wire.
func transformedFrom(ev *recrypt.EncryptedValue) *transformedJSON {
	t := &transformedJSON{
		encryptedOnceJSON: encryptedOnceJSON{
			EncryptedMessage:   ev.EncryptedMessage[:],
			EphemeralPublicKey: publicKeyFrom(ev.EphemeralPublicKey),
			Signature:          ev.Signature[:],
			AuthHash:           ev.AuthHash[:],
			PublicSigningKey:   ev.PublicSigningKey[:],
		},
		TransformBlocks: make([]transformBlockJSON, len(ev.TransformBlocks)),
	}
	for i := range ev.TransformBlocks {
		b := &ev.TransformBlocks[i]
		t.TransformBlocks[i] = transformBlockJSON{
			EncryptedTempKey:                b.EncryptedTempKey[:],
			PublicKey:                       publicKeyFrom(b.PublicKey),
			RandomTransformEncryptedTempKey: b.RandomTransformEncryptedTempKey[:],
			RandomTransformPublicKey:        publicKeyFrom(b.RandomTransformPublicKey),
		}
	}
	return t
}

// transform applies hops in order to ev (for example group → user, then user → device),
// signing each result with the service's key, and returns the result for the wire.
func (s *Server) transform(ev *recrypt.EncryptedValue, hops ...*recrypt.TransformKey) (*transformedJSON, error) {
	cur := *ev
	for i, tk := range hops {
		next, err := s.recrypt.Transform(cur, *tk, s.signer)
		if err != nil {
			return nil, fmt.Errorf("service: transform hop %d: %w", i+1, err)
		}
		cur = next
	}
	return transformedFrom(&cur), nil
}

// verifySchnorr reports whether sig is pub's recrypt Schnorr signature of msg, made with the
// client's private key: the key of pub less aug when the key was rotated (aug not nil).
func verifySchnorr(pub recrypt.PublicKey, aug *recrypt.PrivateKey, msg, sig []byte) bool {
	if len(sig) != recrypt.SchnorrSignatureSize {
		return false
	}
	return recrypt.VarTimeSchnorrVerify(pub, aug, msg, recrypt.SchnorrSignature(sig))
}

// augmentTransformKey returns tk, made by a client from its private key, as a transform key from
// that key plus aug, the key of the user's or group's unchanged public key (recrypt's
// TransformKey::augment). A nil aug (never rotated) returns tk.
func augmentTransformKey(tk *recrypt.TransformKey, aug *recrypt.PrivateKey) (*recrypt.TransformKey, error) {
	if aug == nil {
		return tk, nil
	}
	a, err := tk.Augment(*aug)
	if err != nil {
		return nil, badRequestf("transformKey cannot be augmented with the rotated key: %v", err)
	}
	return &a, nil
}
