package recrypt

import (
	"encoding/hex"
	"sync"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/curve"
)

// Fixed points of recrypt (spec §1.4), affine 128-byte encodings.
const (
	// q0Hex is Q₀, recrypt's G2 generator (curve_points.g1).
	q0Hex = "25672b2835437ab9fc7585e4c3d11d5635829aed08bc789fa20a17dacc7156cd2d50c53d5fb07c1b4a3dd83a655b250db81c8c001cc1a1d8044961e270c88d333c7aa797f37bf4b7af63ba89bf92c8022dd7bfb07d7b795e2690cbd1bf0b14033f522209fae97ad8b098e1f9c29a7af631acd5c01d39c91d04b959931a5a074d"
	// h0Hex is H₀ = [SHA-256("Mon Feb 19 16:30:21 MST 2018\n")]Q₀, recrypt's
	// hash_element, the base point of hash2.
	h0Hex = "1ada2fe8ed2af9c8a1960821173cd5f479037b8d6bec325fc8cbc857eff7a41a404aa43975985524b2e5ab01836fed70581402ad73a0cbe6b589c3c395591aa176f6d30d59c3ec8e80ff1b0ddb7633dd44f553966a1012f26da064f2710ef1df325b33959667f9ef7a6f32f424fc0293243552ffe0f1ba50993a9abae5c5a2d7"
)

// parameters holds the fixed points and their precomputed forms. It is
// computed once and never modified.
type parameters struct {
	g       curve.G1         // G = (1, 2)
	q0      curve.G2         // Q₀
	negQ0   curve.G2         // −Q₀
	h0      curve.G2         // H₀
	q0Lines curve.G2Prepared // Miller-loop lines of Q₀
	gTable  *curve.G1Table   // fixed-base table of G
	q0Table *curve.G2Table   // fixed-base table of Q₀
	h0Table *curve.G2Table   // fixed-base table of H₀
}

// params returns the package's constant tables, computing them on first use.
var params = sync.OnceValue(func() *parameters {
	p := new(parameters)
	p.g.SetGenerator()
	mustG2(&p.q0, q0Hex)
	mustG2(&p.h0, h0Hex)
	p.negQ0.Neg(&p.q0)
	p.q0Lines.Prepare(&p.q0)
	p.gTable = curve.NewG1Table(&p.g)
	p.q0Table = curve.NewG2Table(&p.q0)
	p.h0Table = curve.NewG2Table(&p.h0)
	return p
})

func mustG2(p *curve.G2, s string) {
	b, err := hex.DecodeString(s)
	if err == nil {
		_, err = p.SetBytes(b)
	}
	if err != nil {
		panic("recrypt: bad built-in constant: " + err.Error())
	}
}
