package field

// FinalExp sets z = x^((p¹²−1)/r), where r is the order of G1, and returns z.
//
// The exponent is exact, never a multiple of it (recrypt spec §3.4): the easy
// part (p⁶−1)(p²+1), then the hard part (p⁴−p²+1)/r as the vectorial addition
// chain of Scott, Benger, Charlemagne, Dominguez Perez and Kachisa, "On the
// final exponentiation for calculating pairings on ordinary elliptic curves"
// (Pairing 2009, §4.2 for BN curves), which writes it in powers of t and p.
//
// FinalExp is used on arbitrary non-zero elements, not only on Miller-loop
// outputs: recrypt makes random elements of GT this way. FinalExp(0) is 0.
// It runs in constant time.
func (z *E12) FinalExp(x *E12) *E12 {
	var f, t E12
	// Easy part: f = x^(p⁶−1) = conj(x)/x, then f = f^(p²+1).
	t.Invert(x)
	f.Conjugate(x)
	f.Mul(&f, &t)
	t.FrobeniusSquare(&f)
	f.Mul(&f, &t)

	// Hard part.
	var fp, fp2, fp3, fu, fu2, fu3 E12
	fp.Frobenius(&f)
	fp2.FrobeniusSquare(&f)
	fp3.Frobenius(&fp2)
	fu.cyclotomicExpT(&f)
	fu2.cyclotomicExpT(&fu)
	fu3.cyclotomicExpT(&fu2)

	var y0, y1, y2, y3, y4, y5, y6 E12
	y0.Mul(&fp, &fp2)
	y0.Mul(&y0, &fp3)
	y1.Conjugate(&f)
	y2.FrobeniusSquare(&fu2)
	y3.Frobenius(&fu)
	y3.Conjugate(&y3)
	y4.Frobenius(&fu2)
	y4.Mul(&y4, &fu)
	y4.Conjugate(&y4)
	y5.Conjugate(&fu2)
	y6.Frobenius(&fu3)
	y6.Mul(&y6, &fu3)
	y6.Conjugate(&y6)

	// y0 · y1² · y2⁶ · y3¹² · y4¹⁸ · y5³⁰ · y6³⁶.
	var t0, t1 E12
	t0.CyclotomicSquare(&y6)
	t0.Mul(&t0, &y4)
	t0.Mul(&t0, &y5)
	t1.Mul(&y3, &y5)
	t1.Mul(&t1, &t0)
	t0.Mul(&t0, &y2)
	t1.CyclotomicSquare(&t1)
	t1.Mul(&t1, &t0)
	t1.CyclotomicSquare(&t1)
	t0.Mul(&t1, &y1)
	t1.Mul(&t1, &y0)
	t0.CyclotomicSquare(&t0)
	z.Mul(&t0, &t1)
	return z
}

// cyclotomicExpT sets z = x^t for the BN parameter t = 1868033³ and x in the
// cyclotomic subgroup, and returns z.
func (z *E12) cyclotomicExpT(x *E12) *E12 {
	var t E12
	t.cyclotomicExp1868033(x)
	t.cyclotomicExp1868033(&t)
	return z.cyclotomicExp1868033(&t)
}

// cyclotomicExp1868033 sets z = x^1868033, using
// 1868033 = 2²¹ − 2¹⁸ + 2¹⁵ + 2⁸ + 1, and returns z.
func (z *E12) cyclotomicExp1868033(x *E12) *E12 {
	var acc, a E12
	acc.Set(x)
	a.Set(x)
	for i := 0; i < 8; i++ {
		a.CyclotomicSquare(&a)
	}
	acc.Mul(&acc, &a) // x^(1 + 2⁸)
	for i := 8; i < 15; i++ {
		a.CyclotomicSquare(&a)
	}
	acc.Mul(&acc, &a) // + 2¹⁵
	for i := 15; i < 18; i++ {
		a.CyclotomicSquare(&a)
	}
	var inv E12
	inv.Conjugate(&a)
	acc.Mul(&acc, &inv) // − 2¹⁸
	for i := 18; i < 21; i++ {
		a.CyclotomicSquare(&a)
	}
	return z.Mul(&acc, &a) // + 2²¹
}
