package field

// E6 is an element C0 + C1·v + C2·v² of Fp6 = Fp2[v]/(v³−ξ).
//
// Its encoding is enc(C2) ‖ enc(C1) ‖ enc(C0), 192 bytes. The zero value is 0.
type E6 struct {
	C0, C1, C2 E2
}

// Zero sets z to 0 and returns z.
func (z *E6) Zero() *E6 { *z = E6{}; return z }

// One sets z to 1 and returns z.
func (z *E6) One() *E6 { *z = E6{}; z.C0.One(); return z }

// Add sets z = x + y and returns z.
func (z *E6) Add(x, y *E6) *E6 {
	z.C0.Add(&x.C0, &y.C0)
	z.C1.Add(&x.C1, &y.C1)
	z.C2.Add(&x.C2, &y.C2)
	return z
}

// Sub sets z = x − y and returns z.
func (z *E6) Sub(x, y *E6) *E6 {
	z.C0.Sub(&x.C0, &y.C0)
	z.C1.Sub(&x.C1, &y.C1)
	z.C2.Sub(&x.C2, &y.C2)
	return z
}

// Double sets z = 2x and returns z.
func (z *E6) Double(x *E6) *E6 {
	z.C0.Double(&x.C0)
	z.C1.Double(&x.C1)
	z.C2.Double(&x.C2)
	return z
}

// Neg sets z = −x and returns z.
func (z *E6) Neg(x *E6) *E6 {
	z.C0.Neg(&x.C0)
	z.C1.Neg(&x.C1)
	z.C2.Neg(&x.C2)
	return z
}

// Mul sets z = x·y and returns z.
func (z *E6) Mul(x, y *E6) *E6 {
	var t0, t1, t2, s, u, c0, c1, c2 E2
	t0.Mul(&x.C0, &y.C0)
	t1.Mul(&x.C1, &y.C1)
	t2.Mul(&x.C2, &y.C2)

	// c0 = t0 + ξ((x1+x2)(y1+y2) − t1 − t2)
	s.Add(&x.C1, &x.C2)
	u.Add(&y.C1, &y.C2)
	c0.Mul(&s, &u)
	xiSubSubAdd(&c0, &c0, &t1, &t2, &t0)

	// c1 = (x0+x1)(y0+y1) − t0 − t1 + ξ·t2
	s.Add(&x.C0, &x.C1)
	u.Add(&y.C0, &y.C1)
	c1.Mul(&s, &u)
	subSubAddXi(&c1, &c1, &t0, &t1, &t2)

	// c2 = (x0+x2)(y0+y2) − t0 − t2 + t1
	s.Add(&x.C0, &x.C2)
	u.Add(&y.C0, &y.C2)
	c2.Mul(&s, &u)
	subSubAdd(&c2, &c2, &t0, &t2, &t1)

	z.C0, z.C1, z.C2 = c0, c1, c2
	return z
}

// Square sets z = x² and returns z (Chung–Hasan SQR2).
func (z *E6) Square(x *E6) *E6 {
	var s0, s1, s2, s3, s4, t E2
	s0.Square(&x.C0)
	s1.Mul(&x.C0, &x.C1)
	s1.Double(&s1)
	s2.Sub(&x.C0, &x.C1)
	s2.Add(&s2, &x.C2)
	s2.Square(&s2)
	s3.Mul(&x.C1, &x.C2)
	s3.Double(&s3)
	s4.Square(&x.C2)

	var c0, c1, c2 E2
	t.MulByXi(&s3)
	c0.Add(&s0, &t)
	t.MulByXi(&s4)
	c1.Add(&s1, &t)
	c2.Add(&s1, &s2)
	c2.Add(&c2, &s3)
	c2.Sub(&c2, &s0)
	c2.Sub(&c2, &s4)
	z.C0, z.C1, z.C2 = c0, c1, c2
	return z
}

// MulByE2 sets z = x·c for c in Fp2 and returns z.
func (z *E6) MulByE2(x *E6, c *E2) *E6 {
	z.C0.Mul(&x.C0, c)
	z.C1.Mul(&x.C1, c)
	z.C2.Mul(&x.C2, c)
	return z
}

// MulByV sets z = x·v and returns z.
func (z *E6) MulByV(x *E6) *E6 {
	var t E2
	t.MulByXi(&x.C2)
	z.C2 = x.C1
	z.C1 = x.C0
	z.C0 = t
	return z
}

