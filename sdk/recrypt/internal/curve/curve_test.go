package curve

import (
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

const (
	hexR = "8fb501e34aa387f9aa6fecb86184dc212e8d8e12f82b39241a2ef45b57ac7261"
	// q0Affine is recrypt's G2 generator Q₀ (curve_points.g1), spec §1.4.
	q0Affine = "25672b2835437ab9fc7585e4c3d11d5635829aed08bc789fa20a17dacc7156cd2d50c53d5fb07c1b4a3dd83a655b250db81c8c001cc1a1d8044961e270c88d333c7aa797f37bf4b7af63ba89bf92c8022dd7bfb07d7b795e2690cbd1bf0b14033f522209fae97ad8b098e1f9c29a7af631acd5c01d39c91d04b959931a5a074d"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func scalar(t testing.TB, s string) *[32]byte {
	b := unhex(t, s)
	var k [32]byte
	copy(k[32-len(b):], b)
	return &k
}

func fe(t testing.TB, s string) field.Element {
	var e field.Element
	if _, err := e.SetBytes(scalar(t, s)[:]); err != nil {
		t.Fatal(err)
	}
	return e
}

func fe2(t testing.TB, u, c string) field.E2 {
	return field.E2{C1: fe(t, u), C0: fe(t, c)}
}

func q0(t testing.TB) *G2 {
	var q G2
	if _, err := q.SetBytes(unhex(t, q0Affine)); err != nil {
		t.Fatal(err)
	}
	return &q
}

// TestG1KnownAnswers are recrypt-rs tests generator_times_2 (src/internal/curve.rs),
// addition_to_self_laws and generator_times_order_is_reasonable
// (src/internal/homogeneouspoint.rs), spec §8.1.
func TestG1KnownAnswers(t *testing.T) {
	var g, p G1
	g.SetGenerator()
	p.ScalarMult(&g, scalar(t, "5385926b9f6135086d1912901e5a433ffcebc19a30fadbd0ee8cee26ba719c90"))
	enc, ok := p.Bytes()
	want := "7ca481d71abbae43395152eb7baa230d60543d43e2e8f89a18d182ecf8c3b8f5671f653900901fc3688542e5939ba6c064a7768f34fe45492a49e1f6d4d7c40a"
	if ok != 1 || hex.EncodeToString(enc[:]) != want {
		t.Errorf("sk·G = %x, want %s", enc, want)
	}
	var vt G1
	vt.VarTimeScalarMult(&g, scalar(t, "5385926b9f6135086d1912901e5a433ffcebc19a30fadbd0ee8cee26ba719c90"))
	if vt.Equal(&p) != 1 {
		t.Error("VarTimeScalarMult differs from ScalarMult")
	}

	var d, a G1
	d.Double(&g)
	a.Add(&g, &g)
	want2 := G1{X: fe(t, "8fb501e34aa387f9aa6fecb86184dc21ee5b88d120b5b59e185cac6c5e08960b"), Y: fe(t, "8fb501e34aa387f9aa6fecb86184dc21ee5b88d120b5b59e185cac6c5e08965c"), Z: fe(t, "40")}
	if d.Equal(&want2) != 1 || a.Equal(&want2) != 1 {
		t.Error("2G differs from (−23/16, −11/64)")
	}
	p.ScalarMult(&g, scalar(t, hexR))
	if p.IsInfinity() != 1 {
		t.Error("r·G is not infinity")
	}
	var inf G1
	inf.SetInfinity()
	a.Add(&inf, &g)
	if a.Equal(&g) != 1 {
		t.Error("O + G != G")
	}
}

// TestG2KnownAnswers are g1_times_order_is_reasonable and roundtrip_known_bytes
// (recrypt-rs src/internal/homogeneouspoint.rs), spec §8.1.
func TestG2KnownAnswers(t *testing.T) {
	q := q0(t)
	var p G2
	p.ScalarMult(q, scalar(t, hexR))
	if p.IsInfinity() != 1 {
		t.Error("r·Q₀ is not infinity")
	}
	known := "4a40fc771f0c5625d2ef6783013c52eece1697e71c6f82c3aa58396485c2a6c1713527192c3a7ed9103aca79a39f08a154723602bb768655fdd499f8062b461a5752395183b7743fb6ed688a856ef42aae259df29f52678ef0fccb91adb5374d10820c4e85917c4a1906cb06f537158c0556ecfaa55c874f388823ab9270a536"
	if _, err := p.SetBytes(unhex(t, known)); err != nil {
		t.Fatal(err)
	}
	enc, _ := p.Bytes()
	if hex.EncodeToString(enc[:]) != known {
		t.Error("G2 round trip changed the bytes")
	}
	// H₀ = [n]Q₀ with n = SHA-256("Mon Feb 19 16:30:21 MST 2018\n") (spec §1.4).
	p.ScalarMult(q, scalar(t, "7df281ea8664a576cd895b3c58420c19735bca6b2593eae4bb9bd14ee175e388"))
	enc, _ = p.Bytes()
	wantH := "1ada2fe8ed2af9c8a1960821173cd5f479037b8d6bec325fc8cbc857eff7a41a404aa43975985524b2e5ab01836fed70581402ad73a0cbe6b589c3c395591aa176f6d30d59c3ec8e80ff1b0ddb7633dd44f553966a1012f26da064f2710ef1df325b33959667f9ef7a6f32f424fc0293243552ffe0f1ba50993a9abae5c5a2d7"
	if hex.EncodeToString(enc[:]) != wantH {
		t.Errorf("H₀ = %x, want %s", enc, wantH)
	}
}

// pairingQ is the G2 point of recrypt-rs pair_match_known_good_value
// (src/internal/pairing.rs), spec §8.2, in projective coordinates.
func pairingQ(t testing.TB) *G2 {
	return &G2{
		X: fe2(t, "5835f848fb3e6f2a741a589fe85710c64272355f3186de77f84770c28eaac884", "092a08345bae17b654f089e235b54b4f41de5e358d5183e4c2c6d1498a3f807d"),
		Y: fe2(t, "7887c5327665bd5a2b27552a06cd04a027021fbf7379c760eb426e26862c8c0b", "422ac2a0339a70746983c121f37b9931adc7423b39864fe675b0f0ec882f0d3e"),
		Z: fe2(t, "38f1f63c4692158b7830dfa45533f08119bb5f01bfcccc004b820adf2b8763bc", "2ceb55529c6b0ca59139f2ec721870634e164523d1ed9b0d60049e29c4f3355c"),
	}
}

const pairingKAT = `2d975d8c65b577810297bc5b7193691a6892cefacbee2544fb16f67ba7c825d5
4bff7dc7983fb830ec19f39e78268d8191d96ec9974ac41ef8100acca66e6934
06c4c1d5c2d00bbfc5eac19626b1967ce3ca5a60bce0122626d0662f53463f7f
509cf319e11149b9f03c5c442efecb02c3fd98c4034490c505c6983f4f862928
87fe9de48e020614a01af0a1ae62a44b47342ead7d99af4c6a0f1eec6cbfdc01
0e26a8e2e7136d4027e2ff75226d1c456767129d1232fa257503f6cf34cb635f
76d617fc05a8f85acff827a14f3ffdc99be13ac7bb0b823d30d8752bf205d28b
3540c0e3e718e5cd7d1153d3d392e246a251d8f4a5d7490b4fa18d369a270de9
87bd2932b2a9e20f9b51b8b1adfeda2b434985710e73bb335d5b568eb8c1407a
232c6479f7e8768b2e85a025cb9e7162315ff7ebeef6bd73ef896bb14748aa0d
85ff626aef9f9cef0310f93a9541ef9ce2207eb9b57077db4572531a879c1cad
268aebaf44e6ae76c70f48aed806180ced89dfc17f962de209f2a3437b4fe791`

// TestPairingKnownAnswer is recrypt-rs pair_match_known_good_value, spec §8.2.
func TestPairingKnownAnswer(t *testing.T) {
	var g G1
	g.SetGenerator()
	var prep G2Prepared
	prep.Prepare(pairingQ(t))
	e, ok := Pair(&g, &prep)
	got := e.Bytes()
	if ok != 1 || hex.EncodeToString(got[:]) != hex.EncodeToString(unhex(t, pairingKAT)) {
		t.Errorf("e(G, Q) =\n%x\nwant\n%s", got, pairingKAT)
	}
	// The affine encoding of Q (spec §8.2, derived).
	enc, _ := pairingQ(t).Bytes()
	if want := "735117e2f9a0830512ec3547031f1e1b0d059f7dcef1fbecebe6f0e8c8effb5930babbf122c321490641985f431e5ea9a0dc2be87d6c93db508c820426b24c906ab9f773a976984f32a164def6edf32b7ad0b56541c4d8bb8c9587d8fe3d6dfd6a6a5334382131d887ecbb7cb05fece6ce75754cbd44f4afce84b7cff4dbcd25"; hex.EncodeToString(enc[:]) != want {
		t.Errorf("Q affine = %x", enc)
	}
}

// TestFrobeniusKnownAnswer is recrypt-rs frobenius_match_good_value, spec §8.2:
// π(X:Y:Z) = (conj(X)·γ₁ : conj(Y)·γ₃ : conj(Z)).
func TestFrobeniusKnownAnswer(t *testing.T) {
	q := pairingQ(t)
	g1, g3 := field.Gamma1(), field.Gamma3()
	var got G2
	got.X.Conjugate(&q.X)
	got.X.Mul(&got.X, &g1)
	got.Y.Conjugate(&q.Y)
	got.Y.Mul(&got.Y, &g3)
	got.Z.Conjugate(&q.Z)
	want := G2{
		X: fe2(t, "07b921909c88bb7a6085720184d40a3098b24626883ae800325f9c770dd299a8", "7f4d163bfa39efe2c9ad471d97997a467e07d001784a047d9caf6c19b8d4fd1a"),
		Y: fe2(t, "72a5e320ecfcd5dd86bcb4ff84f13227ee62dd159ac229b6f418ad5743dfe142", "6d35d516c27f3af949aa6d8ac72d8a81cd7f7cdb8a856620e12a55293c7b2d71"),
		Z: fe2(t, "56c30ba70411726e323f0d140c50eba0d4a029cf60e8e99dccdaa18d328132ab", "2ceb55529c6b0ca59139f2ec721870634e164523d1ed9b0d60049e29c4f3355c"),
	}
	if got.X.Equal(&want.X)&got.Y.Equal(&want.Y)&got.Z.Equal(&want.Z) != 1 {
		t.Error("twist Frobenius differs from recrypt")
	}
}

// TestBilinearity checks e([a]P, [b]Q) = e(P, Q)^(ab).
func TestBilinearity(t *testing.T) {
	var g G1
	g.SetGenerator()
	q := q0(t)
	a := scalar(t, "1234567890abcdef1234567890abcdef")
	b := scalar(t, "fedcba0987654321fedcba0987654321")
	var pa G1
	pa.ScalarMult(&g, a)
	var qb G2
	qb.ScalarMult(q, b)
	var prep, prepB G2Prepared
	prep.Prepare(q)
	prepB.Prepare(&qb)
	lhs, _ := Pair(&pa, &prepB)
	base, _ := Pair(&g, &prep)
	ab := new(big.Int).Mul(new(big.Int).SetBytes(a[:]), new(big.Int).SetBytes(b[:]))
	var rhs field.E12
	rhs.One()
	for i := ab.BitLen() - 1; i >= 0; i-- {
		rhs.Square(&rhs)
		if ab.Bit(i) == 1 {
			rhs.Mul(&rhs, &base)
		}
	}
	if lhs.Equal(&rhs) != 1 {
		t.Error("pairing is not bilinear")
	}
	var inf G1
	inf.SetInfinity()
	if _, ok := Pair(&inf, &prep); ok != 0 {
		t.Error("pairing with infinity reported ok")
	}
}

// TestTables compares fixed-base tables with the windowed ladder.
func TestTables(t *testing.T) {
	var g G1
	g.SetGenerator()
	gt := NewG1Table(&g)
	q := q0(t)
	qt := NewG2Table(q)
	for _, k := range []string{"00", "01", "0f", "10", hexR, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "5385926b9f6135086d1912901e5a433ffcebc19a30fadbd0ee8cee26ba719c90"} {
		s := scalar(t, k)
		var a, b G1
		a.ScalarMult(&g, s)
		gt.ScalarMult(&b, s)
		if a.Equal(&b) != 1 || a.IsInfinity() != b.IsInfinity() {
			t.Errorf("G1 table differs for %s", k)
		}
		var c, d G2
		c.ScalarMult(q, s)
		qt.ScalarMult(&d, s)
		if c.Equal(&d) != 1 || c.IsInfinity() != d.IsInfinity() {
			t.Errorf("G2 table differs for %s", k)
		}
	}
}
