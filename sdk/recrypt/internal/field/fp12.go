package field

// E12 is an element C0 + C1·w of Fp12 = Fp6[w]/(w²−v).
//
// Its 384-byte encoding is enc(C1) ‖ enc(C0), which is the order of recrypt's
// Fp12Elem and of x/crypto/bn256's GT.Marshal. The zero value is 0.
type E12 struct {
	C0, C1 E6
}

// Zero sets z to 0 and returns z.
func (z *E12) Zero() *E12 { *z = E12{}; return z }

// One sets z to 1 and returns z.
func (z *E12) One() *E12 { *z = E12{}; z.C0.C0.One(); return z }

// Set sets z = x and returns z.
func (z *E12) Set(x *E12) *E12 { *z = *x; return z }

// Add sets z = x + y and returns z.
func (z *E12) Add(x, y *E12) *E12 {
	z.C0.Add(&x.C0, &y.C0)
	z.C1.Add(&x.C1, &y.C1)
	return z
}

// Sub sets z = x − y and returns z.
func (z *E12) Sub(x, y *E12) *E12 {
	z.C0.Sub(&x.C0, &y.C0)
	z.C1.Sub(&x.C1, &y.C1)
	return z
}

// Mul sets z = x·y and returns z.
func (z *E12) Mul(x, y *E12) *E12 {
	var t0, t1, s, u E6
	t0.Mul(&x.C0, &y.C0)
	t1.Mul(&x.C1, &y.C1)
	s.Add(&x.C0, &x.C1)
	u.Add(&y.C0, &y.C1)
	s.Mul(&s, &u)
	s.Sub(&s, &t0)
	z.C1.Sub(&s, &t1)
	t1.MulByV(&t1)
	z.C0.Add(&t0, &t1)
	return z
}

// Square sets z = x² and returns z.
func (z *E12) Square(x *E12) *E12 {
	// (a + bw)² = (a+b)(a+vb) − ab − v·ab + 2ab·w.
	var ab, s, u, vb E6
	ab.Mul(&x.C0, &x.C1)
	s.Add(&x.C0, &x.C1)
	vb.MulByV(&x.C1)
	u.Add(&x.C0, &vb)
	s.Mul(&s, &u)
	s.Sub(&s, &ab)
	vb.MulByV(&ab)
	z.C0.Sub(&s, &vb)
	z.C1.Double(&ab)
	return z
}

// Conjugate sets z = C0 − C1·w, which is x^(p⁶), and returns z. For elements of
// the cyclotomic subgroup (everything after the easy part of the final
// exponentiation, and all of GT) it is the inverse.
func (z *E12) Conjugate(x *E12) *E12 {
	z.C0 = x.C0
	z.C1.Neg(&x.C1)
	return z
}

// Invert sets z = 1/x (0 if x = 0) and returns z.
func (z *E12) Invert(x *E12) *E12 {
	// 1/(a + bw) = (a − bw)/(a² − v·b²).
	var t0, t1 E6
	t0.Square(&x.C0)
	t1.Square(&x.C1)
	t1.MulByV(&t1)
	t0.Sub(&t0, &t1)
	t0.Invert(&t0)
	z.C0.Mul(&x.C0, &t0)
	z.C1.Mul(&x.C1, &t0)
	z.C1.Neg(&z.C1)
	return z
}

// Frobenius sets z = x^p and returns z.
//
// x is Σ aₖ·wᵏ over k = 0..5 (C0.C0, C1.C0, C0.C1, C1.C1, C0.C2, C1.C2 are
// a₀..a₅), and (aₖ·wᵏ)^p = āₖ·wᵏ·ξ^(k(p−1)/6) since w⁶ = ξ: five
// multiplications in Fp2 by frobP[k].
func (z *E12) Frobenius(x *E12) *E12 {
	z.C0.C0.Conjugate(&x.C0.C0)
	z.C1.C0.Conjugate(&x.C1.C0)
	z.C0.C1.Conjugate(&x.C0.C1)
	z.C1.C1.Conjugate(&x.C1.C1)
	z.C0.C2.Conjugate(&x.C0.C2)
	z.C1.C2.Conjugate(&x.C1.C2)
	z.C1.C0.Mul(&z.C1.C0, &frobP[1])
	z.C0.C1.Mul(&z.C0.C1, &frobP[2])
	z.C1.C1.Mul(&z.C1.C1, &frobP[3])
	z.C0.C2.Mul(&z.C0.C2, &frobP[4])
	z.C1.C2.Mul(&z.C1.C2, &frobP[5])
	return z
}

// FrobeniusSquare sets z = x^(p²) and returns z: as Frobenius, with
// ξ^(k(p²−1)/6), which lies in Fp, and no conjugation.
func (z *E12) FrobeniusSquare(x *E12) *E12 {
	z.C0.C0 = x.C0.C0
	z.C1.C0.MulByElement(&x.C1.C0, &frobP2[1])
	z.C0.C1.MulByElement(&x.C0.C1, &frobP2[2])
	z.C1.C1.MulByElement(&x.C1.C1, &frobP2[3])
	z.C0.C2.MulByElement(&x.C0.C2, &frobP2[4])
	z.C1.C2.MulByElement(&x.C1.C2, &frobP2[5])
	return z
}

// MulByLine sets z = x·ℓ for the sparse element ℓ = l0 + (l1 + l2·v)·w, with
// l0, l1, l2 in Fp2, and returns z. Miller-loop lines have this shape.
func (z *E12) MulByLine(x *E12, l0, l1, l2 *E2) *E12 {
	var t0, t1, s E6
	var m E2
	t0.MulByE2(&x.C0, l0)
	t1.MulBy01(&x.C1, l1, l2)
	s.Add(&x.C0, &x.C1)
	m.Add(l0, l1)
	s.MulBy01(&s, &m, l2)
	s.Sub(&s, &t0)
	z.C1.Sub(&s, &t1)
	t1.MulByV(&t1)
	z.C0.Add(&t0, &t1)
	return z
}

