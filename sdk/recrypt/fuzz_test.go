package recrypt

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Fuzz targets for every decoder: none may panic, and what one accepts must
// re-encode to the canonical form of its input.

func fuzzSeeds(f *testing.F) (EncryptedValue, EncryptedValue, TransformKey) {
	r := New(constReader(9))
	sk, pk, _ := r.GenerateKeyPair()
	_, pk2, _ := New(constReader(10)).GenerateKeyPair()
	signer := goodSigningKeypair()
	pt, _ := r.GeneratePlaintext()
	ev, err := r.Encrypt(pt, pk, signer)
	if err != nil {
		f.Fatal(err)
	}
	tk, err := r.GenerateTransformKey(sk, pk2, signer)
	if err != nil {
		f.Fatal(err)
	}
	ev1, err := r.Transform(ev, tk, signer)
	if err != nil {
		f.Fatal(err)
	}
	return ev, ev1, tk
}

func FuzzPublicKey(f *testing.F) {
	_, pk, _ := New(constReader(1)).GenerateKeyPair()
	b := pk.Bytes()
	f.Add(b[:])
	f.Add(make([]byte, 64))
	f.Add(bytes.Repeat([]byte{0xff}, 64))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := NewPublicKeyFromBytes(in)
		if err != nil {
			return
		}
		out := k.Bytes()
		k2, err := NewPublicKeyFromBytes(out[:])
		if err != nil || k2 != k {
			t.Fatalf("accepted key does not round-trip: %v", err)
		}
		j, _ := json.Marshal(k)
		var k3 PublicKey
		if err := json.Unmarshal(j, &k3); err != nil || k3 != k {
			t.Fatalf("JSON round trip: %v", err)
		}
	})
}

func FuzzPrivateKey(f *testing.F) {
	f.Add(bytes.Repeat([]byte{0xff}, 32))
	f.Add(make([]byte, 32))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := NewPrivateKey(in)
		if err != nil {
			return
		}
		b := k.Bytes()
		k2, _ := NewPrivateKey(b[:])
		if !k2.Equal(k) {
			t.Fatal("private key not canonical")
		}
	})
}

func FuzzPlaintext(f *testing.F) {
	f.Add(bytes.Repeat([]byte{0xff}, 384))
	f.Fuzz(func(t *testing.T, in []byte) {
		pt, err := NewPlaintext(in)
		if err != nil {
			return
		}
		b := pt.Bytes()
		pt2, _ := NewPlaintext(b[:])
		if !pt2.Equal(pt) {
			t.Fatal("plaintext not canonical")
		}
	})
}

func FuzzHashedValue(f *testing.F) {
	_, _, tk := fuzzSeeds(f)
	f.Add(tk.HashedTempKey[:])
	f.Add(make([]byte, 128))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := NewHashedValue(in)
		if err != nil {
			return
		}
		if !bytes.Equal(h[:], in) {
			t.Fatal("hashed value changed its bytes")
		}
	})
}

func FuzzSigningKeypair(f *testing.F) {
	b := goodSigningKeypair().Bytes()
	f.Add(b[:])
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := NewSigningKeypair(in)
		if err != nil {
			return
		}
		if out := k.Bytes(); !bytes.Equal(out[:], in) {
			t.Fatal("signing key pair changed its bytes")
		}
	})
}

func FuzzEncryptedValue(f *testing.F) {
	ev, ev1, _ := fuzzSeeds(f)
	for _, v := range []EncryptedValue{ev, ev1} {
		b, _ := v.MarshalBinary()
		f.Add(b)
		j, _ := json.Marshal(v)
		f.Add(j)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v EncryptedValue
		if err := v.UnmarshalBinary(in); err == nil {
			out, _ := v.MarshalBinary()
			if !bytes.Equal(out, in) {
				t.Fatal("binary form does not round-trip")
			}
		}
		var w EncryptedValue
		if err := json.Unmarshal(in, &w); err == nil {
			j, _ := json.Marshal(w)
			var w2 EncryptedValue
			if err := json.Unmarshal(j, &w2); err != nil {
				t.Fatalf("re-encoded JSON rejected: %v", err)
			}
		}
	})
}

func FuzzTransformKey(f *testing.F) {
	_, _, tk := fuzzSeeds(f)
	b, _ := tk.MarshalBinary()
	f.Add(b)
	j, _ := json.Marshal(tk)
	f.Add(j)
	f.Fuzz(func(t *testing.T, in []byte) {
		var k TransformKey
		if err := k.UnmarshalBinary(in); err == nil {
			out, _ := k.MarshalBinary()
			if !bytes.Equal(out, in) {
				t.Fatal("binary form does not round-trip")
			}
		}
		var w TransformKey
		if err := json.Unmarshal(in, &w); err == nil {
			j, _ := json.Marshal(w)
			var w2 TransformKey
			if err := json.Unmarshal(j, &w2); err != nil || w2 != w {
				t.Fatalf("re-encoded JSON: %v", err)
			}
		}
	})
}

// FuzzDecrypt feeds mutated encrypted values, re-signed so that they pass
// the signature check and reach the pairings, to Decrypt and Transform:
// both must return a result or an error, never panic.
func FuzzDecrypt(f *testing.F) {
	ev, ev1, tk := fuzzSeeds(f)
	for _, v := range []EncryptedValue{ev, ev1} {
		b, _ := v.MarshalBinary()
		f.Add(b, uint16(0), byte(0))
		f.Add(b, uint16(70), byte(1))
	}
	sk, _, _ := New(constReader(9)).GenerateKeyPair()
	r := New(constReader(11))
	signer := goodSigningKeypair()
	f.Fuzz(func(t *testing.T, in []byte, pos uint16, flip byte) {
		var v EncryptedValue
		if err := v.UnmarshalBinary(in); err != nil {
			return
		}
		b, _ := v.MarshalBinary()
		b[int(pos)%len(b)] ^= flip
		if err := v.UnmarshalBinary(b); err != nil {
			return
		}
		v.PublicSigningKey = signer.PublicKey()
		v.Signature = signer.Sign(v.signedMessage(v.PublicSigningKey))
		if pt, err := Decrypt(v, sk); err == nil && len(v.TransformBlocks) == 0 && flip != 0 {
			// A changed message or auth hash must not decrypt.
			if int(pos)%len(b) >= 64 && int(pos)%len(b) < 480 {
				t.Fatalf("tampered value decrypted to %v", pt)
			}
		}
		r.Transform(v, tk, signer)
	})
}

// FuzzTransform feeds mutated transform keys, re-signed, to Transform and
// Augment.
func FuzzTransform(f *testing.F) {
	ev, _, tk := fuzzSeeds(f)
	b, _ := tk.MarshalBinary()
	f.Add(b, uint16(600), byte(1))
	f.Add(b, uint16(0), byte(0))
	r := New(constReader(12))
	signer := goodSigningKeypair()
	sk, _, _ := New(constReader(13)).GenerateKeyPair()
	f.Fuzz(func(t *testing.T, in []byte, pos uint16, flip byte) {
		if len(in) != transformKeyBinarySize {
			return
		}
		b := append([]byte(nil), in...)
		b[int(pos)%len(b)] ^= flip
		var k TransformKey
		if err := k.UnmarshalBinary(b); err != nil {
			return
		}
		k.PublicSigningKey = signer.PublicKey()
		k.Signature = signer.Sign(k.signedMessage())
		r.Transform(ev, k, signer)
		k.Augment(sk)
	})
}
