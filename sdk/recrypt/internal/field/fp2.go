package field

// E2 is an element C0 + C1·u of Fp2 = Fp[u]/(u²+1).
//
// Its encoding puts the u coefficient first: enc(C1) ‖ enc(C0), 64 bytes,
// as recrypt's Fp2Elem{elem1: C1, elem2: C0}. The zero value is 0.
type E2 struct {
	C0, C1 Element
}

// Zero sets z to 0 and returns z.
func (z *E2) Zero() *E2 { *z = E2{}; return z }

// One sets z to 1 and returns z.
func (z *E2) One() *E2 { z.C0.One(); z.C1.Zero(); return z }

// Set sets z = x and returns z.
func (z *E2) Set(x *E2) *E2 { *z = *x; return z }

// Add sets z = x + y and returns z.
func (z *E2) Add(x, y *E2) *E2 {
	countAdd()
	countAdd()
	addE2(z, x, y)
	return z
}

// Sub sets z = x − y and returns z.
func (z *E2) Sub(x, y *E2) *E2 {
	countAdd()
	countAdd()
	subE2(z, x, y)
	return z
}

// Double sets z = 2x and returns z.
func (z *E2) Double(x *E2) *E2 {
	return z.Add(x, x)
}

// Halve sets z = x/2 and returns z.
func (z *E2) Halve(x *E2) *E2 {
	z.C0.Halve(&x.C0)
	z.C1.Halve(&x.C1)
	return z
}

// Neg sets z = −x and returns z.
func (z *E2) Neg(x *E2) *E2 {
	return z.Sub(&E2{}, x)
}

// Conjugate sets z = C0 − C1·u, which is x^p, and returns z.
func (z *E2) Conjugate(x *E2) *E2 {
	z.C0.Set(&x.C0)
	z.C1.Neg(&x.C1)
	return z
}

// Mul sets z = x·y and returns z (Karatsuba: three Fp multiplications).
func (z *E2) Mul(x, y *E2) *E2 {
	countMul()
	countMul()
	countMul()
	for i := 0; i < 5; i++ {
		countAdd()
	}
	mulE2(z, x, y)
	return z
}

// mulE2Generic is E2.Mul in portable Go, without the operation counters.
func mulE2Generic(z, x, y *E2) {
	var a, b, c, d Element
	mul(&a, &x.C0, &y.C0)
	mul(&b, &x.C1, &y.C1)
	add(&c, &x.C0, &x.C1)
	add(&d, &y.C0, &y.C1)
	mul(&c, &c, &d)
	sub(&c, &c, &a)
	sub(&z.C1, &c, &b)
	sub(&z.C0, &a, &b)
}

// Square sets z = x² and returns z.
func (z *E2) Square(x *E2) *E2 {
	countMul()
	countMul()
	for i := 0; i < 3; i++ {
		countAdd()
	}
	squareE2(z, x)
	return z
}

// squareE2Generic is E2.Square in portable Go, without the counters:
// (a + bu)² = (a+b)(a−b) + 2ab·u.
func squareE2Generic(z, x *E2) {
	var s, d, m Element
	add(&s, &x.C0, &x.C1)
	sub(&d, &x.C0, &x.C1)
	mul(&m, &x.C0, &x.C1)
	mul(&z.C0, &s, &d)
	add(&z.C1, &m, &m)
}

// MulByElement sets z = x·c for c in Fp and returns z.
func (z *E2) MulByElement(x *E2, c *Element) *E2 {
	z.C0.Mul(&x.C0, c)
	z.C1.Mul(&x.C1, c)
	return z
}

// MulByXi sets z = x·ξ, where ξ = u + 3, and returns z.
func (z *E2) MulByXi(x *E2) *E2 {
	for i := 0; i < 6; i++ {
		countAdd()
	}
	mulByXi(z, x)
	return z
}

// mulByXiGeneric is MulByXi in portable Go, without the counters:
// (a + bu)(3 + u) = (3a − b) + (a + 3b)u.
func mulByXiGeneric(z, x *E2) {
	var a3, b3 Element
	add(&a3, &x.C0, &x.C0)
	add(&a3, &a3, &x.C0)
	sub(&a3, &a3, &x.C1)
	add(&b3, &x.C1, &x.C1)
	add(&b3, &b3, &x.C1)
	add(&z.C1, &b3, &x.C0)
	z.C0 = a3
}

// Invert sets z = 1/x (0 if x = 0) and returns z.
func (z *E2) Invert(x *E2) *E2 {
	// 1/(a + bu) = (a − bu)/(a² + b²).
	var n, t Element
	n.Square(&x.C0)
	t.Square(&x.C1)
	n.Add(&n, &t)
	n.Invert(&n)
	z.C0.Mul(&x.C0, &n)
	t.Neg(&x.C1)
	z.C1.Mul(&t, &n)
	return z
}

// Equal returns 1 if x = y and 0 otherwise.
func (x *E2) Equal(y *E2) int {
	return x.C0.Equal(&y.C0) & x.C1.Equal(&y.C1)
}

// IsZero returns 1 if x = 0 and 0 otherwise.
func (x *E2) IsZero() int {
	return x.C0.IsZero() & x.C1.IsZero()
}

// Select sets z to a if cond is 1 and to b if cond is 0, and returns z.
func (z *E2) Select(a, b *E2, cond int) *E2 {
	z.C0.Select(&a.C0, &b.C0, cond)
	z.C1.Select(&a.C1, &b.C1, cond)
	return z
}

// SetBytes sets z from 64 bytes, enc(C1) ‖ enc(C0), each reduced mod p, and
// returns z. On a wrong length it returns nil and an error and leaves z
// unchanged.
func (z *E2) SetBytes(b []byte) (*E2, error) {
	if len(b) != 64 {
		return nil, errLength
	}
	var t E2
	t.C1.SetBytes(b[:32])
	t.C0.SetBytes(b[32:])
	*z = t
	return z, nil
}

// FillBytes writes the 64-byte encoding of x to buf, which must be at least
// 64 bytes long, and returns buf[:64].
func (x *E2) FillBytes(buf []byte) []byte {
	x.C1.FillBytes(buf[:32])
	x.C0.FillBytes(buf[32:64])
	return buf[:64]
}
