//go:build fieldcount

package curve

import (
	"testing"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// TestConstantOpCounts shows that scalar multiplications by different secret
// scalars perform exactly the same number of field multiplications and
// additions. Run with: go test -tags fieldcount ./sdk/recrypt/internal/curve
func TestConstantOpCounts(t *testing.T) {
	var g G1
	g.SetGenerator()
	q := q0(t)
	gt := NewG1Table(&g)
	qt := NewG2Table(q)
	scalars := []string{
		"01",
		"8000000000000000000000000000000000000000000000000000000000000000",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"5385926b9f6135086d1912901e5a433ffcebc19a30fadbd0ee8cee26ba719c90",
		hexR,
	}
	ops := map[string]func(k *[32]byte){
		"G1.ScalarMult":      func(k *[32]byte) { var p G1; p.ScalarMult(&g, k) },
		"G2.ScalarMult":      func(k *[32]byte) { var p G2; p.ScalarMult(q, k) },
		"G1Table.ScalarMult": func(k *[32]byte) { var p G1; gt.ScalarMult(&p, k) },
		"G2Table.ScalarMult": func(k *[32]byte) { var p G2; qt.ScalarMult(&p, k) },
		"Element.Exp": func(k *[32]byte) {
			var e field.Element
			e.SetUint64(7)
			e.Exp(&e, k[:])
		},
	}
	for name, op := range ops {
		var first [2]uint64
		for i, s := range scalars {
			m0, a0 := field.Counts()
			op(scalar(t, s))
			m1, a1 := field.Counts()
			got := [2]uint64{m1 - m0, a1 - a0}
			if got[0] == 0 {
				t.Fatalf("%s: no multiplications counted", name)
			}
			if i == 0 {
				first = got
				t.Logf("%s: %d multiplications, %d additions", name, got[0], got[1])
			} else if got != first {
				t.Errorf("%s: scalar %s costs %v (mul, add), scalar %s costs %v", name, s, got, scalars[0], first)
			}
		}
	}
}
