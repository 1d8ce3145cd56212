package pbkdf2

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// TestVectors checks the RFC 7914 §11 vectors and the RFC 6070 inputs with
// SHA-256 (the widely published PBKDF2-HMAC-SHA256 vectors).
func TestVectors(t *testing.T) {
	tests := []struct {
		password, salt string
		iter           int
		want           string
		slow           bool
	}{
		{"passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc" +
			"49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783", false},
		{"Password", "NaCl", 80000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56" +
			"a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d", false},
		{"password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b", false},
		{"password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43", false},
		{"password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a", false},
		{"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
			"348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9", false},
		{"pass\x00word", "sa\x00lt", 4096, "89b69d0516f829893c696226650a8687", false},
		{"password", "salt", 16777216, "cf81c66fe8cfc04d1f31ecb65dab4089f7f179e89b3b0bcb17ad10e3ac6eba46", true},
	}
	for _, tt := range tests {
		if tt.slow && (testing.Short() || !accelerated) {
			continue
		}
		want, _ := hex.DecodeString(tt.want)
		got, err := Key(tt.password, []byte(tt.salt), tt.iter, len(want))
		if err != nil {
			t.Fatalf("Key(%q, %q, %d): %v", tt.password, tt.salt, tt.iter, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Key(%q, %q, %d) = %x, want %s", tt.password, tt.salt, tt.iter, got, tt.want)
		}
	}
}

// TestMatchesStdlib compares Key with crypto/pbkdf2 over random passwords
// (empty, shorter and longer than a block), salts, iteration counts and key
// lengths (one block, several, partial).
func TestMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 250000))
	bytesOf := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	for i := 0; i < 300; i++ {
		password := string(bytesOf(rng.IntN(150)))
		salt := bytesOf(rng.IntN(140))
		iter := 1 + rng.IntN(300)
		keyLen := 1 + rng.IntN(100)
		want, err := pbkdf2.Key(sha256.New, password, salt, iter, keyLen)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Key(password, salt, iter, keyLen)
		if err != nil {
			t.Fatalf("Key(password of %d bytes, salt of %d bytes, %d, %d): %v", len(password), len(salt), iter, keyLen, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Key(%x, %x, %d, %d) = %x, crypto/pbkdf2 says %x", password, salt, iter, keyLen, got, want)
		}
	}
}

// TestGenericMatchesAccelerated checks the portable compression and loop
// against the assembly, where this build has it, and against crypto/sha256.
func TestGenericMatchesAccelerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		var msg [55]byte // 55 bytes pad to exactly one block
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		var p [blockSize]byte
		copy(p[:], msg[:])
		p[55] = 0x80
		p[62], p[63] = 55*8>>8, 55*8&0xff
		h1, h2 := iv, iv
		block(&h1, &p)
		blockGeneric(&h2, &p)
		want := sha256.Sum256(msg[:])
		for j, w := range [][8]uint32{h1, h2} {
			var got [size]byte
			for n, x := range w {
				got[4*n], got[4*n+1], got[4*n+2], got[4*n+3] = byte(x>>24), byte(x>>16), byte(x>>8), byte(x)
			}
			if got != want {
				t.Fatalf("compression %d of %x = %x, crypto/sha256 says %x", j, msg, got, want)
			}
		}

		var ist, ost, u, tt [8]uint32
		for j := range 8 {
			ist[j], ost[j], u[j], tt[j] = rng.Uint32(), rng.Uint32(), rng.Uint32(), rng.Uint32()
		}
		u2, t2 := u, tt
		n := rng.IntN(5)
		iterate(&ist, &ost, &u, &tt, n)
		iterateGeneric(&ist, &ost, &u2, &t2, n)
		if u != u2 || tt != t2 {
			t.Fatalf("iterate(%d) = %x, %x; iterateGeneric = %x, %x", n, u, tt, u2, t2)
		}
	}
}

func TestBadArguments(t *testing.T) {
	for _, tt := range []struct{ iter, keyLen int }{{0, 32}, {-1, 32}, {1, 0}, {1, -5}} {
		if _, err := Key("pw", []byte("salt"), tt.iter, tt.keyLen); err == nil {
			t.Errorf("Key(iter %d, keyLen %d) = nil error, want one", tt.iter, tt.keyLen)
		}
	}
}

// TestIterationsDoNotAllocate holds the iteration loop to no allocation:
// 1 and 10,000 iterations allocate the same.
func TestIterationsDoNotAllocate(t *testing.T) {
	salt := make([]byte, 32)
	one := testing.AllocsPerRun(5, func() { Key("password", salt, 1, 32) })
	many := testing.AllocsPerRun(5, func() { Key("password", salt, 10_000, 32) })
	if many != one {
		t.Errorf("10,000 iterations allocate %v times, 1 iteration %v: the loop allocates", many, one)
	}
}

func BenchmarkKey(b *testing.B) {
	salt := make([]byte, 32)
	for b.Loop() {
		Key("password", salt, 10_000, 32)
	}
}
