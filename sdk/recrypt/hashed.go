package recrypt

import "github.com/ironcorelabs/loadgen/sdk/recrypt/internal/curve"

// HashedValue is a point of the twist E'(Fp2) in its 128-byte encoding
// x.u ‖ x.1 ‖ y.u ‖ y.1, such as a transform key's hashed temp key. Like
// recrypt's HashedValue it keeps the bytes it was given.
type HashedValue [HashedTempKeySize]byte

// NewHashedValue checks that b encodes a point of the twist curve (each
// coordinate reduced mod p; there is no subgroup check, as in recrypt) and
// returns it. It fails with a *SizeError or ErrDecodeFailure.
func NewHashedValue(b []byte) (HashedValue, error) {
	if err := checkSize("HashedValue", b, HashedTempKeySize); err != nil {
		return HashedValue{}, err
	}
	var p curve.G2
	if _, err := p.SetBytes(b); err != nil {
		return HashedValue{}, ErrDecodeFailure
	}
	return HashedValue(b), nil
}
