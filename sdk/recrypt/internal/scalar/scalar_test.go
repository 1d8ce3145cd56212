package scalar

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

var bigR, _ = new(big.Int).SetString("8fb501e34aa387f9aa6fecb86184dc212e8d8e12f82b39241a2ef45b57ac7261", 16)

// TestScalarAgainstBig checks every operation against math/big.
func TestScalarAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 1000; i++ {
		var xb, yb [32]byte
		for j := range xb {
			xb[j], yb[j] = byte(rng.Uint32()), byte(rng.Uint32())
		}
		if i%7 == 0 {
			for j := range xb {
				xb[j] = 0xff
			}
		}
		x, _ := new(Scalar).SetBytes(xb[:])
		y, _ := new(Scalar).SetBytes(yb[:])
		bx := new(big.Int).Mod(new(big.Int).SetBytes(xb[:]), bigR)
		by := new(big.Int).Mod(new(big.Int).SetBytes(yb[:]), bigR)
		check := func(name string, got *Scalar, want *big.Int) {
			t.Helper()
			want.Mod(want, bigR)
			b := got.Bytes()
			if new(big.Int).SetBytes(b[:]).Cmp(want) != 0 {
				t.Fatalf("%s(%v, %v) = %x, want %v", name, bx, by, b, want)
			}
		}
		check("SetBytes", x, new(big.Int).Set(bx))
		check("Add", new(Scalar).Add(x, y), new(big.Int).Add(bx, by))
		check("Sub", new(Scalar).Sub(x, y), new(big.Int).Sub(bx, by))
		check("Mul", new(Scalar).Mul(x, y), new(big.Int).Mul(bx, by))
	}
	if _, err := new(Scalar).SetBytes(make([]byte, 33)); err == nil {
		t.Error("SetBytes accepted 33 bytes")
	}
}
