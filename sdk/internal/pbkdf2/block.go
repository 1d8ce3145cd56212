package pbkdf2

import (
	"encoding/binary"
	"math/bits"
)

// k is SHA-256's round constants (FIPS 180-4 §4.2.2).
var k = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

// blockGeneric compresses the 64-byte block p into h.
func blockGeneric(h *[8]uint32, p *[blockSize]byte) {
	var w [16]uint32
	for i := range w {
		w[i] = binary.BigEndian.Uint32(p[4*i:])
	}
	compressWords(h, &w)
}

// compressWords compresses the block whose big-endian words are w into h
// (FIPS 180-4 §6.2.2), with a 16-word rolling message schedule.
func compressWords(h *[8]uint32, m *[16]uint32) {
	w := *m
	a, b, c, d, e, f, g, hh := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
	for i := 0; i < 64; i++ {
		if i >= 16 {
			w15, w2 := w[(i-15)&15], w[(i-2)&15]
			s0 := bits.RotateLeft32(w15, -7) ^ bits.RotateLeft32(w15, -18) ^ (w15 >> 3)
			s1 := bits.RotateLeft32(w2, -17) ^ bits.RotateLeft32(w2, -19) ^ (w2 >> 10)
			w[i&15] += s0 + w[(i-7)&15] + s1
		}
		t1 := hh + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) +
			((e & f) ^ (^e & g)) + k[i] + w[i&15]
		t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) +
			((a & b) ^ (a & c) ^ (b & c))
		hh, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	h[0] += a
	h[1] += b
	h[2] += c
	h[3] += d
	h[4] += e
	h[5] += f
	h[6] += g
	h[7] += hh
}

// iterateGeneric runs n PBKDF2 iterations: u = HMAC(u) from the pad
// states ist and ost, t ^= u. The blocks' padding is fixed: each message
// is 32 bytes after a 64-byte pad block, 768 bits in all.
func iterateGeneric(ist, ost, u, t *[8]uint32, n int) {
	var m [16]uint32
	m[8] = 0x80000000
	m[15] = (blockSize + size) * 8
	for ; n > 0; n-- {
		copy(m[:8], u[:])
		h := *ist
		compressWords(&h, &m)
		copy(m[:8], h[:])
		*u = *ost
		compressWords(u, &m)
		for i := range t {
			t[i] ^= u[i]
		}
	}
}
