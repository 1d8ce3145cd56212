package curve

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"

	//lint:ignore SA1019 deprecated for new systems; here it is the independent reference these tests compare against
	"golang.org/x/crypto/bn256"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// golang.org/x/crypto/bn256 computes the same groups and pairing on
// recrypt's points (recrypt spec §2), slowly and with math/big. These tests
// use it as an independent reference, always loading recrypt's generators
// through Unmarshal (its own generators differ).

func randScalar(rng *rand.Rand) *[32]byte {
	var k [32]byte
	for i := range k {
		k[i] = byte(rng.Uint32())
	}
	return &k
}

func TestAgainstBN256(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	var g G1
	g.SetGenerator()
	gEnc, _ := g.Bytes()
	q := q0(t)
	qEnc, _ := q.Bytes()
	refG, refQ := new(bn256.G1), new(bn256.G2)
	if _, ok := refG.Unmarshal(gEnc[:]); !ok {
		t.Fatal("bn256 rejected G")
	}
	if _, ok := refQ.Unmarshal(qEnc[:]); !ok {
		t.Fatal("bn256 rejected Q₀")
	}
	n := 4
	if testing.Short() {
		n = 1
	}
	for i := 0; i < n; i++ {
		a, b := randScalar(rng), randScalar(rng)
		var pa G1
		pa.ScalarMult(&g, a)
		var qb G2
		qb.ScalarMult(q, b)
		pEnc, _ := pa.Bytes()
		qbEnc, _ := qb.Bytes()

		refP := new(bn256.G1).ScalarMult(refG, new(big.Int).SetBytes(a[:]))
		refQb := new(bn256.G2).ScalarMult(refQ, new(big.Int).SetBytes(b[:]))
		if !bytes.Equal(refP.Marshal(), pEnc[:]) {
			t.Fatalf("G1 scalar multiplication differs from bn256")
		}
		if !bytes.Equal(refQb.Marshal(), qbEnc[:]) {
			t.Fatalf("G2 scalar multiplication differs from bn256")
		}
		var prep G2Prepared
		prep.Prepare(&qb)
		e, _ := Pair(&pa, &prep)
		eb := e.Bytes()
		if !bytes.Equal(bn256.Pair(refP, refQb).Marshal(), eb[:]) {
			t.Fatalf("pairing differs from bn256")
		}
	}
}

// TestFinalExpAgainstBN256 compares FinalExp on an arbitrary Fp12 element
// with bn256's GT.ScalarMult by (p¹²−1)/r.
func TestFinalExpAgainstBN256(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: about 55 ms per exponentiation in bn256, more under -race")
	}
	rng := rand.New(rand.NewPCG(23, 24))
	var raw [384]byte
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	var x field.E12
	x.SetBytes(raw[:])
	canon := x.Bytes()
	ref, ok := new(bn256.GT).Unmarshal(canon[:])
	if !ok {
		t.Fatal("bn256 rejected the element")
	}
	p, _ := new(big.Int).SetString("8fb501e34aa387f9aa6fecb86184dc21ee5b88d120b5b59e185cac6c5e089667", 16)
	r, _ := new(big.Int).SetString(hexR, 16)
	e := new(big.Int).Exp(p, big.NewInt(12), nil)
	e.Sub(e, big.NewInt(1))
	e.Div(e, r)
	want := new(bn256.GT).ScalarMult(ref, e).Marshal()
	got := x.FinalExp(&x).Bytes()
	if !bytes.Equal(got[:], want) {
		t.Fatal("FinalExp differs from bn256 GT.ScalarMult((p¹²−1)/r)")
	}
}
