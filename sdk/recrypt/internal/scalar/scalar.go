// Package scalar implements arithmetic modulo r, the order of recrypt's
// groups G1 and G2 (recrypt's Fr256):
//
//	r = 0x8fb501e34aa387f9aa6fecb86184dc212e8d8e12f82b39241a2ef45b57ac7261
//
// Scalar follows the math/big convention: z.Op(x, y) sets z and returns z,
// and arguments may alias. Every operation runs in constant time. The zero
// value is 0.
package scalar

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// Scalar is an integer modulo r in Montgomery form (x·2²⁵⁶ mod r), as four
// little-endian 64-bit limbs, always fully reduced.
type Scalar struct {
	l [4]uint64
}

var (
	rLimbs   = [4]uint64{0x1a2ef45b57ac7261, 0x2e8d8e12f82b3924, 0xaa6fecb86184dc21, 0x8fb501e34aa387f9}
	rSquared = [4]uint64{0xb5f030132affbc35, 0x85a1f7da0792e95d, 0x26841e5fa6ee4895, 0x3d8f6c73765aefd5}
)

// rInv is −r⁻¹ mod 2⁶⁴.
const rInv = 0x056417b72d284e5f

var errLength = errors.New("scalar: input must be 32 bytes")

// reduceOnce returns x mod r for x < 2²⁵⁶ (< 2r).
func reduceOnce(x [4]uint64) [4]uint64 {
	var t [4]uint64
	var b uint64
	t[0], b = bits.Sub64(x[0], rLimbs[0], 0)
	t[1], b = bits.Sub64(x[1], rLimbs[1], b)
	t[2], b = bits.Sub64(x[2], rLimbs[2], b)
	t[3], b = bits.Sub64(x[3], rLimbs[3], b)
	mask := -b
	for i := range t {
		t[i] = (x[i] & mask) | (t[i] &^ mask)
	}
	return t
}

// SetBytes sets z to the 32-byte big-endian integer b reduced mod r and returns
// z. On a wrong length it returns nil and an error and leaves z unchanged.
func (z *Scalar) SetBytes(b []byte) (*Scalar, error) {
	if len(b) != 32 {
		return nil, errLength
	}
	x := [4]uint64{
		binary.BigEndian.Uint64(b[24:32]),
		binary.BigEndian.Uint64(b[16:24]),
		binary.BigEndian.Uint64(b[8:16]),
		binary.BigEndian.Uint64(b[0:8]),
	}
	t := Scalar{l: reduceOnce(x)}
	z.Mul(&t, &Scalar{l: rSquared})
	return z, nil
}

// Bytes returns the canonical 32-byte big-endian encoding of x.
func (x *Scalar) Bytes() [32]byte {
	var t Scalar
	t.Mul(x, &Scalar{l: [4]uint64{1, 0, 0, 0}})
	var out [32]byte
	binary.BigEndian.PutUint64(out[0:8], t.l[3])
	binary.BigEndian.PutUint64(out[8:16], t.l[2])
	binary.BigEndian.PutUint64(out[16:24], t.l[1])
	binary.BigEndian.PutUint64(out[24:32], t.l[0])
	return out
}

// IsZero returns 1 if x is 0 and 0 otherwise.
func (x *Scalar) IsZero() int {
	d := x.l[0] | x.l[1] | x.l[2] | x.l[3]
	return int(1 &^ ((d | -d) >> 63))
}

// Equal returns 1 if x = y and 0 otherwise.
func (x *Scalar) Equal(y *Scalar) int {
	var d Scalar
	d.Sub(x, y)
	return d.IsZero()
}

// Add sets z = x + y mod r and returns z.
func (z *Scalar) Add(x, y *Scalar) *Scalar {
	var t, s [4]uint64
	var c, b uint64
	t[0], c = bits.Add64(x.l[0], y.l[0], 0)
	t[1], c = bits.Add64(x.l[1], y.l[1], c)
	t[2], c = bits.Add64(x.l[2], y.l[2], c)
	t[3], c = bits.Add64(x.l[3], y.l[3], c)
	s[0], b = bits.Sub64(t[0], rLimbs[0], 0)
	s[1], b = bits.Sub64(t[1], rLimbs[1], b)
	s[2], b = bits.Sub64(t[2], rLimbs[2], b)
	s[3], b = bits.Sub64(t[3], rLimbs[3], b)
	mask := -(b &^ c)
	for i := range z.l {
		z.l[i] = (t[i] & mask) | (s[i] &^ mask)
	}
	return z
}

// Sub sets z = x − y mod r and returns z.
func (z *Scalar) Sub(x, y *Scalar) *Scalar {
	var t [4]uint64
	var b, c uint64
	t[0], b = bits.Sub64(x.l[0], y.l[0], 0)
	t[1], b = bits.Sub64(x.l[1], y.l[1], b)
	t[2], b = bits.Sub64(x.l[2], y.l[2], b)
	t[3], b = bits.Sub64(x.l[3], y.l[3], b)
	mask := -b
	z.l[0], c = bits.Add64(t[0], rLimbs[0]&mask, 0)
	z.l[1], c = bits.Add64(t[1], rLimbs[1]&mask, c)
	z.l[2], c = bits.Add64(t[2], rLimbs[2]&mask, c)
	z.l[3], _ = bits.Add64(t[3], rLimbs[3]&mask, c)
	return z
}

// Mul sets z = x·y mod r and returns z (Montgomery CIOS).
func (z *Scalar) Mul(x, y *Scalar) *Scalar {
	var t [6]uint64
	for i := 0; i < 4; i++ {
		var c uint64
		for j := 0; j < 4; j++ {
			hi, lo := bits.Mul64(x.l[j], y.l[i])
			var cc uint64
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j], c = lo, hi
		}
		var cc uint64
		t[4], cc = bits.Add64(t[4], c, 0)
		t[5] = cc
		m := t[0] * rInv
		hi, lo := bits.Mul64(m, rLimbs[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < 4; j++ {
			hi, lo = bits.Mul64(m, rLimbs[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1], c = lo, hi
		}
		t[3], cc = bits.Add64(t[4], c, 0)
		t[4] = t[5] + cc
	}
	var s [4]uint64
	var b uint64
	s[0], b = bits.Sub64(t[0], rLimbs[0], 0)
	s[1], b = bits.Sub64(t[1], rLimbs[1], b)
	s[2], b = bits.Sub64(t[2], rLimbs[2], b)
	s[3], b = bits.Sub64(t[3], rLimbs[3], b)
	mask := -(b &^ t[4])
	for i := range z.l {
		z.l[i] = (t[i] & mask) | (s[i] &^ mask)
	}
	return z
}
