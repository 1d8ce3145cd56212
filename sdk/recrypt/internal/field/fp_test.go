package field

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"
)

var bigP, _ = new(big.Int).SetString("8fb501e34aa387f9aa6fecb86184dc21ee5b88d120b5b59e185cac6c5e089667", 16)

// randBytes returns n random bytes from rng, biased towards edge values.
func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	switch rng.IntN(8) {
	case 0: // all ones
		for i := range b {
			b[i] = 0xff
		}
	case 1: // small
		b[n-1] = byte(rng.IntN(4))
	default:
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	}
	return b
}

func bigOf(x *Element) *big.Int {
	b := x.Bytes()
	return new(big.Int).SetBytes(b[:])
}

func mustElement(t *testing.T, b []byte) *Element {
	t.Helper()
	e, err := new(Element).SetBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestElementAgainstBig checks every Fp operation against math/big.
func TestElementAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 2000
	if testing.Short() {
		n = 200
	}
	for i := 0; i < n; i++ {
		xb, yb := randBytes(rng, 32), randBytes(rng, 32)
		x, y := mustElement(t, xb), mustElement(t, yb)
		bx := new(big.Int).Mod(new(big.Int).SetBytes(xb), bigP)
		by := new(big.Int).Mod(new(big.Int).SetBytes(yb), bigP)
		if bigOf(x).Cmp(bx) != 0 {
			t.Fatalf("SetBytes(%x) = %v, want %v", xb, bigOf(x), bx)
		}
		check := func(name string, got *Element, want *big.Int) {
			t.Helper()
			want.Mod(want, bigP)
			if bigOf(got).Cmp(want) != 0 {
				t.Fatalf("%s(%v, %v) = %v, want %v", name, bx, by, bigOf(got), want)
			}
		}
		check("Add", new(Element).Add(x, y), new(big.Int).Add(bx, by))
		check("Sub", new(Element).Sub(x, y), new(big.Int).Sub(bx, by))
		check("Neg", new(Element).Neg(x), new(big.Int).Neg(bx))
		check("Mul", new(Element).Mul(x, y), new(big.Int).Mul(bx, by))
		check("Square", new(Element).Square(x), new(big.Int).Mul(bx, bx))
		check("Halve", new(Element).Halve(x), new(big.Int).Mul(bx, new(big.Int).ModInverse(big.NewInt(2), bigP)))
		inv := new(big.Int).ModInverse(bx, bigP)
		if inv == nil {
			inv = new(big.Int)
		}
		check("Invert", new(Element).Invert(x), inv)
		wb := randBytes(rng, 64)
		w, err := new(Element).SetWideBytes(wb)
		if err != nil {
			t.Fatal(err)
		}
		check("SetWideBytes", w, new(big.Int).SetBytes(wb))
	}
}

// TestElementKnownValues checks gridiron's reduction vectors (recrypt spec §8.8).
func TestElementKnownValues(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"64 bytes of 0x01", bytes.Repeat([]byte{1}, 64), "7524b81fcf55b427bf9c8ab749a50e23e4e183f6618764f088d7e918b83f7562"},
		{"bytes 16..31 and 48..63 set", func() []byte {
			b := make([]byte, 64)
			for i := 16; i < 32; i++ {
				b[i], b[i+32] = 1, 1
			}
			return b
		}(), "788e0c0eed33061d169c772e1b6f631ac43907f53252adba66f3f62e39ab0f9e"},
		{"32 bytes of 0xff", bytes.Repeat([]byte{0xff}, 32), "704afe1cb55c7806559013479e7b23de11a4772edf4a4a61e7a35393a1f76998"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e *Element
			var err error
			if len(tt.in) == 64 {
				e, err = new(Element).SetWideBytes(tt.in)
			} else {
				e, err = new(Element).SetBytes(tt.in)
			}
			if err != nil {
				t.Fatal(err)
			}
			got := e.Bytes()
			if h := hexOf(got[:]); h != tt.want {
				t.Errorf("got %s, want %s", h, tt.want)
			}
		})
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, v := range b {
		out[2*i], out[2*i+1] = digits[v>>4], digits[v&15]
	}
	return string(out)
}

