package recrypt

import (
	"errors"
	"testing"
)

// TestRoundTrips are recrypt-rs's round-trip tests without fixed outputs
// (src/api.rs): encrypt_decrypt_roundtrip, transform_to_same_key,
// encrypt_decrypt_roundtrip_augmented_keys, two_level_transform_roundtrip,
// and schnorr_signing_roundtrip_augmented.
func TestRoundTrips(t *testing.T) {
	r := New(nil)
	signer, _ := r.GenerateEd25519KeyPair()
	pt, _ := r.GeneratePlaintext()
	decryptsTo := func(t *testing.T, ev EncryptedValue, sk PrivateKey) {
		t.Helper()
		got, err := Decrypt(ev, sk)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(pt) {
			t.Fatal("wrong plaintext")
		}
	}

	t.Run("encrypt_decrypt", func(t *testing.T) {
		sk, pk, _ := r.GenerateKeyPair()
		ev, err := r.Encrypt(pt, pk, signer)
		if err != nil {
			t.Fatal(err)
		}
		decryptsTo(t, ev, sk)
	})

	t.Run("transform_to_same_key", func(t *testing.T) {
		sk, pk, _ := r.GenerateKeyPair()
		ev, _ := r.Encrypt(pt, pk, signer)
		tk, err := r.GenerateTransformKey(sk, pk, signer)
		if err != nil {
			t.Fatal(err)
		}
		ev1, err := r.Transform(ev, tk, signer)
		if err != nil {
			t.Fatal(err)
		}
		decryptsTo(t, ev1, sk)
	})

	t.Run("augmented_keys", func(t *testing.T) {
		// A user's key a, the server's augmenting key b; the published key is
		// [a]G + [b]G. Transform keys made with a are augmented with b.
		a, pa, _ := r.GenerateKeyPair()
		b, pb, _ := r.GenerateKeyPair()
		pub, err := pa.Augment(pb)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := ComputePublicKey(a.AugmentPlus(b)); !want.Equal(pub) {
			t.Fatal("[a]G + [b]G != [a+b]G")
		}
		device, devicePub, _ := r.GenerateKeyPair()
		ev, _ := r.Encrypt(pt, pub, signer)
		decryptsTo(t, ev, a.AugmentPlus(b))
		tk, _ := r.GenerateTransformKey(a, devicePub, signer)
		tk, err = tk.Augment(b)
		if err != nil {
			t.Fatal(err)
		}
		ev1, err := r.Transform(ev, tk, signer)
		if err != nil {
			t.Fatal(err)
		}
		decryptsTo(t, ev1, device)

		// Without augmentation the transform succeeds but decryption fails.
		tk2, _ := r.GenerateTransformKey(a, devicePub, signer)
		ev2, _ := r.Transform(ev, tk2, signer)
		if _, err := Decrypt(ev2, device); !errors.Is(err, ErrDecryptFailed) {
			t.Fatalf("unaugmented key: err = %v, want ErrDecryptFailed", err)
		}

		// Schnorr: sign with a against the augmented key, verify with b.
		msg := []byte("device add")
		sig, err := r.SchnorrSign(a, pub, msg)
		if err != nil {
			t.Fatal(err)
		}
		if !VarTimeSchnorrVerify(pub, &b, msg, sig) {
			t.Fatal("augmented Schnorr signature does not verify")
		}
		if VarTimeSchnorrVerify(pub, nil, msg, sig) {
			t.Fatal("augmented Schnorr signature verifies without the augmenting key")
		}
	})

	t.Run("three_levels", func(t *testing.T) {
		// group → user → device → another device: three hops.
		var sks []PrivateKey
		var pks []PublicKey
		for i := 0; i < 4; i++ {
			sk, pk, _ := r.GenerateKeyPair()
			sks, pks = append(sks, sk), append(pks, pk)
		}
		ev, _ := r.Encrypt(pt, pks[0], signer)
		for i := 1; i < 4; i++ {
			tk, err := r.GenerateTransformKey(sks[i-1], pks[i], signer)
			if err != nil {
				t.Fatal(err)
			}
			if ev, err = r.Transform(ev, tk, signer); err != nil {
				t.Fatal(err)
			}
			if len(ev.TransformBlocks) != i {
				t.Fatalf("%d blocks after %d transforms", len(ev.TransformBlocks), i)
			}
			decryptsTo(t, ev, sks[i])
			if _, err := Decrypt(ev, sks[i-1]); !errors.Is(err, ErrDecryptFailed) {
				t.Fatalf("level %d decrypts with the previous key: %v", i, err)
			}
		}
	})
}
