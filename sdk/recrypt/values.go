package recrypt

import (
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/curve"
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// EncryptedValue is a plaintext encrypted to a public key, possibly
// transformed one or more times (recrypt's EncryptedOnceValue and
// TransformedValue; ironcore-api.md §5.3, the EDEK). It has no transform
// blocks until its first transform.
//
// Fields holding Fp12 elements keep the bytes given; they are reduced mod p
// when used, and hashed and signed in reduced form.
type EncryptedValue struct {
	EphemeralPublicKey PublicKey
	EncryptedMessage   [EncryptedMessageSize]byte
	AuthHash           [AuthHashSize]byte
	// TransformBlocks holds one block per transform, oldest first.
	TransformBlocks  []TransformBlock
	PublicSigningKey PublicSigningKey
	Signature        [SignatureSize]byte
}

// TransformBlock is what one transform adds to an encrypted value (recrypt's
// TransformBlock / ReencryptionBlock).
type TransformBlock struct {
	PublicKey                       PublicKey
	EncryptedTempKey                [EncryptedTempKeySize]byte
	RandomTransformPublicKey        PublicKey
	RandomTransformEncryptedTempKey [EncryptedTempKeySize]byte
}

// TransformKey lets a proxy transform values encrypted to one key pair into
// values for ToPublicKey (ironcore-api.md §5.4). HashedTempKey is a G2 point
// and is not covered by the signature, so augmentation (Augment) keeps the
// signature valid.
type TransformKey struct {
	EphemeralPublicKey PublicKey
	ToPublicKey        PublicKey
	EncryptedTempKey   [EncryptedTempKeySize]byte
	HashedTempKey      [HashedTempKeySize]byte
	PublicSigningKey   PublicSigningKey
	Signature          [SignatureSize]byte
}

// canonicalFp12 appends the reduced re-encoding of a 384-byte Fp12 field.
func canonicalFp12(dst []byte, b *[384]byte) []byte {
	var e field.E12
	e.SetBytes(b[:])
	enc := e.Bytes()
	return append(dst, enc[:]...)
}

func appendPublicKey(dst []byte, k *PublicKey) []byte {
	dst = append(dst, k.x[:]...)
	return append(dst, k.y[:]...)
}

// appendImage appends the block's hash image (896 bytes, spec §4.6).
func (b *TransformBlock) appendImage(dst []byte) []byte {
	dst = appendPublicKey(dst, &b.PublicKey)
	dst = canonicalFp12(dst, &b.EncryptedTempKey)
	dst = appendPublicKey(dst, &b.RandomTransformPublicKey)
	return canonicalFp12(dst, &b.RandomTransformEncryptedTempKey)
}

// PayloadImage returns the bytes an encrypted value's signature covers after
// its public signing key: ephemeral key ‖ message ‖ auth hash ‖ blocks, with
// Fp12 values in reduced form (480 + 896·len(TransformBlocks) bytes).
func (ev EncryptedValue) PayloadImage() []byte {
	dst := make([]byte, 0, 480+896*len(ev.TransformBlocks))
	dst = appendPublicKey(dst, &ev.EphemeralPublicKey)
	dst = canonicalFp12(dst, &ev.EncryptedMessage)
	dst = append(dst, ev.AuthHash[:]...)
	for i := range ev.TransformBlocks {
		dst = ev.TransformBlocks[i].appendImage(dst)
	}
	return dst
}

// signedMessage returns psk ‖ payload image.
func (ev *EncryptedValue) signedMessage(psk PublicSigningKey) []byte {
	return append(psk[:], ev.PayloadImage()...)
}

// verifySignature checks the embedded signature with the embedded key.
func (ev *EncryptedValue) verifySignature() error {
	if !ev.PublicSigningKey.Verify(ev.signedMessage(ev.PublicSigningKey), ev.Signature[:]) {
		return ErrInvalidEncryptedMessageSignature
	}
	return nil
}

// signedMessage returns psk ‖ R ‖ pk_to ‖ X, what a transform key's signature
// covers (544 bytes; the hashed temp key is excluded).
func (tk *TransformKey) signedMessage() []byte {
	dst := make([]byte, 0, 544)
	dst = append(dst, tk.PublicSigningKey[:]...)
	dst = appendPublicKey(dst, &tk.EphemeralPublicKey)
	dst = appendPublicKey(dst, &tk.ToPublicKey)
	return canonicalFp12(dst, &tk.EncryptedTempKey)
}

// Bytes returns the transform key's 672-byte hash image: ephemeral key ‖ to
// key ‖ encrypted temp key ‖ hashed temp key ‖ public signing key, without
// the signature, as used in the device-add Schnorr message (ironcore-api.md
// §5.4). Like recrypt, it uses the stored bytes as given.
func (tk TransformKey) Bytes() [672]byte {
	var out [672]byte
	copy(out[0:32], tk.EphemeralPublicKey.x[:])
	copy(out[32:64], tk.EphemeralPublicKey.y[:])
	copy(out[64:96], tk.ToPublicKey.x[:])
	copy(out[96:128], tk.ToPublicKey.y[:])
	copy(out[128:512], tk.EncryptedTempKey[:])
	copy(out[512:640], tk.HashedTempKey[:])
	copy(out[640:672], tk.PublicSigningKey[:])
	return out
}

// hashedTempKey decodes the G2 point h.
func (tk *TransformKey) hashedTempKey() (*curve.G2, error) {
	var h curve.G2
	if _, err := h.SetBytes(tk.HashedTempKey[:]); err != nil {
		return nil, ErrDecodeFailure
	}
	return &h, nil
}

// Augment returns tk with its hashed temp key h replaced by h − [sk]Q₀,
// recrypt's TransformKey::augment for server-assisted keys. The signature
// stays valid because it does not cover h.
func (tk TransformKey) Augment(sk PrivateKey) (TransformKey, error) {
	h, err := tk.hashedTempKey()
	if err != nil {
		return TransformKey{}, err
	}
	var m curve.G2
	params().q0Table.ScalarMult(&m, &sk.b)
	m.Neg(&m)
	h.Add(h, &m)
	enc, ok := h.Bytes()
	if ok != 1 {
		return TransformKey{}, ErrZeroPoint
	}
	tk.HashedTempKey = enc
	return tk, nil
}

// Clone returns a deep copy of ev.
func (ev EncryptedValue) Clone() EncryptedValue {
	if ev.TransformBlocks != nil {
		ev.TransformBlocks = append([]TransformBlock(nil), ev.TransformBlocks...)
	}
	return ev
}
