package field

import (
	"math/rand/v2"
	"testing"
)

// TestAllocations holds field and tower operations to zero allocations.
func TestAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x, y := randE12(rng), randE12(rng)
	var z E12
	var e Element
	a, b := x.C0.C0.C0, y.C1.C2.C1
	ops := map[string]func(){
		"Element.Mul":    func() { e.Mul(&a, &b) },
		"Element.Invert": func() { e.Invert(&a) },
		"Element.Bytes":  func() { _ = a.Bytes() },
		"E12.Mul":        func() { z.Mul(x, y) },
		"E12.Square":     func() { z.Square(x) },
		"E12.Invert":     func() { z.Invert(x) },
		"E12.FinalExp":   func() { z.FinalExp(x) },
		"E12.Bytes":      func() { _ = x.Bytes() },
	}
	for name, op := range ops {
		if n := testing.AllocsPerRun(5, op); n != 0 {
			t.Errorf("%s allocates %v times", name, n)
		}
	}
}

// TestTowerAliasing checks that every binary tower operation gives the same
// result when the receiver aliases an argument.
func TestTowerAliasing(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for i := 0; i < 20; i++ {
		x, y := randE12(rng), randE12(rng)
		ops12 := map[string]func(z, a, b *E12) *E12{
			"Add": (*E12).Add, "Sub": (*E12).Sub, "Mul": (*E12).Mul,
			"Square":    func(z, a, _ *E12) *E12 { return z.Square(a) },
			"Invert":    func(z, a, _ *E12) *E12 { return z.Invert(a) },
			"Frobenius": func(z, a, _ *E12) *E12 { return z.Frobenius(a) },
			"Conjugate": func(z, a, _ *E12) *E12 { return z.Conjugate(a) },
			"MulByLine": func(z, a, b *E12) *E12 { return z.MulByLine(a, &b.C0.C0, &b.C1.C0, &b.C1.C1) },
		}
		for name, op := range ops12 {
			want := op(new(E12), x, y)
			a, b := *x, *y
			if op(&a, &a, &b).Equal(want) != 1 {
				t.Errorf("E12.%s: receiver aliasing the first argument", name)
			}
			a, b = *x, *y
			if name != "MulByLine" && op(&b, &a, &b).Equal(op(new(E12), x, y)) != 1 {
				t.Errorf("E12.%s: receiver aliasing the second argument", name)
			}
		}
		ops2 := map[string]func(z, a, b *E2) *E2{
			"Add": (*E2).Add, "Sub": (*E2).Sub, "Mul": (*E2).Mul,
			"Square":  func(z, a, _ *E2) *E2 { return z.Square(a) },
			"MulByXi": func(z, a, _ *E2) *E2 { return z.MulByXi(a) },
			"Invert":  func(z, a, _ *E2) *E2 { return z.Invert(a) },
		}
		for name, op := range ops2 {
			x2, y2 := x.C0.C1, y.C1.C2
			want := op(new(E2), &x2, &y2)
			a, b := x2, y2
			if op(&a, &a, &b).Equal(want) != 1 {
				t.Errorf("E2.%s: receiver aliasing the first argument", name)
			}
			a, b = x2, y2
			if op(&b, &a, &b).Equal(want) != 1 {
				t.Errorf("E2.%s: receiver aliasing the second argument", name)
			}
		}
		ops6 := map[string]func(z, a, b *E6) *E6{
			"Mul": (*E6).Mul, "Square": func(z, a, _ *E6) *E6 { return z.Square(a) },
			"Invert": func(z, a, _ *E6) *E6 { return z.Invert(a) },
		}
		for name, op := range ops6 {
			x6, y6 := x.C0, y.C1
			want := op(new(E6), &x6, &y6)
			a, b := x6, y6
			if op(&a, &a, &b).Equal(want) != 1 {
				t.Errorf("E6.%s: receiver aliasing the first argument", name)
			}
			a, b = x6, y6
			if op(&b, &a, &b).Equal(want) != 1 {
				t.Errorf("E6.%s: receiver aliasing the second argument", name)
			}
		}
	}
}