// TestElementAliasing checks that results are right when arguments alias the receiver.
func TestElementAliasing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ops := map[string]func(z, x, y *Element) *Element{
		"Add": (*Element).Add, "Sub": (*Element).Sub, "Mul": (*Element).Mul,
	}
	for name, op := range ops {
		for i := 0; i < 50; i++ {
			x, y := mustElement(t, randBytes(rng, 32)), mustElement(t, randBytes(rng, 32))
			want := op(new(Element), x, y)
			a, b := *x, *y
			if op(&a, &a, &b).Equal(want) != 1 {
				t.Fatalf("%s: z aliasing x", name)
			}
			a, b = *x, *y
			if op(&b, &a, &b).Equal(want) != 1 {
				t.Fatalf("%s: z aliasing y", name)
			}
			a = *x
			if op(&a, &a, &a).Equal(op(new(Element), x, x)) != 1 {
				t.Fatalf("%s: all aliased", name)
			}
		}
	}
}

func TestSetBytesLength(t *testing.T) {
	var z Element
	z.One()
	if _, err := z.SetBytes(make([]byte, 31)); err == nil {
		t.Error("SetBytes accepted 31 bytes")
	}
	if _, err := z.SetWideBytes(make([]byte, 63)); err == nil {
		t.Error("SetWideBytes accepted 63 bytes")
	}
	var one Element
	if z.Equal(one.One()) != 1 {
		t.Error("failed decode changed the receiver")
	}
}

func BenchmarkMul(b *testing.B) {
	x := new(Element).SetUint64(123456789)
	y := new(Element).SetUint64(987654321)
	b.ReportAllocs()
	for b.Loop() {
		x.Mul(x, y)
	}
}

// TestMulGenericMatches compares the portable multiplication with Mul (the
// assembly on amd64).
func TestMulGenericMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for i := 0; i < 5000; i++ {
		x, y := mustElement(t, randBytes(rng, 32)), mustElement(t, randBytes(rng, 32))
		var a, b Element
		a.Mul(x, y)
		mulGeneric(&b, x, y)
		if a.Equal(&b) != 1 {
			t.Fatalf("Mul and mulGeneric differ for %x, %x", x.Bytes(), y.Bytes())
		}
	}
}

func BenchmarkMulGeneric(b *testing.B) {
	x := new(Element).SetUint64(123456789)
	y := new(Element).SetUint64(987654321)
	b.ReportAllocs()
	for b.Loop() {
		mulGeneric(x, x, y)
	}
}

func BenchmarkAdd(b *testing.B) {
	x := new(Element).SetUint64(123456789)
	y := new(Element).SetUint64(987654321)
	b.ReportAllocs()
	for b.Loop() {
		x.Add(x, y)
	}
}

// TestAddSubGenericMatch compares the portable addition and subtraction with
// Add and Sub (assembly on amd64), also for E2.
func TestAddSubGenericMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for i := 0; i < 5000; i++ {
		x, y := mustElement(t, randBytes(rng, 32)), mustElement(t, randBytes(rng, 32))
		var a, b Element
		a.Add(x, y)
		addGeneric(&b, x, y)
		if a.Equal(&b) != 1 {
			t.Fatal("Add and addGeneric differ")
		}
		a.Sub(x, y)
		subGeneric(&b, x, y)
		if a.Equal(&b) != 1 {
			t.Fatal("Sub and subGeneric differ")
		}
		u, v := E2{C0: *x, C1: *y}, E2{C0: *y, C1: *x}
		var e E2
		e.Add(&u, &v)
		addGeneric(&a, x, y)
		if e.C0.Equal(&a) != 1 || e.C1.Equal(&a) != 1 {
			t.Fatal("E2.Add differs")
		}
		e.Sub(&u, &v)
		subGeneric(&a, x, y)
		subGeneric(&b, y, x)
		if e.C0.Equal(&a) != 1 || e.C1.Equal(&b) != 1 {
			t.Fatal("E2.Sub differs")
		}
	}
}

// TestE2GenericMatch compares E2.Mul and E2.Square (assembly on amd64) with
// their portable forms, including with the receiver aliasing an argument.
func TestE2GenericMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for i := 0; i < 5000; i++ {
		x := E2{C0: *mustElement(t, randBytes(rng, 32)), C1: *mustElement(t, randBytes(rng, 32))}
		y := E2{C0: *mustElement(t, randBytes(rng, 32)), C1: *mustElement(t, randBytes(rng, 32))}
		var want, got E2
		mulE2Generic(&want, &x, &y)
		if got.Mul(&x, &y).Equal(&want) != 1 {
			t.Fatal("E2.Mul differs from mulE2Generic")
		}
		a, b := x, y
		if a.Mul(&a, &b).Equal(&want) != 1 {
			t.Fatal("E2.Mul with z = x differs")
		}
		a, b = x, y
		if b.Mul(&a, &b).Equal(&want) != 1 {
			t.Fatal("E2.Mul with z = y differs")
		}
		squareE2Generic(&want, &x)
		if got.Square(&x).Equal(&want) != 1 {
			t.Fatal("E2.Square differs from squareE2Generic")
		}
		a = x
		if a.Square(&a).Equal(&want) != 1 {
			t.Fatal("E2.Square with z = x differs")
		}
		if got.Mul(&x, &x).Equal(&want) != 1 {
			t.Fatal("E2.Mul(x, x) differs from E2.Square(x)")
		}
		mulByXiGeneric(&want, &x)
		xi := E2{C1: *new(Element).One(), C0: *new(Element).SetUint64(3)}
		if got.MulByXi(&x).Equal(&want) != 1 || got.Mul(&x, &xi).Equal(&want) != 1 {
			t.Fatal("E2.MulByXi differs from mulByXiGeneric or from multiplying by u + 3")
		}
		a = x
		if a.MulByXi(&a).Equal(&want) != 1 {
			t.Fatal("E2.MulByXi with z = x differs")
		}
	}
}

