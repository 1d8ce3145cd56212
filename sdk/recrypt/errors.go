package recrypt

import (
	"errors"
	"fmt"
)

// Errors returned by this package. Test for them with errors.Is. Errors never
// contain private keys or plaintexts.
var (
	// ErrInvalidPublicKey means a public key or other G1 point was not usable.
	// It is always joined with ErrPointNotOnCurve or ErrZeroPoint.
	ErrInvalidPublicKey = errors.New("recrypt: invalid public key")
	// ErrPointNotOnCurve means the coordinates do not satisfy the curve equation.
	ErrPointNotOnCurve = errors.New("recrypt: point not on curve")
	// ErrZeroPoint means a computation produced the point at infinity, as
	// happens for a private key that is 0 modulo the group order.
	ErrZeroPoint = errors.New("recrypt: point at infinity")
	// ErrDecodeFailure means bytes did not decode to a valid value, such as a
	// G2 point (HashedValue) not on the twist curve.
	ErrDecodeFailure = errors.New("recrypt: bytes do not decode to a valid value")
	// ErrInvalidEncryptedMessageSignature means the Ed25519 signature of an
	// encrypted value did not verify.
	ErrInvalidEncryptedMessageSignature = errors.New("recrypt: the signature of the encrypted value could not be verified")
	// ErrInvalidTransformKey means a transform key's signature did not verify
	// or its hashed temp key is not a point of the twist.
	ErrInvalidTransformKey = errors.New("recrypt: the transform key is invalid")
	// ErrDecryptFailed means the decrypted plaintext did not match the
	// encrypted value's auth hash: usually the wrong private key.
	ErrDecryptFailed = errors.New("recrypt: decryption failed")
	// ErrInvalidSigningKeypair means the public half of an Ed25519 key pair does
	// not belong to its seed.
	ErrInvalidSigningKeypair = errors.New("recrypt: signing key pair's public key does not match its seed")
	// ErrSchnorrSign means Schnorr signing met a nonce whose point has
	// x-coordinate 0 or is infinity, which recrypt treats as impossible.
	ErrSchnorrSign = errors.New("recrypt: schnorr signing failed")
	// ErrMissingTransformBlocks means an encrypted value claims to be
	// transformed but carries no transform blocks.
	ErrMissingTransformBlocks = errors.New("recrypt: transformed value has no transform blocks")
)

// SizeError reports an input of the wrong length, like recrypt's
// InputWrongSize. It matches ErrDecodeFailure under errors.Is.
type SizeError struct {
	// Type is the name of the value being decoded, such as "PublicKey".
	Type string
	// Want and Got are the expected and the actual lengths in bytes.
	Want, Got int
}

// Error describes the wrong size without echoing the input.
func (e *SizeError) Error() string {
	return fmt.Sprintf("recrypt: %s must be %d bytes, got %d", e.Type, e.Want, e.Got)
}

// Is reports whether target is ErrDecodeFailure.
func (e *SizeError) Is(target error) bool { return target == ErrDecodeFailure }

// checkSize returns a *SizeError if len(b) != want.
func checkSize(typ string, b []byte, want int) error {
	if len(b) != want {
		return &SizeError{Type: typ, Want: want, Got: len(b)}
	}
	return nil
}

// invalidPublicKey joins ErrInvalidPublicKey with the reason.
func invalidPublicKey(reason error) error {
	return fmt.Errorf("%w: %w", ErrInvalidPublicKey, reason)
}
