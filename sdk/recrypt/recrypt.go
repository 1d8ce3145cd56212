package recrypt

import (
	"crypto/rand"
	"fmt"
	"io"
	"sync"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// Recrypt performs the randomized operations, drawing 32-byte values from its
// reader in the order recrypt-rs does (spec §5.13). It is safe for concurrent
// use: with a reader of its own, each operation takes all of its draws at
// once under a lock; with crypto/rand it takes no lock. The zero value uses
// crypto/rand.
type Recrypt struct {
	mu   sync.Mutex
	rand io.Reader
}

// New returns a Recrypt reading randomness from rand, or from crypto/rand if
// rand is nil. Outside tests, use nil.
func New(rand io.Reader) *Recrypt {
	return &Recrypt{rand: rand}
}

// draw fills n 32-byte draws from the reader.
func (r *Recrypt) draw(n int) ([][32]byte, error) {
	out := make([][32]byte, n)
	src := r.rand
	if src == nil {
		src = rand.Reader
	} else {
		r.mu.Lock()
		defer r.mu.Unlock()
	}
	for i := range out {
		if _, err := io.ReadFull(src, out[i][:]); err != nil {
			return nil, fmt.Errorf("recrypt: reading randomness: %w", err)
		}
	}
	return out, nil
}

// reducedScalar returns the 32-byte draw reduced mod p, as recrypt's
// random private keys and ephemeral scalars are.
func reducedScalar(b *[32]byte) [32]byte {
	var e field.Element
	e.SetBytes(b[:])
	return e.Bytes()
}

// gtFromDraws returns final_exp of the Fp12 whose coefficients are the 12
// draws, recrypt's gen_rth_root over gen_random_fp12.
func gtFromDraws(d [][32]byte) field.E12 {
	var buf [384]byte
	for i := 0; i < 12; i++ {
		copy(buf[32*i:], d[i][:])
	}
	var e field.E12
	e.SetBytes(buf[:])
	e.FinalExp(&e)
	return e
}

// RandomPrivateKey returns a random private key: 32 random bytes reduced mod p
// (one draw).
func (r *Recrypt) RandomPrivateKey() (PrivateKey, error) {
	d, err := r.draw(1)
	if err != nil {
		return PrivateKey{}, err
	}
	return PrivateKey{b: reducedScalar(&d[0])}, nil
}

// GenerateKeyPair returns a random private key and its public key (one draw).
// It fails with ErrZeroPoint only if the draw is 0 modulo the group order.
func (r *Recrypt) GenerateKeyPair() (PrivateKey, PublicKey, error) {
	sk, err := r.RandomPrivateKey()
	if err != nil {
		return PrivateKey{}, PublicKey{}, err
	}
	pk, err := ComputePublicKey(sk)
	if err != nil {
		return PrivateKey{}, PublicKey{}, err
	}
	return sk, pk, nil
}

// GeneratePlaintext returns a random element of GT (twelve draws).
func (r *Recrypt) GeneratePlaintext() (Plaintext, error) {
	d, err := r.draw(12)
	if err != nil {
		return Plaintext{}, err
	}
	e := gtFromDraws(d)
	return Plaintext{b: e.Bytes()}, nil
}

// GenerateEd25519KeyPair returns a signing key pair whose seed is the next
// draw.
func (r *Recrypt) GenerateEd25519KeyPair() (SigningKeypair, error) {
	d, err := r.draw(1)
	if err != nil {
		return SigningKeypair{}, err
	}
	return NewSigningKeypairFromSeed(d[0][:]), nil
}