// TestE2GenericMatches compares E2.Mul, E2.Square and the fused linear
// steps of CyclotomicSquare (assembly on amd64) with their portable forms, on random elements and on the edges (0, 1,
// p−1, 2²⁵⁵), also with the result aliasing an operand.
func TestE2GenericMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	var pm1, top Element
	pm1.Neg(new(Element).One())
	top.SetBytes(append([]byte{0x80}, make([]byte, 31)...))
	edges := []Element{{}, *new(Element).One(), pm1, top}
	elem := func() Element {
		if rng.IntN(4) == 0 {
			return edges[rng.IntN(len(edges))]
		}
		return *mustElement(t, randBytes(rng, 32))
	}
	for i := 0; i < 5000; i++ {
		x := E2{C0: elem(), C1: elem()}
		y := E2{C0: elem(), C1: elem()}
		var got, want E2
		got.Mul(&x, &y)
		mulE2Generic(&want, &x, &y)
		if got != want {
			t.Fatalf("E2.Mul(%v, %v) = %v, mulE2Generic says %v", x, y, got, want)
		}
		alias := x
		alias.Mul(&alias, &y)
		if alias != want {
			t.Fatalf("E2.Mul aliasing x differs")
		}
		alias = y
		alias.Mul(&x, &alias)
		if alias != want {
			t.Fatalf("E2.Mul aliasing y differs")
		}
		got.Square(&x)
		squareE2Generic(&want, &x)
		if got != want {
			t.Fatalf("E2.Square(%v) = %v, squareE2Generic says %v", x, got, want)
		}
		got.Mul(&x, &x)
		if got != want {
			t.Fatalf("E2.Mul(x, x) != E2.Square(x) for %v", x)
		}
		threeMinusTwoE2(&got, &x, &y)
		threeMinusTwoGeneric(&want, &x, &y)
		if got != want {
			t.Fatalf("threeMinusTwoE2(%v, %v) = %v, the generic form says %v", x, y, got, want)
		}
		threePlusTwoE2(&got, &x, &y)
		threePlusTwoGeneric(&want, &x, &y)
		if got != want {
			t.Fatalf("threePlusTwoE2(%v, %v) = %v, the generic form says %v", x, y, got, want)
		}
		w := E2{C0: elem(), C1: elem()}
		v := E2{C0: elem(), C1: elem()}
		for _, f := range []struct {
			name       string
			asm, gener func(z, m, a, b, c *E2)
		}{
			{"xiSubSubAdd", xiSubSubAddE2, xiSubSubAddGeneric},
			{"subSubAddXi", subSubAddXiE2, subSubAddXiGeneric},
			{"subSubAdd", subSubAddE2, subSubAddGeneric},
		} {
			f.asm(&got, &x, &y, &w, &v)
			f.gener(&want, &x, &y, &w, &v)
			if got != want {
				t.Fatalf("%sE2(%v, %v, %v, %v) = %v, the generic form says %v", f.name, x, y, w, v, got, want)
			}
			alias := x
			f.asm(&alias, &alias, &y, &w, &v)
			if alias != want {
				t.Fatalf("%sE2 with z aliasing m differs", f.name)
			}
		}
		s2 := E2{C0: elem(), C1: elem()}
		var got2, want2 E2
		fp4SquareTail(&got, &got2, &x, &y, &s2)
		fp4SquareTailGeneric(&want, &want2, &x, &y, &s2)
		if got != want || got2 != want2 {
			t.Fatalf("fp4SquareTail(%v, %v, %v) = %v, %v; the generic form says %v, %v", x, y, s2, got, got2, want, want2)
		}
	}
}
