package field

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// Element is an element of Fp. It is stored in Montgomery form, x·2²⁵⁶ mod p,
// as four little-endian 64-bit limbs, and is always fully reduced.
//
// The zero value is 0.
type Element struct {
	l [4]uint64
}

// pLimbs is p as little-endian limbs.
var pLimbs = [4]uint64{0x185cac6c5e089667, 0xee5b88d120b5b59e, 0xaa6fecb86184dc21, 0x8fb501e34aa387f9}

const (
	// pInv is −p⁻¹ mod 2⁶⁴.
	pInv = 0x2387f9007f17daa9
)

var (
	// rOne is 2²⁵⁶ mod p, the Montgomery form of 1.
	rOne = [4]uint64{0xe7a35393a1f76999, 0x11a4772edf4a4a61, 0x559013479e7b23de, 0x704afe1cb55c7806}
	// rSquared is 2⁵¹² mod p.
	rSquared = [4]uint64{0x9c21c3ff7e444f56, 0x409ed151b2efb0c2, 0x0c6dc37b80fb1651, 0x7c36e0e62c2380b7}
	// rCubed is 2⁷⁶⁸ mod p.
	rCubed = [4]uint64{0x2af2dfb9324a5bb8, 0x388f899054f538a4, 0xdf2ff66396b107a7, 0x24ebbbb3a2529292}
)

// errLength is returned by the decoders for input of the wrong length.
var errLength = errors.New("field: invalid input length")

// Zero sets z to 0 and returns z.
func (z *Element) Zero() *Element {
	*z = Element{}
	return z
}

// One sets z to 1 and returns z.
func (z *Element) One() *Element {
	z.l = rOne
	return z
}

// Set sets z to x and returns z.
func (z *Element) Set(x *Element) *Element {
	*z = *x
	return z
}

// SetUint64 sets z to v mod p and returns z.
func (z *Element) SetUint64(v uint64) *Element {
	t := Element{l: [4]uint64{v, 0, 0, 0}}
	return z.Mul(&t, &Element{l: rSquared})
}

// reduceOnce returns x − p if x ≥ p, and x otherwise, for x < 2²⁵⁶.
// Because 2²⁵⁶ < 2p this fully reduces any 256-bit value.
func reduceOnce(x [4]uint64) [4]uint64 {
	var t [4]uint64
	var b uint64
	t[0], b = bits.Sub64(x[0], pLimbs[0], 0)
	t[1], b = bits.Sub64(x[1], pLimbs[1], b)
	t[2], b = bits.Sub64(x[2], pLimbs[2], b)
	t[3], b = bits.Sub64(x[3], pLimbs[3], b)
	// b == 1 means x < p: keep x.
	mask := -b
	for i := range t {
		t[i] = (x[i] & mask) | (t[i] &^ mask)
	}
	return t
}

// limbsFromBytes reads 32 big-endian bytes as little-endian limbs.
func limbsFromBytes(b []byte) [4]uint64 {
	return [4]uint64{
		binary.BigEndian.Uint64(b[24:32]),
		binary.BigEndian.Uint64(b[16:24]),
		binary.BigEndian.Uint64(b[8:16]),
		binary.BigEndian.Uint64(b[0:8]),
	}
}

// SetBytes sets z to the 32-byte big-endian integer b reduced mod p and returns
// z. Any 32 bytes are accepted. If b is not 32 bytes long, SetBytes returns nil
// and an error, and leaves z unchanged.
func (z *Element) SetBytes(b []byte) (*Element, error) {
	if len(b) != 32 {
		return nil, errLength
	}
	t := Element{l: reduceOnce(limbsFromBytes(b))}
	z.Mul(&t, &Element{l: rSquared})
	return z, nil
}

// SetWideBytes sets z to the 64-byte big-endian integer b reduced mod p and
// returns z. If b is not 64 bytes long, SetWideBytes returns nil and an error,
// and leaves z unchanged.
func (z *Element) SetWideBytes(b []byte) (*Element, error) {
	if len(b) != 64 {
		return nil, errLength
	}
	hi := Element{l: reduceOnce(limbsFromBytes(b[:32]))}
	lo := Element{l: reduceOnce(limbsFromBytes(b[32:]))}
	// hi·2²⁵⁶ + lo in Montgomery form is hi·R³·R⁻¹ + lo·R²·R⁻¹.
	hi.Mul(&hi, &Element{l: rCubed})
	lo.Mul(&lo, &Element{l: rSquared})
	z.Add(&hi, &lo)
	return z, nil
}

// Bytes returns the canonical 32-byte big-endian encoding of x.
func (x *Element) Bytes() [32]byte {
	var out [32]byte
	x.FillBytes(out[:])
	return out
}

// FillBytes writes the canonical 32-byte big-endian encoding of x to buf,
// which must be at least 32 bytes long, and returns buf[:32].
func (x *Element) FillBytes(buf []byte) []byte {
	var t Element
	t.fromMont(x)
	_ = buf[31]
	binary.BigEndian.PutUint64(buf[0:8], t.l[3])
	binary.BigEndian.PutUint64(buf[8:16], t.l[2])
	binary.BigEndian.PutUint64(buf[16:24], t.l[1])
	binary.BigEndian.PutUint64(buf[24:32], t.l[0])
	return buf[:32]
}

