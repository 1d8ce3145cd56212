package curve

import "crypto/subtle"

// G1Table is a fixed-base table for a point B of G1: entry [i][j] is
// [j·16ⁱ]B for 64 windows i and digits j < 16, so that a scalar
// multiplication is 64 additions and no doublings. Its contents are read-only
// after NewG1Table, so it is safe for concurrent use.
type G1Table struct {
	t [64][16]G1
}

// NewG1Table returns the fixed-base table of b.
func NewG1Table(b *G1) *G1Table {
	tab := new(G1Table)
	base := *b
	for i := range tab.t {
		tab.t[i][0].SetInfinity()
		tab.t[i][1] = base
		for j := 2; j < 16; j++ {
			tab.t[i][j].Add(&tab.t[i][j-1], &base)
		}
		base.Double(&tab.t[i][8])
	}
	return tab
}

// ScalarMult sets p = [k]B for the table's base B and a 32-byte big-endian k,
// and returns p. It runs in constant time: every window scans its whole row
// with constant-time selects.
func (tab *G1Table) ScalarMult(p *G1, k *[32]byte) *G1 {
	var acc, sel G1
	acc.SetInfinity()
	for i := 0; i < 64; i++ {
		d := k[31-i/2] >> (4 * uint(i%2)) & 0xf
		row := &tab.t[i]
		sel.SetInfinity()
		for j := 1; j < 16; j++ {
			sel.Select(&row[j], &sel, subtle.ConstantTimeByteEq(d, uint8(j)))
		}
		acc.Add(&acc, &sel)
	}
	*p = acc
	return p
}

// G2Table is the fixed-base table of a point of G2; see G1Table.
type G2Table struct {
	t [64][16]G2
}

// NewG2Table returns the fixed-base table of b.
func NewG2Table(b *G2) *G2Table {
	tab := new(G2Table)
	base := *b
	for i := range tab.t {
		tab.t[i][0].SetInfinity()
		tab.t[i][1] = base
		for j := 2; j < 16; j++ {
			tab.t[i][j].Add(&tab.t[i][j-1], &base)
		}
		base.Double(&tab.t[i][8])
	}
	return tab
}

// ScalarMult sets p = [k]B for the table's base B and a 32-byte big-endian k,
// and returns p. It runs in constant time.
func (tab *G2Table) ScalarMult(p *G2, k *[32]byte) *G2 {
	var acc, sel G2
	acc.SetInfinity()
	for i := 0; i < 64; i++ {
		d := k[31-i/2] >> (4 * uint(i%2)) & 0xf
		row := &tab.t[i]
		sel.SetInfinity()
		for j := 1; j < 16; j++ {
			sel.Select(&row[j], &sel, subtle.ConstantTimeByteEq(d, uint8(j)))
		}
		acc.Add(&acc, &sel)
	}
	*p = acc
	return p
}
