package recrypt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

// TestBadInput checks that malformed input gives typed errors, not panics.
func TestBadInput(t *testing.T) {
	r := New(constReader(3))
	sk, pk, err := r.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	sk2, pk2, _ := New(constReader(4)).GenerateKeyPair()
	signer := goodSigningKeypair()
	pt, _ := r.GeneratePlaintext()
	ev, err := r.Encrypt(pt, pk, signer)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := r.GenerateTransformKey(sk, pk2, signer)
	if err != nil {
		t.Fatal(err)
	}
	offCurve := PublicKey{} // (0, 0) is not on y² = x³ + 3
	offCurve.x[31] = 1      // (1, 0) is not either

	var zero PrivateKey
	pBytes := mustHex("8fb501e34aa387f9aa6fecb86184dc21ee5b88d120b5b59e185cac6c5e089667")
	rBytes := mustHex("8fb501e34aa387f9aa6fecb86184dc212e8d8e12f82b39241a2ef45b57ac7261")

	tests := []struct {
		name string
		f    func() error
		want []error
	}{
		{"public key 63 bytes", func() error { _, err := NewPublicKeyFromBytes(make([]byte, 63)); return err }, []error{ErrDecodeFailure}},
		{"public key x 33 bytes", func() error { _, err := NewPublicKey(make([]byte, 33), make([]byte, 32)); return err }, []error{ErrDecodeFailure}},
		{"public key (0, 0)", func() error { _, err := NewPublicKeyFromBytes(make([]byte, 64)); return err }, []error{ErrInvalidPublicKey, ErrPointNotOnCurve}},
		{"public key off curve", func() error {
			b := pk.Bytes()
			b[63] ^= 1
			_, err := NewPublicKeyFromBytes(b[:])
			return err
		}, []error{ErrInvalidPublicKey, ErrPointNotOnCurve}},
		{"zero private key", func() error { _, err := ComputePublicKey(zero); return err }, []error{ErrInvalidPublicKey, ErrZeroPoint}},
		{"private key p", func() error { _, err := ComputePublicKey(privKey(t, pBytes)); return err }, []error{ErrInvalidPublicKey, ErrZeroPoint}},
		{"private key r", func() error { _, err := ComputePublicKey(privKey(t, rBytes)); return err }, []error{ErrInvalidPublicKey, ErrZeroPoint}},
		{"encrypt to zero-value key", func() error { _, err := r.Encrypt(pt, PublicKey{}, signer); return err }, []error{ErrInvalidPublicKey}},
		{"encrypt to off-curve key", func() error { _, err := r.Encrypt(pt, offCurve, signer); return err }, []error{ErrInvalidPublicKey}},
		{"decrypt with zero key", func() error { _, err := Decrypt(ev, zero); return err }, []error{ErrInvalidPublicKey, ErrZeroPoint}},
		{"decrypt with wrong key", func() error { _, err := Decrypt(ev, sk2); return err }, []error{ErrDecryptFailed}},
		{"tampered signature", func() error {
			e := ev.Clone()
			e.Signature[10] ^= 0x40
			_, err := Decrypt(e, sk)
			return err
		}, []error{ErrInvalidEncryptedMessageSignature}},
		{"tampered auth hash", func() error {
			e := ev.Clone()
			e.AuthHash[0] ^= 1
			_, err := Decrypt(e, sk)
			return err
		}, []error{ErrInvalidEncryptedMessageSignature}},
		{"tampered auth hash, re-signed", func() error {
			e := ev.Clone()
			e.AuthHash[0] ^= 1
			e.Signature = signer.Sign(e.signedMessage(e.PublicSigningKey))
			_, err := Decrypt(e, sk)
			return err
		}, []error{ErrDecryptFailed}},
		{"off-curve ephemeral key", func() error {
			e := ev.Clone()
			e.EphemeralPublicKey = offCurve
			e.Signature = signer.Sign(e.signedMessage(e.PublicSigningKey))
			_, err := Decrypt(e, sk)
			return err
		}, []error{ErrInvalidPublicKey}},
		{"transform with tampered key signature", func() error {
			k := tk
			k.Signature[0] ^= 1
			_, err := r.Transform(ev, k, signer)
			return err
		}, []error{ErrInvalidTransformKey}},
		{"transform with both signatures bad reports the value's", func() error {
			k := tk
			k.Signature[0] ^= 1
			e := ev.Clone()
			e.Signature[0] ^= 1
			_, err := r.Transform(e, k, signer)
			return err
		}, []error{ErrInvalidEncryptedMessageSignature}},
		{"transform with hashed temp key off the twist", func() error {
			k := tk
			k.HashedTempKey[127] ^= 1
			_, err := r.Transform(ev, k, signer)
			return err
		}, []error{ErrInvalidTransformKey}},
		{"augment with hashed temp key off the twist", func() error {
			k := tk
			k.HashedTempKey[0] ^= 1
			_, err := k.Augment(sk)
			return err
		}, []error{ErrDecodeFailure}},
		{"hashed value off the twist", func() error { _, err := NewHashedValue(make([]byte, 128)); return err }, []error{ErrDecodeFailure}},
		{"public key sum is infinity", func() error {
			neg, _ := ComputePublicKey(zero.AugmentMinus(sk))
			_, err := pk.Augment(neg)
			return err
		}, []error{ErrInvalidPublicKey, ErrZeroPoint}},
		{"encrypted value binary, short", func() error { return new(EncryptedValue).UnmarshalBinary(make([]byte, 100)) }, []error{ErrDecodeFailure}},
		{"encrypted value binary, partial block", func() error { return new(EncryptedValue).UnmarshalBinary(make([]byte, 576+10)) }, []error{ErrDecodeFailure}},
		{"encrypted value JSON, short message", func() error {
			w := ev.JSON()
			w.EncryptedMessage = w.EncryptedMessage[:383]
			b, _ := json.Marshal(w)
			return new(EncryptedValue).UnmarshalJSON(b)
		}, []error{ErrDecodeFailure}},
		{"encrypted value JSON, missing key", func() error { return json.Unmarshal([]byte(`{"encryptedMessage":""}`), new(EncryptedValue)) }, []error{ErrInvalidPublicKey}},
		{"transform key binary, wrong length", func() error { return new(TransformKey).UnmarshalBinary(make([]byte, 735)) }, []error{ErrDecodeFailure}},
		{"transform key JSON, bad hashed temp key", func() error {
			w := tk.JSON()
			w.HashedTempKey = make([]byte, 128)
			b, _ := json.Marshal(w)
			return json.Unmarshal(b, new(TransformKey))
		}, []error{ErrDecodeFailure}},
		{"signing key pair with wrong public half", func() error {
			b := signer.Bytes()
			b[40] ^= 1
			_, err := NewSigningKeypair(b[:])
			return err
		}, []error{ErrInvalidSigningKeypair}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("err = %v, want %v", err, w)
				}
			}
			if msg := err.Error(); len(msg) < 8 || msg[:8] != "recrypt:" {
				t.Errorf("error %q does not start with recrypt:", msg)
			}
			skb := sk.Bytes()
			if bytes.Contains([]byte(err.Error()), []byte(fmt.Sprintf("%x", skb[:4]))) {
				t.Errorf("error %q contains private key material", err)
			}
		})
	}
	// Schnorr verification of garbage is false, not a panic.
	if VarTimeSchnorrVerify(offCurve, nil, []byte("m"), SchnorrSignature{}) || VarTimeSchnorrVerify(pk, nil, []byte("m"), SchnorrSignature{}) {
		t.Error("garbage Schnorr signature verified")
	}
	// Secrets never print.
	for _, s := range []string{fmt.Sprint(sk), fmt.Sprintf("%v %+v %#v %x %s", sk, sk, sk, sk, sk), fmt.Sprintf("%x", pt)} {
		skb := sk.Bytes()
		ptb := pt.Bytes()
		if bytes.Contains([]byte(s), []byte(fmt.Sprintf("%x", skb[:4]))) || bytes.Contains([]byte(s), []byte(fmt.Sprintf("%x", ptb[:4]))) {
			t.Errorf("secret printed: %s", s)
		}
	}
}

