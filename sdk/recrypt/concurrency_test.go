package recrypt

import (
	"sync"
	"testing"
)

// TestConcurrentUse runs every randomized operation from several goroutines
// on one Recrypt, with crypto/rand and with a reader of its own; run it with
// -race.
func TestConcurrentUse(t *testing.T) {
	for _, r := range []*Recrypt{New(nil), New(constReader(8)), new(Recrypt)} {
		sk, pk, err := r.GenerateKeyPair()
		if err != nil {
			t.Fatal(err)
		}
		signer := goodSigningKeypair()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pt, err := r.GeneratePlaintext()
				if err != nil {
					errs <- err
					return
				}
				ev, err := r.Encrypt(pt, pk, signer)
				if err != nil {
					errs <- err
					return
				}
				tk, err := r.GenerateTransformKey(sk, pk, signer)
				if err != nil {
					errs <- err
					return
				}
				ev, err = r.Transform(ev, tk, signer)
				if err != nil {
					errs <- err
					return
				}
				got, err := Decrypt(ev, sk)
				if err != nil {
					errs <- err
					return
				}
				if !got.Equal(pt) {
					t.Error("concurrent round trip gave another plaintext")
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}
