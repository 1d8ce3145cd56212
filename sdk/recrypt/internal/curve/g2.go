package curve

import (
	"crypto/subtle"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// G2 is a point of the twist E'(Fp2): y² = x³ + 3/ξ, in projective
// coordinates. Nothing checks that a G2 value lies in the order-r subgroup.
type G2 struct {
	X, Y, Z field.E2
}

// SetInfinity sets p to the point at infinity and returns p.
func (p *G2) SetInfinity() *G2 {
	p.X.Zero()
	p.Y.One()
	p.Z.Zero()
	return p
}

// Set sets p = q and returns p.
func (p *G2) Set(q *G2) *G2 {
	*p = *q
	return p
}

// IsInfinity returns 1 if p is the point at infinity and 0 otherwise.
func (p *G2) IsInfinity() int {
	return p.Z.IsZero()
}

// Equal returns 1 if p and q represent the same point and 0 otherwise.
func (p *G2) Equal(q *G2) int {
	// (X1:Y1:Z1) = (X2:Y2:Z2) iff X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1.
	var a, b, c, d field.E2
	a.Mul(&p.X, &q.Z)
	b.Mul(&q.X, &p.Z)
	c.Mul(&p.Y, &q.Z)
	d.Mul(&q.Y, &p.Z)
	return a.Equal(&b) & c.Equal(&d)
}

// Neg sets p = −q and returns p.
func (p *G2) Neg(q *G2) *G2 {
	p.X = q.X
	p.Y.Neg(&q.Y)
	p.Z = q.Z
	return p
}

// Select sets p to a if cond is 1 and to b if cond is 0, and returns p.
func (p *G2) Select(a, b *G2, cond int) *G2 {
	p.X.Select(&a.X, &b.X, cond)
	p.Y.Select(&a.Y, &b.Y, cond)
	p.Z.Select(&a.Z, &b.Z, cond)
	return p
}

// Add sets p = a + b and returns p. It is complete: any inputs, including
// equal points and infinity, give the right result.
func (p *G2) Add(a, b *G2) *G2 {
	b3 := field.TwistB3()
	var t0, t1, t2, t3, t4, x3, y3, z3 field.E2
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
func (p *G2) Double(a *G2) *G2 {
	b3 := field.TwistB3()
	var t0, t1, t2, x3, y3, z3 field.E2
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
func (p *G2) Affine() (x, y field.E2, ok int) {
	var zi field.E2
	zi.Invert(&p.Z)
	x.Mul(&p.X, &zi)
	y.Mul(&p.Y, &zi)
	return x, y, 1 - p.Z.IsZero()
}

// SetAffine sets p to (x, y) and returns p, or returns nil and ErrNotOnCurve
// (leaving p unchanged) if the point is not on the curve.
func (p *G2) SetAffine(x, y *field.E2) (*G2, error) {
	var lhs, rhs field.E2
	lhs.Square(y)
	rhs.Square(x)
	rhs.Mul(&rhs, x)
	b := field.TwistB()
	rhs.Add(&rhs, &b)
	if lhs.Equal(&rhs) != 1 {
		return nil, ErrNotOnCurve
	}
	p.X, p.Y = *x, *y
	p.Z.One()
	return p, nil
}

// SetBytes sets p from the 128-byte encoding x.u ‖ x.1 ‖ y.u ‖ y.1, each
// coordinate reduced mod p, and returns p. It fails with ErrNotOnCurve if
// the point is not on the twist (which includes every encoding of infinity).
// There is no subgroup check, as in recrypt.
func (p *G2) SetBytes(b []byte) (*G2, error) {
	if len(b) != 128 {
		return nil, errLength
	}
	var x, y field.E2
	x.SetBytes(b[:64])
	y.SetBytes(b[64:])
	return p.SetAffine(&x, &y)
}

// Bytes returns the 128-byte affine encoding x.u ‖ x.1 ‖ y.u ‖ y.1 of p, and ok = 0 (with a
// zero encoding) if p is the point at infinity.
func (p *G2) Bytes() (out [128]byte, ok int) {
	x, y, ok := p.Affine()
	x.FillBytes(out[:64])
	y.FillBytes(out[64:])
	return out, ok
}

// ScalarMult sets p = [k]q, for k a 32-byte big-endian integer, and returns p.
//
// It runs in constant time: a fixed 4-bit window over all 64 digits of k,
// each table entry chosen by a constant-time scan of the whole table, and
// complete addition formulas, so neither branches nor memory addresses depend
// on k or q.
func (p *G2) ScalarMult(q *G2, k *[32]byte) *G2 {
	var table [16]G2
	table[0].SetInfinity()
	table[1] = *q
	for i := 2; i < 16; i += 2 {
		table[i].Double(&table[i/2])
		table[i+1].Add(&table[i], q)
	}
	var acc, sel G2
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

// VarTimeScalarMult sets p = [k]q and returns p. Execution time depends on
// the inputs; use it only with public scalars.
func (p *G2) VarTimeScalarMult(q *G2, k *[32]byte) *G2 {
	var acc G2
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
