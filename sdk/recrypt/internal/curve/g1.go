package curve

import (
	"crypto/subtle"
	"errors"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// ErrNotOnCurve is returned when decoded coordinates do not satisfy the
// curve equation.
var ErrNotOnCurve = errors.New("curve: point is not on the curve")

// errLength is returned for encodings of the wrong length.
var errLength = errors.New("curve: invalid encoding length")

// G1 is a point of E(Fp): y² = x³ + 3, in projective coordinates.
type G1 struct {
	X, Y, Z field.Element
}

// SetInfinity sets p to the point at infinity and returns p.
func (p *G1) SetInfinity() *G1 {
	p.X.Zero()
	p.Y.One()
	p.Z.Zero()
	return p
}

// SetGenerator sets p to recrypt's generator G = (1, 2) and returns p.
func (p *G1) SetGenerator() *G1 {
	p.X.One()
	p.Y.SetUint64(2)
	p.Z.One()
	return p
}

// Set sets p = q and returns p.
func (p *G1) Set(q *G1) *G1 {
	*p = *q
	return p
}

// IsInfinity returns 1 if p is the point at infinity and 0 otherwise.
func (p *G1) IsInfinity() int {
	return p.Z.IsZero()
}

// Equal returns 1 if p and q represent the same point and 0 otherwise.
func (p *G1) Equal(q *G1) int {
	// (X1:Y1:Z1) = (X2:Y2:Z2) iff X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1.
	var a, b, c, d field.Element
	a.Mul(&p.X, &q.Z)
	b.Mul(&q.X, &p.Z)
	c.Mul(&p.Y, &q.Z)
	d.Mul(&q.Y, &p.Z)
	return a.Equal(&b) & c.Equal(&d)
}

// Neg sets p = −q and returns p.
func (p *G1) Neg(q *G1) *G1 {
	p.X = q.X
	p.Y.Neg(&q.Y)
	p.Z = q.Z
	return p
}

// Select sets p to a if cond is 1 and to b if cond is 0, and returns p.
func (p *G1) Select(a, b *G1, cond int) *G1 {
	p.X.Select(&a.X, &b.X, cond)
	p.Y.Select(&a.Y, &b.Y, cond)
	p.Z.Select(&a.Z, &b.Z, cond)
	return p
}

// Add sets p = a + b and returns p. It is complete: any inputs, including
// equal points and infinity, give the right result.
func (p *G1) Add(a, b *G1) *G1 {
	b3 := field.Nine()
	var t0, t1, t2, t3, t4, x3, y3, z3 field.Element
	t0.Mul(&a.X, &b.X)
	t1.Mul(&a.Y, &b.Y)
	t2.Mul(&a.Z, &b.Z)
	t3.Add(&a.X, &a.Y)
	t4.Add(&b.X, &b.Y)
	t3.Mul(&t3, &t4)
	t4.Add(&t0, &t1)
	t3.Sub(&t3, &t4)
	t4.Add(&a.Y, &a.Z)
	x3.Add(&b.Y, &b.Z)
	t4.Mul(&t4, &x3)
	x3.Add(&t1, &t2)
	t4.Sub(&t4, &x3)
	x3.Add(&a.X, &a.Z)
	y3.Add(&b.X, &b.Z)
	x3.Mul(&x3, &y3)
	y3.Add(&t0, &t2)
	y3.Sub(&x3, &y3)
	x3.Add(&t0, &t0)
	t0.Add(&x3, &t0)
	t2.Mul(&b3, &t2)
	z3.Add(&t1, &t2)
	t1.Sub(&t1, &t2)
	y3.Mul(&b3, &y3)
	x3.Mul(&t4, &y3)
	t2.Mul(&t3, &t1)
	x3.Sub(&t2, &x3)
	y3.Mul(&y3, &t0)
	t1.Mul(&t1, &z3)
	y3.Add(&t1, &y3)
	t0.Mul(&t0, &t3)
	z3.Mul(&z3, &t4)
	z3.Add(&z3, &t0)
	p.X, p.Y, p.Z = x3, y3, z3
	return p
}

// Double sets p = 2a and returns p.
func (p *G1) Double(a *G1) *G1 {
	b3 := field.Nine()
	var t0, t1, t2, x3, y3, z3 field.Element
	t0.Square(&a.Y)
	z3.Add(&t0, &t0)
	z3.Add(&z3, &z3)
	z3.Add(&z3, &z3)
	t1.Mul(&a.Y, &a.Z)
	t2.Square(&a.Z)
	t2.Mul(&b3, &t2)
	x3.Mul(&t2, &z3)
	y3.Add(&t0, &t2)
	z3.Mul(&t1, &z3)
	t1.Add(&t2, &t2)
	t2.Add(&t1, &t2)
	t0.Sub(&t0, &t2)
	y3.Mul(&t0, &y3)
	y3.Add(&x3, &y3)
	t1.Mul(&a.X, &a.Y)
	x3.Mul(&t0, &t1)
	x3.Add(&x3, &x3)
	p.X, p.Y, p.Z = x3, y3, z3
	return p
}

// Affine returns the affine coordinates of p, and ok = 1, or zeros and ok = 0
// if p is the point at infinity.
func (p *G1) Affine() (x, y field.Element, ok int) {
	var zi field.Element
	zi.Invert(&p.Z)
	x.Mul(&p.X, &zi)
	y.Mul(&p.Y, &zi)
	return x, y, 1 - p.Z.IsZero()
}

// SetAffine sets p to (x, y) and returns p, or returns nil and ErrNotOnCurve
// (leaving p unchanged) if the point is not on the curve.
func (p *G1) SetAffine(x, y *field.Element) (*G1, error) {
	var lhs, rhs field.Element
	lhs.Square(y)
	rhs.Square(x)
	rhs.Mul(&rhs, x)
	b := field.Three()
	rhs.Add(&rhs, &b)
	if lhs.Equal(&rhs) != 1 {
		return nil, ErrNotOnCurve
	}
	p.X, p.Y = *x, *y
	p.Z.One()
	return p, nil
}

// SetBytes sets p from the 64-byte encoding x ‖ y, each coordinate reduced
// mod p, and returns p. It fails with ErrNotOnCurve if the point is not on
// the curve (which includes every encoding of infinity).
func (p *G1) SetBytes(b []byte) (*G1, error) {
	if len(b) != 64 {
		return nil, errLength
	}
	var x, y field.Element
	x.SetBytes(b[:32])
	y.SetBytes(b[32:])
	return p.SetAffine(&x, &y)
}

// Bytes returns the 64-byte affine encoding x ‖ y of p, and ok = 0 (with a
// zero encoding) if p is the point at infinity.
func (p *G1) Bytes() (out [64]byte, ok int) {
	x, y, ok := p.Affine()
	x.FillBytes(out[:32])
	y.FillBytes(out[32:])
	return out, ok
}

// ScalarMult sets p = [k]q, for k a 32-byte big-endian integer, and returns p.
//
// It runs in constant time: a fixed 4-bit window over all 64 digits of k,
// each table entry chosen by a constant-time scan of the whole table, and
// complete addition formulas, so neither branches nor memory addresses depend
// on k or q.
func (p *G1) ScalarMult(q *G1, k *[32]byte) *G1 {
	var table [16]G1
	table[0].SetInfinity()
	table[1] = *q
	for i := 2; i < 16; i += 2 {
		table[i].Double(&table[i/2])
		table[i+1].Add(&table[i], q)
	}
	var acc, sel G1
	acc.SetInfinity()
	for i := 0; i < 64; i++ {
		if i > 0 {
			acc.Double(&acc)
			acc.Double(&acc)
			acc.Double(&acc)
			acc.Double(&acc)
		}
		d := k[i/2] >> (4 * uint(1-i%2)) & 0xf
		sel.SetInfinity()
		for j := 1; j < 16; j++ {
			sel.Select(&table[j], &sel, subtle.ConstantTimeByteEq(d, uint8(j)))
		}
		acc.Add(&acc, &sel)
	}
	*p = acc
	return p
}

// ScalarBaseMult sets p = [k]G, for k a 32-byte big-endian integer, and
// returns p. It runs in constant time.
func (p *G1) ScalarBaseMult(k *[32]byte) *G1 {
	var g G1
	g.SetGenerator()
	return p.ScalarMult(&g, k)
}

// VarTimeScalarMult sets p = [k]q and returns p. Execution time depends on
// the inputs; use it only with public scalars.
func (p *G1) VarTimeScalarMult(q *G1, k *[32]byte) *G1 {
	var acc G1
	acc.SetInfinity()
	base := *q
	for _, byt := range k {
		for j := 7; j >= 0; j-- {
			acc.Double(&acc)
			if byt>>uint(j)&1 == 1 {
				acc.Add(&acc, &base)
			}
		}
	}
	*p = acc
	return p
}