// fromMont sets z to x·R⁻¹, the plain representation of x's value.
func (z *Element) fromMont(x *Element) *Element {
	return z.Mul(x, &Element{l: [4]uint64{1, 0, 0, 0}})
}

// Equal returns 1 if x and y are equal, and 0 otherwise.
func (x *Element) Equal(y *Element) int {
	var d uint64
	for i := range x.l {
		d |= x.l[i] ^ y.l[i]
	}
	return int(1 &^ ((d | -d) >> 63))
}

// IsZero returns 1 if x is 0, and 0 otherwise.
func (x *Element) IsZero() int {
	return x.Equal(&Element{})
}

// Select sets z to a if cond is 1 and to b if cond is 0, and returns z.
// cond must be 0 or 1.
func (z *Element) Select(a, b *Element, cond int) *Element {
	mask := -uint64(cond)
	for i := range z.l {
		z.l[i] = (a.l[i] & mask) | (b.l[i] &^ mask)
	}
	return z
}

// Swap swaps a and b if cond is 1 and leaves them unchanged if cond is 0.
func (a *Element) Swap(b *Element, cond int) {
	mask := -uint64(cond)
	for i := range a.l {
		t := mask & (a.l[i] ^ b.l[i])
		a.l[i] ^= t
		b.l[i] ^= t
	}
}

// Add sets z = x + y and returns z.
func (z *Element) Add(x, y *Element) *Element {
	countAdd()
	add(z, x, y)
	return z
}

// addGeneric is Add in portable Go.
func addGeneric(z, x, y *Element) {
	var t [4]uint64
	var c uint64
	t[0], c = bits.Add64(x.l[0], y.l[0], 0)
	t[1], c = bits.Add64(x.l[1], y.l[1], c)
	t[2], c = bits.Add64(x.l[2], y.l[2], c)
	t[3], c = bits.Add64(x.l[3], y.l[3], c)
	var s [4]uint64
	var b uint64
	s[0], b = bits.Sub64(t[0], pLimbs[0], 0)
	s[1], b = bits.Sub64(t[1], pLimbs[1], b)
	s[2], b = bits.Sub64(t[2], pLimbs[2], b)
	s[3], b = bits.Sub64(t[3], pLimbs[3], b)
	// Keep t only when there was no carry out and t < p (a borrow).
	keep := b &^ c
	mask := -keep
	z.l[0] = (t[0] & mask) | (s[0] &^ mask)
	z.l[1] = (t[1] & mask) | (s[1] &^ mask)
	z.l[2] = (t[2] & mask) | (s[2] &^ mask)
	z.l[3] = (t[3] & mask) | (s[3] &^ mask)
}

// Double sets z = 2x and returns z.
func (z *Element) Double(x *Element) *Element {
	return z.Add(x, x)
}

// Sub sets z = x − y and returns z.
func (z *Element) Sub(x, y *Element) *Element {
	countAdd()
	sub(z, x, y)
	return z
}

// subGeneric is Sub in portable Go.
func subGeneric(z, x, y *Element) {
	var t [4]uint64
	var b uint64
	t[0], b = bits.Sub64(x.l[0], y.l[0], 0)
	t[1], b = bits.Sub64(x.l[1], y.l[1], b)
	t[2], b = bits.Sub64(x.l[2], y.l[2], b)
	t[3], b = bits.Sub64(x.l[3], y.l[3], b)
	mask := -b
	var c uint64
	z.l[0], c = bits.Add64(t[0], pLimbs[0]&mask, 0)
	z.l[1], c = bits.Add64(t[1], pLimbs[1]&mask, c)
	z.l[2], c = bits.Add64(t[2], pLimbs[2]&mask, c)
	z.l[3], _ = bits.Add64(t[3], pLimbs[3]&mask, c)
}

// Halve sets z = x/2 and returns z: x or x + p, whichever is even, shifted
// right by one bit, chosen by a mask (constant time).
func (z *Element) Halve(x *Element) *Element {
	countAdd()
	mask := -(x.l[0] & 1)
	var t [4]uint64
	var c uint64
	t[0], c = bits.Add64(x.l[0], pLimbs[0]&mask, 0)
	t[1], c = bits.Add64(x.l[1], pLimbs[1]&mask, c)
	t[2], c = bits.Add64(x.l[2], pLimbs[2]&mask, c)
	t[3], c = bits.Add64(x.l[3], pLimbs[3]&mask, c)
	z.l[0] = t[0]>>1 | t[1]<<63
	z.l[1] = t[1]>>1 | t[2]<<63
	z.l[2] = t[2]>>1 | t[3]<<63
	z.l[3] = t[3]>>1 | c<<63
	return z
}

// Neg sets z = −x and returns z.
func (z *Element) Neg(x *Element) *Element {
	return z.Sub(&Element{}, x)
}
