package curve

import (
	"testing"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// The pairing's parts, to set beside a profile: preparing G2's lines, the
// Miller loop over prepared lines, and (in field) the final exponentiation.

func benchPoints(b *testing.B) (*G1, *G2) {
	var p G1
	p.SetGenerator()
	p.ScalarMult(&p, scalar(b, "1c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffee0"))
	var q G2
	q.ScalarMult(q0(b), scalar(b, "2c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffee0"))
	return &p, &q
}

func BenchmarkPrepare(b *testing.B) {
	_, q := benchPoints(b)
	var prep G2Prepared
	for b.Loop() {
		prep.Prepare(q)
	}
}

func BenchmarkMillerLoop(b *testing.B) {
	p, q := benchPoints(b)
	var prep G2Prepared
	prep.Prepare(q)
	var f field.E12
	for b.Loop() {
		MillerLoop(&f, []*G1{p}, []*G2Prepared{&prep})
	}
}
