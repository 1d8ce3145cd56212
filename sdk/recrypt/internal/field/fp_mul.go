package field

import "math/bits"

// madd returns hi, lo such that hi·2⁶⁴ + lo = a·b + c + d.
func madd(a, b, c, d uint64) (hi, lo uint64) {
	hi, lo = bits.Mul64(a, b)
	var cc uint64
	lo, cc = bits.Add64(lo, c, 0)
	hi += cc
	lo, cc = bits.Add64(lo, d, 0)
	hi += cc
	return hi, lo
}

// Mul sets z = x·y and returns z.
//
// On amd64 with BMI2 and ADX it runs in assembly (fp_amd64.s); elsewhere,
// and with the purego build tag, in Go. Both are the coarsely integrated operand scanning (CIOS) Montgomery
// multiplication, unrolled for four limbs. p > 2²⁵⁵, so the intermediate
// needs a fifth word and the final result a conditional subtraction.
func (z *Element) Mul(x, y *Element) *Element {
	countMul()
	mul(z, x, y)
	return z
}

// mulGeneric is Mul in portable Go.
func mulGeneric(z, x, y *Element) {
	var t0, t1, t2, t3, t4, c, m, hi uint64
	x0, x1, x2, x3 := x.l[0], x.l[1], x.l[2], x.l[3]

	// Round 0.
	{
		yi := y.l[0]
		c, t0 = bits.Mul64(x0, yi)
		c, t1 = madd(x1, yi, c, 0)
		c, t2 = madd(x2, yi, c, 0)
		c, t3 = madd(x3, yi, c, 0)
		t4 = c
		m = t0 * pInv
		c, _ = madd(m, pLimbs[0], t0, 0)
		c, t0 = madd(m, pLimbs[1], t1, c)
		c, t1 = madd(m, pLimbs[2], t2, c)
		c, t2 = madd(m, pLimbs[3], t3, c)
		t3, hi = bits.Add64(t4, c, 0)
		t4 = hi
	}
	// Rounds 1 to 3.
	for i := 1; i < 4; i++ {
		yi := y.l[i]
		c, t0 = madd(x0, yi, t0, 0)
		c, t1 = madd(x1, yi, t1, c)
		c, t2 = madd(x2, yi, t2, c)
		c, t3 = madd(x3, yi, t3, c)
		var t5 uint64
		t4, t5 = bits.Add64(t4, c, 0)
		m = t0 * pInv
		c, _ = madd(m, pLimbs[0], t0, 0)
		c, t0 = madd(m, pLimbs[1], t1, c)
		c, t1 = madd(m, pLimbs[2], t2, c)
		c, t2 = madd(m, pLimbs[3], t3, c)
		t3, c = bits.Add64(t4, c, 0)
		t4 = t5 + c
	}
	// The result t4·2²⁵⁶ + t is below 2p; subtract p once if needed.
	var s0, s1, s2, s3, b uint64
	s0, b = bits.Sub64(t0, pLimbs[0], 0)
	s1, b = bits.Sub64(t1, pLimbs[1], b)
	s2, b = bits.Sub64(t2, pLimbs[2], b)
	s3, b = bits.Sub64(t3, pLimbs[3], b)
	keep := b &^ t4
	mask := -keep
	z.l[0] = (t0 & mask) | (s0 &^ mask)
	z.l[1] = (t1 & mask) | (s1 &^ mask)
	z.l[2] = (t2 & mask) | (s2 &^ mask)
	z.l[3] = (t3 & mask) | (s3 &^ mask)
}

// Square sets z = x² and returns z.
func (z *Element) Square(x *Element) *Element {
	return z.Mul(x, x)
}

// Exp sets z = x^e, where e is a big-endian byte string, and returns z.
// Its execution time depends only on len(e), not on the values of x or e.
func (z *Element) Exp(x *Element, e []byte) *Element {
	var acc, t Element
	acc.One()
	base := *x
	for _, byt := range e {
		for j := 7; j >= 0; j-- {
			acc.Square(&acc)
			t.Mul(&acc, &base)
			acc.Select(&t, &acc, int(byt>>uint(j))&1)
		}
	}
	*z = acc
	return z
}

// pMinus2 is p − 2, big-endian.
var pMinus2 = [32]byte{
	0x8f, 0xb5, 0x01, 0xe3, 0x4a, 0xa3, 0x87, 0xf9, 0xaa, 0x6f, 0xec, 0xb8, 0x61, 0x84, 0xdc, 0x21,
	0xee, 0x5b, 0x88, 0xd1, 0x20, 0xb5, 0xb5, 0x9e, 0x18, 0x5c, 0xac, 0x6c, 0x5e, 0x08, 0x96, 0x65,
}

// Invert sets z = 1/x (and z = 0 if x = 0) and returns z.
// It computes x^(p−2) with a fixed window of four bits over the public
// exponent: 14 multiplications for the table, then per nibble four
// squarings and a multiplication unless the nibble is 0. Which operations
// run depends only on p, so it runs in constant time.
func (z *Element) Invert(x *Element) *Element {
	var table [16]Element // x⁰..x¹⁵
	table[0].One()
	table[1] = *x
	for i := 2; i < len(table); i++ {
		table[i].Mul(&table[i-1], x)
	}
	acc := table[pMinus2[0]>>4]
	for i, b := range pMinus2 {
		for j, nibble := range [2]byte{b >> 4, b & 0xf} {
			if i == 0 && j == 0 {
				continue
			}
			acc.Square(&acc)
			acc.Square(&acc)
			acc.Square(&acc)
			acc.Square(&acc)
			if nibble != 0 {
				acc.Mul(&acc, &table[nibble])
			}
		}
	}
	*z = acc
	return z
}
