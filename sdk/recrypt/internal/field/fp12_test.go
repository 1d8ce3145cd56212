package field

import (
	"encoding/hex"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

var bigR, _ = new(big.Int).SetString("8fb501e34aa387f9aa6fecb86184dc212e8d8e12f82b39241a2ef45b57ac7261", 16)

func randE12(rng *rand.Rand) *E12 {
	b := make([]byte, 384)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	z, _ := new(E12).SetBytes(b)
	return z
}

// createFromT builds the Fp12 whose 12 coefficients, in encoding order, are the
// given small integers (recrypt's create_from_t).
func createFromT(vals ...uint64) *E12 {
	b := make([]byte, 384)
	for i, v := range vals {
		new(big.Int).SetUint64(v).FillBytes(b[32*i : 32*i+32])
	}
	z, _ := new(E12).SetBytes(b)
	return z
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// slowExp is square-and-multiply with plain Mul and Square.
func slowExp(x *E12, e *big.Int) *E12 {
	var acc E12
	acc.One()
	for i := e.BitLen() - 1; i >= 0; i-- {
		acc.Square(&acc)
		if e.Bit(i) == 1 {
			acc.Mul(&acc, x)
		}
	}
	return &acc
}

func finalExponent() *big.Int {
	e := new(big.Int).Exp(bigP, big.NewInt(12), nil)
	e.Sub(e, big.NewInt(1))
	return e.Div(e, bigR)
}

// TestFinalExpAgainstSlow compares FinalExp with plain exponentiation by
// (p¹²−1)/r, and the ring laws used by the fast paths.
func TestFinalExpAgainstSlow(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	e := finalExponent()
	n := 3
	if testing.Short() {
		n = 1
	}
	for i := 0; i < n; i++ {
		x := randE12(rng)
		got := new(E12).FinalExp(x)
		want := slowExp(x, e)
		if got.Equal(want) != 1 {
			t.Fatalf("FinalExp differs from x^((p¹²−1)/r)")
		}
	}
}

// TestFinalExpKnownValue is final_exp(create_from_t(1..12)), recrypt spec
// Appendix A (also x/crypto/bn256 GT.ScalarMult by (p¹²−1)/r).
func TestFinalExpKnownValue(t *testing.T) {
	want := mustHex(t, `6db04de82c8d9438822ad1398e6eaef09a97e831bdf39d3c50e84fc66e19760b3101e78e0f85a4b9e0bea86336d3b2276e86dc3112e65f9f33d7e40932be4ca2
3beda2c49eb64dbc8c0efd3511973b69091216d5f7d0e336402dcb7953210d77822dda9588e5043118724efd5bab201bfe600af20ac35d5464f4fb5f5ee7c9a6
652fffa7dbef1d876be76a06d05397fc1a01d7e0fb89483cbad3de8df8f827af3165d623aab8f3c6dd997df8c73ba6cdcca1a9a12959c4f9e3c7cbcda7b0e1ff
16cff67fb258b13b44b21a24bca57803d1b87e2411e752d25716a899d481c6b28f8dae43cdf5ef7a33cc23ecb0a587b120de2dbe2cd10563bbe7814a9b3d73ed
74f721c8c9b311fc71f40141ee5975af9397c771ed2d2af3a8071e2abb0b78a68c5c9733a8eb2dc0732de24991be684fdadd9cf685058412723ec143f0f524f7
1301e802ca5073da222cc13e8b6d14469d74d97041491efc293e1721758932f14829368ace1e6036dd8a188f2d1d01a7f419c32fceb898d247da317c59b382ca`)
	got := new(E12).FinalExp(createFromT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)).Bytes()
	if hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
		t.Errorf("FinalExp(1..12) =\n%x\nwant\n%x", got, want)
	}
}

// TestTowerLaws checks the tower against the identities it must satisfy.
func TestTowerLaws(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pBig := bigP
	for i := 0; i < 20; i++ {
		x, y, w := randE12(rng), randE12(rng), randE12(rng)
		var a, b E12
		// Commutativity and distributivity.
		a.Mul(x, y)
		b.Mul(y, x)
		if a.Equal(&b) != 1 {
			t.Fatal("Mul not commutative")
		}
		a.Add(y, w)
		a.Mul(x, &a)
		var c E12
		b.Mul(x, y)
		c.Mul(x, w)
		b.Add(&b, &c)
		if a.Equal(&b) != 1 {
			t.Fatal("Mul not distributive")
		}
		a.Square(x)
		b.Mul(x, x)
		if a.Equal(&b) != 1 {
			t.Fatal("Square != Mul")
		}
		a.Invert(x)
		a.Mul(&a, x)
		if a.IsOne() != 1 {
			t.Fatal("x·x⁻¹ != 1")
		}
		// Frobenius is x^p.
		if i < 2 {
			a.Frobenius(x)
			if a.Equal(slowExp(x, pBig)) != 1 {
				t.Fatal("Frobenius != x^p")
			}
		}
		// FrobeniusSquare is Frobenius twice.
		a.FrobeniusSquare(x)
		b.Frobenius(x)
		b.Frobenius(&b)
		if a.Equal(&b) != 1 {
			t.Fatal("FrobeniusSquare != Frobenius∘Frobenius")
		}
		// Cyclotomic squaring after the easy part.
		var f E12
		f.Invert(x)
		c.Conjugate(x)
		f.Mul(&f, &c)
		c.FrobeniusSquare(&f)
		f.Mul(&f, &c)
		a.CyclotomicSquare(&f)
		b.Square(&f)
		if a.Equal(&b) != 1 {
			t.Fatal("CyclotomicSquare != Square in the cyclotomic subgroup")
		}
		// Sparse line multiplication.
		l0, l1, l2 := x.C0.C0, y.C1.C1, w.C0.C2
		var line E12
		line.C0.C0 = l0
		line.C1.C0 = l1
		line.C1.C1 = l2
		a.MulByLine(y, &l0, &l1, &l2)
		b.Mul(y, &line)
		if a.Equal(&b) != 1 {
			t.Fatal("MulByLine != Mul")
		}
	}
}

func BenchmarkFinalExp(b *testing.B) {
	x := createFromT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	b.ReportAllocs()
	for b.Loop() {
		x.FinalExp(x)
	}
}