// TestEncodingRoundTrips checks the JSON and binary forms.
func TestEncodingRoundTrips(t *testing.T) {
	r := New(constReader(5))
	sk, pk, _ := r.GenerateKeyPair()
	_, pk2, _ := New(constReader(6)).GenerateKeyPair()
	signer := goodSigningKeypair()
	pt, _ := r.GeneratePlaintext()
	ev, _ := r.Encrypt(pt, pk, signer)
	tk, _ := r.GenerateTransformKey(sk, pk2, signer)
	ev1, err := r.Transform(ev, tk, signer)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []EncryptedValue{ev, ev1} {
		b, _ := v.MarshalBinary()
		var got EncryptedValue
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		b2, _ := got.MarshalBinary()
		if !bytes.Equal(b, b2) {
			t.Error("binary round trip differs")
		}
		j, _ := json.Marshal(v)
		var gotJ EncryptedValue
		if err := json.Unmarshal(j, &gotJ); err != nil {
			t.Fatal(err)
		}
		j2, _ := json.Marshal(gotJ)
		if !bytes.Equal(j, j2) {
			t.Error("JSON round trip differs")
		}
	}
	j, _ := json.Marshal(tk)
	var tk2 TransformKey
	if err := json.Unmarshal(j, &tk2); err != nil || tk2 != tk {
		t.Errorf("transform key JSON round trip: %v", err)
	}
	b, _ := tk.MarshalBinary()
	var tk3 TransformKey
	if err := tk3.UnmarshalBinary(b); err != nil || tk3 != tk {
		t.Errorf("transform key binary round trip: %v", err)
	}
	// The JSON field names are IronCore's.
	var m map[string]json.RawMessage
	j, _ = json.Marshal(ev1)
	json.Unmarshal(j, &m)
	for _, k := range []string{"encryptedMessage", "ephemeralPublicKey", "signature", "authHash", "publicSigningKey", "transformBlocks"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	j, _ = json.Marshal(ev)
	if bytes.Contains(j, []byte("transformBlocks")) {
		t.Error("an encrypted-once value has transformBlocks in JSON")
	}
}
