package curve

import "testing"

// TestAllocations holds group operations and the pairing to zero allocations.
func TestAllocations(t *testing.T) {
	var g, p G1
	g.SetGenerator()
	q := q0(t)
	var q2 G2
	k := scalar(t, "5385926b9f6135086d1912901e5a433ffcebc19a30fadbd0ee8cee26ba719c90")
	var prep G2Prepared
	prep.Prepare(q)
	tab := NewG1Table(&g)
	ops := map[string]func(){
		"G1.Add":        func() { p.Add(&g, &g) },
		"G1.ScalarMult": func() { p.ScalarMult(&g, k) },
		"G1Table.Mult":  func() { tab.ScalarMult(&p, k) },
		"G2.ScalarMult": func() { q2.ScalarMult(q, k) },
		"G2.Prepare":    func() { prep.Prepare(q) },
		"Pair":          func() { Pair(&g, &prep) },
		"G1.Bytes":      func() { _, _ = g.Bytes() },
	}
	for name, op := range ops {
		if n := testing.AllocsPerRun(3, op); n != 0 {
			t.Errorf("%s allocates %v times", name, n)
		}
	}
}

// TestPointAliasing checks Add and Double with the receiver aliasing inputs.
func TestPointAliasing(t *testing.T) {
	var g, h G1
	g.SetGenerator()
	h.Double(&g)
	var want G1
	want.Add(&g, &h)
	a, b := g, h
	if a.Add(&a, &b).Equal(&want) != 1 {
		t.Error("G1.Add aliasing first argument")
	}
	a, b = g, h
	if b.Add(&a, &b).Equal(&want) != 1 {
		t.Error("G1.Add aliasing second argument")
	}
	a = g
	want.Double(&g)
	if a.Add(&a, &a).Equal(&want) != 1 || a.Equal(&h) != 1 {
		t.Error("G1.Add all aliased")
	}
	q := q0(t)
	var qa, qw G2
	qw.Double(q)
	qa = *q
	if qa.Add(&qa, &qa).Equal(&qw) != 1 {
		t.Error("G2.Add all aliased")
	}
}