// CyclotomicSquare sets z = x² and returns z, for x in the cyclotomic
// subgroup of order p⁴−p²+1 only (Granger and Scott, PKC 2010, §3.2).
//
// Viewed over Fp4 = Fp2[s]/(s²−ξ) with s = w³, x = A0 + A1·w + A2·w² where
// A0 = C0.C0 + C1.C1·s, A1 = C1.C0 + C0.C2·s and A2 = C0.C1 + C1.C2·s, and
//
//	x² = (3A0² − 2Ā0) + (3s·A2² + 2Ā1)·w + (3A1² − 2Ā2)·w².
func (z *E12) CyclotomicSquare(x *E12) *E12 {
	var x0, y0, x1, y1, x2, y2, t E2
	fp4Square(&x0, &y0, &x.C0.C0, &x.C1.C1)
	fp4Square(&x1, &y1, &x.C1.C0, &x.C0.C2)
	fp4Square(&x2, &y2, &x.C0.C1, &x.C1.C2)

	var r E12
	// A0' = 3A0² − 2·Ā0, where the conjugate negates the s part.
	threeMinusTwo(&r.C0.C0, &x0, &x.C0.C0)
	threePlusTwo(&r.C1.C1, &y0, &x.C1.C1)
	// A1' = 3s·A2² + 2·Ā1, where s·(X + Y·s) = ξY + X·s.
	t.MulByXi(&y2)
	threePlusTwo(&r.C1.C0, &t, &x.C1.C0)
	threeMinusTwo(&r.C0.C2, &x2, &x.C0.C2)
	// A2' = 3A1² − 2·Ā2.
	threeMinusTwo(&r.C0.C1, &x1, &x.C0.C1)
	threePlusTwo(&r.C1.C2, &y1, &x.C1.C2)
	*z = r
	return z
}

// fp4Square sets rx + ry·s = (a + b·s)² = (a² + ξb²) + 2ab·s.
func fp4Square(rx, ry, a, b *E2) {
	var a2, b2, s2 E2
	a2.Square(a)
	b2.Square(b)
	s2.Add(a, b)
	s2.Square(&s2)
	for i := 0; i < 12; i++ {
		countAdd()
	}
	fp4SquareTail(rx, ry, &a2, &b2, &s2)
}

// fp4SquareTailGeneric is the end of fp4Square in portable Go, without the
// counters: ry = s2 − a2 − b2 (which is 2ab) and rx = a2 + ξ·b2. rx and ry
// must not alias a2, b2 or s2.
func fp4SquareTailGeneric(rx, ry, a2, b2, s2 *E2) {
	subE2(ry, s2, a2)
	subE2(ry, ry, b2)
	var t E2
	mulByXi(&t, b2)
	addE2(rx, a2, &t)
}

// threeMinusTwo sets r = 3a − 2c.
func threeMinusTwo(r, a, c *E2) {
	for i := 0; i < 6; i++ {
		countAdd()
	}
	threeMinusTwoE2(r, a, c)
}

// threeMinusTwoGeneric is threeMinusTwo in portable Go, without the
// counters: 2(a − c) + a.
func threeMinusTwoGeneric(r, a, c *E2) {
	var t E2
	subE2(&t, a, c)
	addE2(&t, &t, &t)
	addE2(r, &t, a)
}

// threePlusTwo sets r = 3a + 2c.
func threePlusTwo(r, a, c *E2) {
	for i := 0; i < 6; i++ {
		countAdd()
	}
	threePlusTwoE2(r, a, c)
}

// threePlusTwoGeneric is threePlusTwo in portable Go, without the
// counters: 2(a + c) + a.
func threePlusTwoGeneric(r, a, c *E2) {
	var t E2
	addE2(&t, a, c)
	addE2(&t, &t, &t)
	addE2(r, &t, a)
}

// Equal returns 1 if x = y and 0 otherwise.
func (x *E12) Equal(y *E12) int {
	return x.C0.Equal(&y.C0) & x.C1.Equal(&y.C1)
}

// IsZero returns 1 if x = 0 and 0 otherwise.
func (x *E12) IsZero() int {
	return x.C0.IsZero() & x.C1.IsZero()
}

// IsOne returns 1 if x = 1 and 0 otherwise.
func (x *E12) IsOne() int {
	var one E12
	return x.Equal(one.One())
}

// Select sets z to a if cond is 1 and to b if cond is 0, and returns z.
func (z *E12) Select(a, b *E12, cond int) *E12 {
	z.C0.Select(&a.C0, &b.C0, cond)
	z.C1.Select(&a.C1, &b.C1, cond)
	return z
}

// SetBytes sets z from its 384-byte encoding, each coefficient reduced mod p,
// and returns z. Any 384 bytes are accepted. On a wrong length it returns nil
// and an error and leaves z unchanged.
func (z *E12) SetBytes(b []byte) (*E12, error) {
	if len(b) != 384 {
		return nil, errLength
	}
	var t E12
	t.C1.SetBytes(b[:192])
	t.C0.SetBytes(b[192:])
	*z = t
	return z, nil
}

// Bytes returns the 384-byte encoding of x.
func (x *E12) Bytes() [384]byte {
	var out [384]byte
	x.C1.FillBytes(out[:192])
	x.C0.FillBytes(out[192:])
	return out
}
