package recrypt

import (
	"testing"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/curve"
)

// benchFixture holds keys and values made once per benchmark.
type benchFixture struct {
	r        *Recrypt
	sk, sk2  PrivateKey
	pk, pk2  PublicKey
	signer   SigningKeypair
	pt       Plaintext
	ev       EncryptedValue
	tk       TransformKey
	evOneHop EncryptedValue
}

func newBenchFixture(b *testing.B) *benchFixture {
	b.Helper()
	f := &benchFixture{r: New(nil)}
	var err error
	if f.sk, f.pk, err = f.r.GenerateKeyPair(); err != nil {
		b.Fatal(err)
	}
	if f.sk2, f.pk2, err = f.r.GenerateKeyPair(); err != nil {
		b.Fatal(err)
	}
	f.signer, _ = f.r.GenerateEd25519KeyPair()
	f.pt, _ = f.r.GeneratePlaintext()
	if f.ev, err = f.r.Encrypt(f.pt, f.pk, f.signer); err != nil {
		b.Fatal(err)
	}
	if f.tk, err = f.r.GenerateTransformKey(f.sk, f.pk2, f.signer); err != nil {
		b.Fatal(err)
	}
	if f.evOneHop, err = f.r.Transform(f.ev, f.tk, f.signer); err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkPairing is one full pairing of variable points: G2 line
// computation, Miller loop and final exponentiation.
func BenchmarkPairing(b *testing.B) {
	f := newBenchFixture(b)
	p, _ := f.pk.point()
	q := hash2Bench(f)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		var prep curve.G2Prepared
		prep.Prepare(&q)
		curve.Pair(p, &prep)
	}
}

// BenchmarkPairingFixedG2 is a pairing with recrypt's fixed Q₀, whose lines
// are precomputed, as in encryption.
func BenchmarkPairingFixedG2(b *testing.B) {
	f := newBenchFixture(b)
	p, _ := f.pk.point()
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		curve.Pair(p, &params().q0Lines)
	}
}

func hash2Bench(f *benchFixture) curve.G2 {
	e := f.pt.element()
	return hash2(&e)
}

func BenchmarkGenerateKeyPair(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := f.r.GenerateKeyPair(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGeneratePlaintext(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.r.GeneratePlaintext(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncrypt(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.r.Encrypt(f.pt, f.pk, f.signer); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecrypt decrypts a value encrypted once (level 0).
func BenchmarkDecrypt(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Decrypt(f.ev, f.sk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecryptTransformed decrypts a value transformed once (level 1).
func BenchmarkDecryptTransformed(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Decrypt(f.evOneHop, f.sk2); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateTransformKey(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.r.GenerateTransformKey(f.sk, f.pk2, f.signer); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTransform transforms a value encrypted once.
func BenchmarkTransform(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.r.Transform(f.ev, f.tk, f.signer); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSchnorrSign(b *testing.B) {
	f := newBenchFixture(b)
	msg := []byte("benchmark message")
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.r.SchnorrSign(f.sk, f.pk, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSchnorrVerify(b *testing.B) {
	f := newBenchFixture(b)
	msg := []byte("benchmark message")
	sig, _ := f.r.SchnorrSign(f.sk, f.pk, msg)
	b.ReportAllocs()
	defer threadCPU(b)()
	b.ResetTimer()
	for b.Loop() {
		if !VarTimeSchnorrVerify(f.pk, nil, msg, sig) {
			b.Fatal("does not verify")
		}
	}
}