// MulBy01 sets z = x·(b0 + b1·v) and returns z.
func (z *E6) MulBy01(x *E6, b0, b1 *E2) *E6 {
	var t0, t1, s, u, c0, c1, c2 E2
	t0.Mul(&x.C0, b0)
	t1.Mul(&x.C1, b1)
	// c0 = t0 + ξ·x2·b1
	c0.Mul(&x.C2, b1)
	c0.MulByXi(&c0)
	c0.Add(&c0, &t0)
	// c1 = (x0+x1)(b0+b1) − t0 − t1
	s.Add(&x.C0, &x.C1)
	u.Add(b0, b1)
	c1.Mul(&s, &u)
	c1.Sub(&c1, &t0)
	c1.Sub(&c1, &t1)
	// c2 = t1 + x2·b0
	c2.Mul(&x.C2, b0)
	c2.Add(&c2, &t1)
	z.C0, z.C1, z.C2 = c0, c1, c2
	return z
}

// Invert sets z = 1/x (0 if x = 0) and returns z.
func (z *E6) Invert(x *E6) *E6 {
	var a, b, c, t, f E2
	// a = x0² − ξ·x1·x2
	a.Square(&x.C0)
	t.Mul(&x.C1, &x.C2)
	t.MulByXi(&t)
	a.Sub(&a, &t)
	// b = ξ·x2² − x0·x1
	b.Square(&x.C2)
	b.MulByXi(&b)
	t.Mul(&x.C0, &x.C1)
	b.Sub(&b, &t)
	// c = x1² − x0·x2
	c.Square(&x.C1)
	t.Mul(&x.C0, &x.C2)
	c.Sub(&c, &t)
	// f = x0·a + ξ(x2·b + x1·c)
	f.Mul(&x.C2, &b)
	t.Mul(&x.C1, &c)
	f.Add(&f, &t)
	f.MulByXi(&f)
	t.Mul(&x.C0, &a)
	f.Add(&f, &t)
	f.Invert(&f)
	z.C0.Mul(&a, &f)
	z.C1.Mul(&b, &f)
	z.C2.Mul(&c, &f)
	return z
}

// Equal returns 1 if x = y and 0 otherwise.
func (x *E6) Equal(y *E6) int {
	return x.C0.Equal(&y.C0) & x.C1.Equal(&y.C1) & x.C2.Equal(&y.C2)
}

// IsZero returns 1 if x = 0 and 0 otherwise.
func (x *E6) IsZero() int {
	return x.C0.IsZero() & x.C1.IsZero() & x.C2.IsZero()
}

// Select sets z to a if cond is 1 and to b if cond is 0, and returns z.
func (z *E6) Select(a, b *E6, cond int) *E6 {
	z.C0.Select(&a.C0, &b.C0, cond)
	z.C1.Select(&a.C1, &b.C1, cond)
	z.C2.Select(&a.C2, &b.C2, cond)
	return z
}

// SetBytes sets z from its 192-byte encoding, each coefficient reduced mod p.
// On a wrong length it returns nil and an error and leaves z unchanged.
func (z *E6) SetBytes(b []byte) (*E6, error) {
	if len(b) != 192 {
		return nil, errLength
	}
	var t E6
	t.C2.SetBytes(b[0:64])
	t.C1.SetBytes(b[64:128])
	t.C0.SetBytes(b[128:192])
	*z = t
	return z, nil
}

// FillBytes writes the 192-byte encoding of x to buf and returns buf[:192].
func (x *E6) FillBytes(buf []byte) []byte {
	x.C2.FillBytes(buf[0:64])
	x.C1.FillBytes(buf[64:128])
	x.C0.FillBytes(buf[128:192])
	return buf[:192]
}

// xiSubSubAdd sets z = ξ(m − a − b) + c.
func xiSubSubAdd(z, m, a, b, c *E2) {
	for i := 0; i < 12; i++ {
		countAdd()
	}
	xiSubSubAddE2(z, m, a, b, c)
}

// xiSubSubAddGeneric is xiSubSubAdd in portable Go, without the counters.
func xiSubSubAddGeneric(z, m, a, b, c *E2) {
	var t E2
	subE2(&t, m, a)
	subE2(&t, &t, b)
	mulByXi(&t, &t)
	addE2(z, &t, c)
}

// subSubAddXi sets z = m − a − b + ξc.
func subSubAddXi(z, m, a, b, c *E2) {
	for i := 0; i < 12; i++ {
		countAdd()
	}
	subSubAddXiE2(z, m, a, b, c)
}

// subSubAddXiGeneric is subSubAddXi in portable Go, without the counters.
func subSubAddXiGeneric(z, m, a, b, c *E2) {
	var t, x E2
	subE2(&t, m, a)
	subE2(&t, &t, b)
	mulByXi(&x, c)
	addE2(z, &t, &x)
}

// subSubAdd sets z = m − a − b + c.
func subSubAdd(z, m, a, b, c *E2) {
	for i := 0; i < 6; i++ {
		countAdd()
	}
	subSubAddE2(z, m, a, b, c)
}

// subSubAddGeneric is subSubAdd in portable Go, without the counters.
func subSubAddGeneric(z, m, a, b, c *E2) {
	var t E2
	subE2(&t, m, a)
	subE2(&t, &t, b)
	addE2(z, &t, c)
}
