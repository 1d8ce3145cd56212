package recrypt_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	ro "github.com/ironcorelabs/loadgen/internal/recryptoracle"
	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// The live oracle is the real recrypt-rs (its WebAssembly build) behind
// internal/recryptoracle/js/oracle.js, one node process per test binary, driven by
// internal/recryptoracle. It needs the npm package installed
// (scripts/install-oracle.sh) and RECRYPT_WASM_BINDING_DIR or NODE_PATH
// pointing at it. Without it the oracle tests skip, unless
// RECRYPT_ORACLE_REQUIRED=1 (as in CI), when they fail.

// TestMain stops the oracle the tests of this binary started.
func TestMain(m *testing.M) {
	code := m.Run()
	ro.Shutdown()
	os.Exit(code)
}

func oracleCases(t *testing.T) int {
	if testing.Short() {
		return 20
	}
	return 200
}

// TestOracleGoToRecrypt: this package encrypts, makes transform keys,
// transforms and signs; recrypt decrypts, transforms and verifies.
func TestOracleGoToRecrypt(t *testing.T) {
	o := ro.Get(t)
	r := recrypt.New(nil)
	for i := 0; i < oracleCases(t); i++ {
		skA, pkA, err := r.GenerateKeyPair()
		if err != nil {
			t.Fatal(err)
		}
		skB, pkB, _ := r.GenerateKeyPair()
		signer, _ := r.GenerateEd25519KeyPair()
		pt, _ := r.GeneratePlaintext()
		ptb := pt.Bytes()

		var opk ro.PublicKey
		skAb := skA.Bytes()
		if err := o.Call("computePublicKey", map[string]any{"privateKey": ro.Bytes(skAb[:])}, &opk); err != nil {
			t.Fatal(err)
		}
		if err := pkEqual(pkA, opk); err != nil {
			t.Fatalf("case %d: computePublicKey: %v", i, err)
		}

		ev, err := r.Encrypt(pt, pkA, signer)
		if err != nil {
			t.Fatal(err)
		}
		var got ro.Bytes
		if err := o.Call("decrypt", map[string]any{"encryptedValue": ro.FromEncryptedValue(ev), "privateKey": ro.Bytes(skAb[:])}, &got); err != nil {
			t.Fatalf("case %d: recrypt decrypt of our encryption: %v", i, err)
		}
		if !bytes.Equal(got, ptb[:]) {
			t.Fatalf("case %d: recrypt decrypted our encryption to another plaintext", i)
		}

		tk, err := r.GenerateTransformKey(skA, pkB, signer)
		if err != nil {
			t.Fatal(err)
		}
		ev1, err := r.Transform(ev, tk, signer)
		if err != nil {
			t.Fatal(err)
		}
		skBb := skB.Bytes()
		if err := o.Call("decrypt", map[string]any{"encryptedValue": ro.FromEncryptedValue(ev1), "privateKey": ro.Bytes(skBb[:])}, &got); err != nil {
			t.Fatalf("case %d: recrypt decrypt of our transform: %v", i, err)
		}
		if !bytes.Equal(got, ptb[:]) {
			t.Fatalf("case %d: recrypt decrypted our transform to another plaintext", i)
		}

		var oev ro.EncryptedValue
		if err := o.Call("transform", map[string]any{"encryptedValue": ro.FromEncryptedValue(ev), "transformKey": ro.FromTransformKey(tk), "signingKeypair": ro.FromSigningKeypair(signer)}, &oev); err != nil {
			t.Fatalf("case %d: recrypt transform with our key: %v", i, err)
		}
		if err := o.Call("decrypt", map[string]any{"encryptedValue": oev, "privateKey": ro.Bytes(skBb[:])}, &got); err != nil || !bytes.Equal(got, ptb[:]) {
			t.Fatalf("case %d: recrypt transform with our key did not decrypt: %v", i, err)
		}

		msg := []byte(fmt.Sprintf("message %d", i))
		sig, err := r.SchnorrSign(skA, pkA, msg)
		if err != nil {
			t.Fatal(err)
		}
		var ok bool
		if err := o.Call("schnorrVerify", map[string]any{"publicKey": ro.FromPublicKey(pkA), "message": ro.Bytes(msg), "signature": ro.Bytes(sig[:])}, &ok); err != nil || !ok {
			t.Fatalf("case %d: recrypt rejected our Schnorr signature: %v", i, err)
		}
	}
}

