package field

import "testing"

// Benchmarks of the tower's operations, 1,000 (Fp, Fp2) or 100 (Fp12) to a
// b.N, to compare with other libraries' figures per operation.

func BenchmarkFpMul1000(b *testing.B) {
	x := new(Element).SetUint64(123456789)
	y := new(Element).SetUint64(987654321)
	for b.Loop() {
		for range 1000 {
			x.Mul(x, y)
		}
	}
}

func BenchmarkE2Mul1000(b *testing.B) {
	x := E2{C0: *new(Element).SetUint64(12345), C1: *new(Element).SetUint64(6789)}
	y := E2{C0: *new(Element).SetUint64(98765), C1: *new(Element).SetUint64(4321)}
	for b.Loop() {
		for range 1000 {
			x.Mul(&x, &y)
		}
	}
}

func BenchmarkE2Square1000(b *testing.B) {
	x := E2{C0: *new(Element).SetUint64(12345), C1: *new(Element).SetUint64(6789)}
	for b.Loop() {
		for range 1000 {
			x.Square(&x)
		}
	}
}

func BenchmarkE12Mul100(b *testing.B) {
	x := createFromT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	y := createFromT(12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
	for b.Loop() {
		for range 100 {
			x.Mul(x, y)
		}
	}
}

func BenchmarkE12CyclotomicSquare100(b *testing.B) {
	x := createFromT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	x.FinalExp(x)
	for b.Loop() {
		for range 100 {
			x.CyclotomicSquare(x)
		}
	}
}
