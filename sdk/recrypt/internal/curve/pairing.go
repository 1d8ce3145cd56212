package curve

import (
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// sixTPlus2NAF is the non-adjacent form of 6t+2 = 39111536946472751624, least
// significant digit first (recrypt spec §3.2).
var sixTPlus2NAF = [66]int8{
	0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, -1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, -1, 0,
	1, 0, 0, 0, 1, 0, -1, 0, 0, 0, -1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 1,
}

// numLines is the number of lines of one Miller loop: 65 doublings, 18
// additions for the non-zero digits below the top one, and 2 Frobenius
// additions.
const numLines = 65 + 18 + 2

// line holds the coefficients of a Miller-loop line scaled by a non-zero
// element of Fp2, which the final exponentiation removes. Evaluated at a
// point P = (x_P, y_P) of G1 it is
//
//	ℓ(P) = a·y_P + b·x_P·w + c·w³,
//
// and MillerLoop evaluates Z·ℓ(P) = a·Y + b·X·w + c·Z·w³ at P = (X : Y : Z),
// which the final exponentiation does not tell apart (Z is in Fp), so that P
// needs no inversion.
type line struct {
	a, b, c field.E2
}

// G2Prepared is a point of G2 with the lines of its Miller loop computed, so
// that pairings with it only evaluate them. Preparing costs about a third of a
// pairing; reuse a G2Prepared for a fixed point.
type G2Prepared struct {
	lines [numLines]line
	ok    int // 0 when the point was infinity
}

// Prepare sets g to the prepared form of q and returns g.
func (g *G2Prepared) Prepare(q *G2) *G2Prepared {
	x, y, ok := q.Affine()
	g.ok = ok
	var negY field.E2
	negY.Neg(&y)

	var t G2
	t.X, t.Y = x, y
	t.Z.One()
	n := 0
	for i := len(sixTPlus2NAF) - 2; i >= 0; i-- {
		doubleStep(&g.lines[n], &t)
		n++
		switch sixTPlus2NAF[i] {
		case 1:
			addStep(&g.lines[n], &t, &x, &y)
			n++
		case -1:
			addStep(&g.lines[n], &t, &x, &negY)
			n++
		}
	}
	// Q1 = π(Q), Q2 = π(Q1); lines with Q1 and −Q2.
	g1, g3 := field.Gamma1(), field.Gamma3()
	var x1, y1, x2, y2 field.E2
	x1.Conjugate(&x)
	x1.Mul(&x1, &g1)
	y1.Conjugate(&y)
	y1.Mul(&y1, &g3)
	x2.Conjugate(&x1)
	x2.Mul(&x2, &g1)
	y2.Conjugate(&y1)
	y2.Mul(&y2, &g3)
	y2.Neg(&y2)
	addStep(&g.lines[n], &t, &x1, &y1)
	n++
	addStep(&g.lines[n], &t, &x2, &y2)
	return g
}

// doubleStep sets t = 2t and l to the tangent line at t (Costello, Lange and
// Naehrig's homogeneous doubling, in the form of Aranha et al., "Faster
// explicit formulas for computing pairings over ordinary curves", §4):
//
//	ℓ·2YZ = 2YZ·y_P − 3X²·x_P·w + (Y² − 3b'Z²)·w³.
func doubleStep(l *line, t *G2) {
	b3 := field.TwistB3()
	var a, b, c, e, f, g, h, x2 field.E2
	a.Mul(&t.X, &t.Y)
	a.Halve(&a)    // XY/2
	b.Square(&t.Y) // Y²
	c.Square(&t.Z) // Z²
	e.Mul(&c, &b3) // 3b'Z²
	f.Double(&e)
	f.Add(&f, &e) // 9b'Z²
	g.Add(&b, &f)
	g.Halve(&g) // (Y² + 9b'Z²)/2
	h.Add(&t.Y, &t.Z)
	h.Square(&h)
	h.Sub(&h, &b)
	h.Sub(&h, &c) // 2YZ
	x2.Square(&t.X)

	l.a = h
	l.b.Double(&x2)
	l.b.Add(&l.b, &x2)
	l.b.Neg(&l.b) // −3X²
	l.c.Sub(&b, &e)

	var e2 field.E2
	e2.Square(&e)
	var e3 field.E2
	e3.Double(&e2)
	e3.Add(&e3, &e2) // 3E²
	t.X.Sub(&b, &f)
	t.X.Mul(&t.X, &a)
	t.Y.Square(&g)
	t.Y.Sub(&t.Y, &e3)
	t.Z.Mul(&b, &h)
}

// addStep sets t = t + (xq, yq) and l to the line through them, anchored at
// the affine point q:
//
//	ℓ·λ = λ·y_P − θ·x_P·w + (θ·x_q − λ·y_q)·w³,
//
// with θ = Y − y_q·Z and λ = X − x_q·Z.
func addStep(l *line, t *G2, xq, yq *field.E2) {
	var theta, lambda, c, d, e, f, g, h, tmp field.E2
	theta.Mul(yq, &t.Z)
	theta.Sub(&t.Y, &theta)
	lambda.Mul(xq, &t.Z)
	lambda.Sub(&t.X, &lambda)
	c.Square(&theta)
	d.Square(&lambda)
	e.Mul(&lambda, &d)
	f.Mul(&t.Z, &c)
	g.Mul(&t.X, &d)
	h.Add(&e, &f)
	h.Sub(&h, &g)
	h.Sub(&h, &g)

	l.a = lambda
	l.b.Neg(&theta)
	l.c.Mul(&theta, xq)
	tmp.Mul(&lambda, yq)
	l.c.Sub(&l.c, &tmp)

	t.X.Mul(&lambda, &h)
	tmp.Sub(&g, &h)
	tmp.Mul(&tmp, &theta)
	var ye field.E2
	ye.Mul(&t.Y, &e)
	t.Y.Sub(&tmp, &ye)
	t.Z.Mul(&t.Z, &e)
}

// MillerLoop sets f to the product of the Miller loops of the pairs
// (ps[i], qs[i]), with recrypt's final two Frobenius lines, before the final
// exponentiation. If any point is infinity, f is set to 1.
// It panics if the slices differ in length.
func MillerLoop(f *field.E12, ps []*G1, qs []*G2Prepared) *field.E12 {
	if len(ps) != len(qs) {
		panic("curve: MillerLoop with mismatched slices")
	}
	if len(ps) > 4 {
		panic("curve: MillerLoop with too many pairs")
	}
	valid := 1
	for i, p := range ps {
		valid &= (1 - p.IsInfinity()) & qs[i].ok
	}
	var acc field.E12
	acc.One()
	var l0, l1, l2 field.E2
	n := 0
	step := func() {
		for j, q := range qs {
			l, p := &q.lines[n], ps[j]
			l0.MulByElement(&l.a, &p.Y)
			l1.MulByElement(&l.b, &p.X)
			l2.MulByElement(&l.c, &p.Z)
			acc.MulByLine(&acc, &l0, &l1, &l2)
		}
		n++
	}
	for i := len(sixTPlus2NAF) - 2; i >= 0; i-- {
		if i != len(sixTPlus2NAF)-2 {
			acc.Square(&acc)
		}
		step()
		if sixTPlus2NAF[i] != 0 {
			step()
		}
	}
	step()
	step()
	var one field.E12
	one.One()
	f.Select(&acc, &one, valid)
	return f
}

// Pair returns e(p, q), recrypt's optimal ate pairing with the G1 argument
// first, and ok = 1; or ok = 0 if p or q is the point at infinity
// (recrypt's ZeroPoint error).
func Pair(p *G1, q *G2Prepared) (e field.E12, ok int) {
	MillerLoop(&e, []*G1{p}, []*G2Prepared{q})
	e.FinalExp(&e)
	return e, (1 - p.IsInfinity()) & q.ok
}