// TestOracleRecryptToGo: recrypt encrypts, makes transform keys, transforms
// and signs; this package transforms, decrypts and verifies.
func TestOracleRecryptToGo(t *testing.T) {
	o := ro.Get(t)
	r := recrypt.New(nil)
	for i := 0; i < oracleCases(t); i++ {
		var a, b struct {
			PrivateKey ro.Bytes     `json:"privateKey"`
			PublicKey  ro.PublicKey `json:"publicKey"`
		}
		if err := o.Call("generateKeyPair", nil, &a); err != nil {
			t.Fatal(err)
		}
		if err := o.Call("generateKeyPair", nil, &b); err != nil {
			t.Fatal(err)
		}
		var signer ro.SigningKeypair
		if err := o.Call("generateEd25519KeyPair", nil, &signer); err != nil {
			t.Fatal(err)
		}
		var ptHex ro.Bytes
		if err := o.Call("generatePlaintext", nil, &ptHex); err != nil {
			t.Fatal(err)
		}
		var oev ro.EncryptedValue
		if err := o.Call("encrypt", map[string]any{"plaintext": ptHex, "toPublicKey": a.PublicKey, "signingKeypair": signer}, &oev); err != nil {
			t.Fatal(err)
		}
		if err := decryptTo(oev, a.PrivateKey, ptHex); err != nil {
			t.Fatalf("case %d: decrypting recrypt's encryption: %v", i, err)
		}
		var otk ro.TransformKey
		if err := o.Call("generateTransformKey", map[string]any{"fromPrivateKey": a.PrivateKey, "toPublicKey": b.PublicKey, "signingKeypair": signer}, &otk); err != nil {
			t.Fatal(err)
		}
		tk, err := otk.Recrypt()
		if err != nil {
			t.Fatal(err)
		}
		ev, err := oev.Recrypt()
		if err != nil {
			t.Fatal(err)
		}
		sk, err := r.GenerateEd25519KeyPair()
		if err != nil {
			t.Fatal(err)
		}
		ev1, err := r.Transform(ev, tk, sk)
		if err != nil {
			t.Fatalf("case %d: transforming with recrypt's key: %v", i, err)
		}
		if err := decryptTo(ro.FromEncryptedValue(ev1), b.PrivateKey, ptHex); err != nil {
			t.Fatalf("case %d: decrypting our transform with recrypt's key: %v", i, err)
		}
		// recrypt transforms; this package decrypts, then adds a second hop.
		var oev1 ro.EncryptedValue
		if err := o.Call("transform", map[string]any{"encryptedValue": oev, "transformKey": otk, "signingKeypair": signer}, &oev1); err != nil {
			t.Fatal(err)
		}
		if err := decryptTo(oev1, b.PrivateKey, ptHex); err != nil {
			t.Fatalf("case %d: decrypting recrypt's transform: %v", i, err)
		}
		msg := []byte(fmt.Sprintf("message %d", i))
		var sig ro.Bytes
		if err := o.Call("schnorrSign", map[string]any{"privateKey": a.PrivateKey, "publicKey": a.PublicKey, "message": ro.Bytes(msg)}, &sig); err != nil {
			t.Fatal(err)
		}
		pk, _ := a.PublicKey.Recrypt()
		if !recrypt.VarTimeSchnorrVerify(pk, nil, msg, recrypt.SchnorrSignature(sig)) {
			t.Fatalf("case %d: rejected recrypt's Schnorr signature", i)
		}
	}
}
