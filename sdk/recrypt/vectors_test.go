package recrypt_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ro "github.com/ironcorelabs/loadgen/internal/recryptoracle"
	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// vectorFile is the schema "recrypt-vectors/1" written by
// internal/recryptoracle/js/gen-vectors.js (field meanings in its README).
type vectorFile struct {
	Schema   string `json:"schema"`
	KeyPairs []struct {
		PrivateKey ro.Bytes     `json:"privateKey"`
		PublicKey  ro.PublicKey `json:"publicKey"`
	} `json:"keyPairs"`
	ComputePublicKeyEdges []struct {
		Label      string        `json:"label"`
		PrivateKey ro.Bytes      `json:"privateKey"`
		PublicKey  *ro.PublicKey `json:"publicKey"`
		Error      string        `json:"error"`
	} `json:"computePublicKeyEdges"`
	Hash256 []struct {
		Bytes ro.Bytes `json:"bytes"`
		Hash  ro.Bytes `json:"hash"`
	} `json:"hash256"`
	SymmetricKeys []struct {
		Plaintext                  ro.Bytes     `json:"plaintext"`
		SymmetricKey               ro.Bytes     `json:"symmetricKey"`
		DerivedPrivateKeyPublicKey ro.PublicKey `json:"derivedPrivateKeyPublicKey"`
	} `json:"symmetricKeys"`
	Ed25519 []struct {
		PrivateKey              ro.Bytes `json:"privateKey"`
		PublicKey               ro.Bytes `json:"publicKey"`
		Message                 ro.Bytes `json:"message"`
		Signature               ro.Bytes `json:"signature"`
		Verifies                bool     `json:"verifies"`
		TamperedMessage         ro.Bytes `json:"tamperedMessage"`
		TamperedMessageVerifies bool     `json:"tamperedMessageVerifies"`
	} `json:"ed25519"`
	Encrypt []struct {
		PrivateKey     ro.Bytes          `json:"privateKey"`
		PublicKey      ro.PublicKey      `json:"publicKey"`
		Plaintext      ro.Bytes          `json:"plaintext"`
		SymmetricKey   ro.Bytes          `json:"symmetricKey"`
		SigningKeypair ro.SigningKeypair `json:"signingKeypair"`
		EncryptedValue ro.EncryptedValue `json:"encryptedValue"`
	} `json:"encrypt"`
	TransformKeys []struct {
		FromPrivateKey        ro.Bytes          `json:"fromPrivateKey"`
		FromPublicKey         ro.PublicKey      `json:"fromPublicKey"`
		ToPrivateKey          ro.Bytes          `json:"toPrivateKey"`
		ToPublicKey           ro.PublicKey      `json:"toPublicKey"`
		SigningKeypair        ro.SigningKeypair `json:"signingKeypair"`
		TransformKey          ro.TransformKey   `json:"transformKey"`
		TransformKeyBytes     ro.Bytes          `json:"transformKeyBytes"`
		AugmentingPrivateKey  ro.Bytes          `json:"augmentingPrivateKey"`
		AugmentedTransformKey ro.TransformKey   `json:"augmentedTransformKey"`
	} `json:"transformKeys"`
	TransformSingleHop []hopVector `json:"transformSingleHop"`
	TransformTwoHop    []hopVector `json:"transformTwoHop"`
	DecryptFailures    []struct {
		Description    string            `json:"description"`
		EncryptedValue ro.EncryptedValue `json:"encryptedValue"`
		PrivateKey     ro.Bytes          `json:"privateKey"`
		Error          string            `json:"error"`
	} `json:"decryptFailures"`
	Schnorr []struct {
		PrivateKey              ro.Bytes     `json:"privateKey"`
		PublicKey               ro.PublicKey `json:"publicKey"`
		AugmentedPrivateKey     ro.Bytes     `json:"augmentedPrivateKey"`
		Message                 ro.Bytes     `json:"message"`
		Signature               ro.Bytes     `json:"signature"`
		Verifies                bool         `json:"verifies"`
		TamperedMessage         ro.Bytes     `json:"tamperedMessage"`
		TamperedMessageVerifies bool         `json:"tamperedMessageVerifies"`
	} `json:"schnorr"`
	PrivateKeyArithmetic []struct {
		Label       string   `json:"label"`
		PrivateKeyA ro.Bytes `json:"privateKeyA"`
		PrivateKeyB ro.Bytes `json:"privateKeyB"`
		Sum         ro.Bytes `json:"sum"`
		Difference  ro.Bytes `json:"difference"`
	} `json:"privateKeyArithmetic"`
	PublicKeyAddition []struct {
		PrivateKeyA           ro.Bytes     `json:"privateKeyA"`
		PublicKeyA            ro.PublicKey `json:"publicKeyA"`
		PrivateKeyB           ro.Bytes     `json:"privateKeyB"`
		PublicKeyB            ro.PublicKey `json:"publicKeyB"`
		Sum                   ro.PublicKey `json:"sum"`
		PublicKeyOfPrivateSum ro.PublicKey `json:"publicKeyOfPrivateSum"`
	} `json:"publicKeyAddition"`
}

type hopVector struct {
	Plaintext             ro.Bytes          `json:"plaintext"`
	SymmetricKey          ro.Bytes          `json:"symmetricKey"`
	StartPrivateKey       ro.Bytes          `json:"startPrivateKey"`
	StartPublicKey        ro.PublicKey      `json:"startPublicKey"`
	EncryptSigningKeypair ro.SigningKeypair `json:"encryptSigningKeypair"`
	EncryptedValue        ro.EncryptedValue `json:"encryptedValue"`
	Hops                  []struct {
		ToPrivateKey               ro.Bytes          `json:"toPrivateKey"`
		ToPublicKey                ro.PublicKey      `json:"toPublicKey"`
		TransformKeySigningKeypair ro.SigningKeypair `json:"transformKeySigningKeypair"`
		TransformKey               ro.TransformKey   `json:"transformKey"`
		TransformSigningKeypair    ro.SigningKeypair `json:"transformSigningKeypair"`
		EncryptedValue             ro.EncryptedValue `json:"encryptedValue"`
	} `json:"hops"`
	FinalPrivateKey   ro.Bytes `json:"finalPrivateKey"`
	ExpectedPlaintext ro.Bytes `json:"expectedPlaintext"`
}

// vectorChecker counts checks and failures per kind.
type vectorChecker struct {
	t              *testing.T
	checked, fails int
	perKind        map[string]int
}

func (c *vectorChecker) check(kind string, i int, err error) {
	c.checked++
	c.perKind[kind]++
	if err != nil {
		c.fails++
		c.t.Errorf("%s[%d]: %v", kind, i, err)
	}
}

// privKey decodes a 32-byte private key or fails the test.
func privKey(t testing.TB, b []byte) recrypt.PrivateKey {
	t.Helper()
	k, err := recrypt.NewPrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pkEqual(got recrypt.PublicKey, want ro.PublicKey) error {
	x, y := got.X(), got.Y()
	if !bytes.Equal(x[:], want.X) || !bytes.Equal(y[:], want.Y) {
		return fmt.Errorf("public key %x%x, want %x%x", x, y, []byte(want.X), []byte(want.Y))
	}
	return nil
}

func decryptTo(ev ro.EncryptedValue, sk []byte, want []byte) error {
	v, err := ev.Recrypt()
	if err != nil {
		return err
	}
	k, err := recrypt.NewPrivateKey(sk)
	if err != nil {
		return err
	}
	pt, err := recrypt.Decrypt(v, k)
	if err != nil {
		return err
	}
	if b := pt.Bytes(); !bytes.Equal(b[:], want) {
		return errors.New("wrong plaintext")
	}
	return nil
}

// TestVectors checks every case of testdata/recrypt-public.json (made by
// the real recrypt-rs through internal/recryptoracle/js/gen-vectors.js), and
// of the file named by $RECRYPT_VECTORS if set.
func TestVectors(t *testing.T) {
	files := []string{filepath.Join("testdata", "recrypt-public.json")}
	if f := os.Getenv("RECRYPT_VECTORS"); f != "" {
		files = append(files, f)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) { checkVectorFile(t, name) })
	}
}

func checkVectorFile(t *testing.T, name string) {
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(raw, &vf); err != nil {
		t.Fatal(err)
	}
	if vf.Schema != "recrypt-vectors/1" {
		t.Fatalf("schema %q, want recrypt-vectors/1", vf.Schema)
	}
	// Every top-level array must be a kind this test knows.
	var top map[string]json.RawMessage
	json.Unmarshal(raw, &top)
	known := "keyPairs computePublicKeyEdges hash256 symmetricKeys ed25519 encrypt transformKeys transformSingleHop transformTwoHop decryptFailures schnorr privateKeyArithmetic publicKeyAddition"
	for k, v := range top {
		if len(v) > 0 && v[0] == '[' && !strings.Contains(" "+known+" ", " "+k+" ") {
			t.Errorf("unknown vector kind %q is not checked", k)
		}
	}
	c := &vectorChecker{t: t, perKind: map[string]int{}}
	rr := recrypt.New(nil)

	for i, v := range vf.KeyPairs {
		c.check("keyPairs", i, func() error {
			pk, err := recrypt.ComputePublicKey(privKey(t, v.PrivateKey))
			if err != nil {
				return err
			}
			return pkEqual(pk, v.PublicKey)
		}())
	}
	for i, v := range vf.ComputePublicKeyEdges {
		c.check("computePublicKeyEdges", i, func() error {
			pk, err := recrypt.ComputePublicKey(privKey(t, v.PrivateKey))
			if v.Error != "" {
				if !errors.Is(err, recrypt.ErrInvalidPublicKey) || !errors.Is(err, recrypt.ErrZeroPoint) {
					return fmt.Errorf("%s: err = %v, want recrypt.ErrInvalidPublicKey(ZeroPoint)", v.Label, err)
				}
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", v.Label, err)
			}
			return pkEqual(pk, *v.PublicKey)
		}())
	}
	for i, v := range vf.Hash256 {
		c.check("hash256", i, func() error {
			if h := sha256.Sum256(v.Bytes); !bytes.Equal(h[:], v.Hash) {
				return errors.New("hash differs")
			}
			return nil
		}())
	}
	for i, v := range vf.SymmetricKeys {
		c.check("symmetricKeys", i, func() error {
			pt, err := recrypt.NewPlaintext(v.Plaintext)
			if err != nil {
				return err
			}
			if k := recrypt.DeriveSymmetricKey(pt); !bytes.Equal(k[:], v.SymmetricKey) {
				return errors.New("symmetric key differs")
			}
			pk, err := recrypt.ComputePublicKey(recrypt.DerivePrivateKey(pt))
			if err != nil {
				return err
			}
			return pkEqual(pk, v.DerivedPrivateKeyPublicKey)
		}())
	}
	for i, v := range vf.Ed25519 {
		c.check("ed25519", i, func() error {
			kp, err := recrypt.NewSigningKeypair(v.PrivateKey)
			if err != nil {
				return err
			}
			if p := kp.PublicKey(); !bytes.Equal(p[:], v.PublicKey) {
				return errors.New("public key differs")
			}
			if s := kp.Sign(v.Message); !bytes.Equal(s[:], v.Signature) {
				return errors.New("signature differs")
			}
			pub := kp.PublicKey()
			if pub.Verify(v.Message, v.Signature) != v.Verifies || pub.Verify(v.TamperedMessage, v.Signature) != v.TamperedMessageVerifies {
				return errors.New("verification result differs")
			}
			return nil
		}())
	}
	for i, v := range vf.Encrypt {
		c.check("encrypt", i, func() error {
			pk, err := recrypt.ComputePublicKey(privKey(t, v.PrivateKey))
			if err != nil {
				return err
			}
			if err := pkEqual(pk, v.PublicKey); err != nil {
				return err
			}
			pt, _ := recrypt.NewPlaintext(v.Plaintext)
			if k := recrypt.DeriveSymmetricKey(pt); !bytes.Equal(k[:], v.SymmetricKey) {
				return errors.New("symmetric key differs")
			}
			return decryptTo(v.EncryptedValue, v.PrivateKey, v.Plaintext)
		}())
	}
	for i, v := range vf.TransformKeys {
		c.check("transformKeys", i, func() error {
			tk, err := v.TransformKey.Recrypt()
			if err != nil {
				return err
			}
			if b := tk.Bytes(); !bytes.Equal(b[:], v.TransformKeyBytes) {
				return errors.New("transform key bytes differ")
			}
			aug, err := tk.Augment(privKey(t, v.AugmentingPrivateKey))
			if err != nil {
				return err
			}
			want, err := v.AugmentedTransformKey.Recrypt()
			if err != nil {
				return err
			}
			if aug != want {
				return errors.New("augmented transform key differs")
			}
			// The key carries values for fromPublicKey over to toPrivateKey.
			from, err := v.FromPublicKey.Recrypt()
			if err != nil {
				return err
			}
			signer, err := v.SigningKeypair.Recrypt()
			if err != nil {
				return err
			}
			pt, _ := rr.GeneratePlaintext()
			ev, err := rr.Encrypt(pt, from, signer)
			if err != nil {
				return err
			}
			ev, err = rr.Transform(ev, tk, signer)
			if err != nil {
				return err
			}
			b := pt.Bytes()
			return decryptTo(ro.FromEncryptedValue(ev), v.ToPrivateKey, b[:])
		}())
	}
	for kind, cases := range map[string][]hopVector{"transformSingleHop": vf.TransformSingleHop, "transformTwoHop": vf.TransformTwoHop} {
		for i, v := range cases {
			c.check(kind, i, func() error {
				if err := decryptTo(v.EncryptedValue, v.StartPrivateKey, v.Plaintext); err != nil {
					return fmt.Errorf("level 0: %w", err)
				}
				// Replay the hops with this package's Transform too.
				ours, err := v.EncryptedValue.Recrypt()
				if err != nil {
					return err
				}
				for h, hop := range v.Hops {
					if err := decryptTo(hop.EncryptedValue, hop.ToPrivateKey, v.Plaintext); err != nil {
						return fmt.Errorf("hop %d: %w", h, err)
					}
					tk, err := hop.TransformKey.Recrypt()
					if err != nil {
						return err
					}
					signer, err := hop.TransformSigningKeypair.Recrypt()
					if err != nil {
						return err
					}
					if ours, err = rr.Transform(ours, tk, signer); err != nil {
						return fmt.Errorf("hop %d, our transform: %w", h, err)
					}
					b := ro.FromEncryptedValue(ours)
					if err := decryptTo(b, hop.ToPrivateKey, v.Plaintext); err != nil {
						return fmt.Errorf("hop %d, our transform: %w", h, err)
					}
				}
				return decryptTo(v.Hops[len(v.Hops)-1].EncryptedValue, v.FinalPrivateKey, v.ExpectedPlaintext)
			}())
		}
	}
	for i, v := range vf.DecryptFailures {
		c.check("decryptFailures", i, func() error {
			var want error
			switch {
			case strings.Contains(v.Error, "decryption failed"):
				want = recrypt.ErrDecryptFailed
			case strings.Contains(v.Error, "signature"):
				want = recrypt.ErrInvalidEncryptedMessageSignature
			case strings.Contains(v.Error, "public key was not valid"):
				want = recrypt.ErrInvalidPublicKey
			default:
				return fmt.Errorf("unknown expected error %q", v.Error)
			}
			err := decryptTo(v.EncryptedValue, v.PrivateKey, nil)
			if !errors.Is(err, want) {
				return fmt.Errorf("%s: err = %v, want %v", v.Description, err, want)
			}
			return nil
		}())
	}
	for i, v := range vf.Schnorr {
		c.check("schnorr", i, func() error {
			pk, err := v.PublicKey.Recrypt()
			if err != nil {
				return err
			}
			var aug *recrypt.PrivateKey
			if v.AugmentedPrivateKey != nil {
				a := privKey(t, v.AugmentedPrivateKey)
				aug = &a
			}
			sig := recrypt.SchnorrSignature(v.Signature)
			if recrypt.VarTimeSchnorrVerify(pk, aug, v.Message, sig) != v.Verifies ||
				recrypt.VarTimeSchnorrVerify(pk, aug, v.TamperedMessage, sig) != v.TamperedMessageVerifies {
				return errors.New("verification result differs")
			}
			mine, err := rr.SchnorrSign(privKey(t, v.PrivateKey), pk, v.Message)
			if err != nil {
				return err
			}
			if !recrypt.VarTimeSchnorrVerify(pk, aug, v.Message, mine) {
				return errors.New("our signature does not verify")
			}
			return nil
		}())
	}
	for i, v := range vf.PrivateKeyArithmetic {
		c.check("privateKeyArithmetic", i, func() error {
			a, b := privKey(t, v.PrivateKeyA), privKey(t, v.PrivateKeyB)
			s, d := a.AugmentPlus(b).Bytes(), a.AugmentMinus(b).Bytes()
			if !bytes.Equal(s[:], v.Sum) || !bytes.Equal(d[:], v.Difference) {
				return fmt.Errorf("%s: sum or difference differs", v.Label)
			}
			return nil
		}())
	}
	for i, v := range vf.PublicKeyAddition {
		c.check("publicKeyAddition", i, func() error {
			a, err := v.PublicKeyA.Recrypt()
			if err != nil {
				return err
			}
			b, err := v.PublicKeyB.Recrypt()
			if err != nil {
				return err
			}
			sum, err := a.Augment(b)
			if err != nil {
				return err
			}
			if err := pkEqual(sum, v.Sum); err != nil {
				return err
			}
			ps, err := recrypt.ComputePublicKey(privKey(t, v.PrivateKeyA).AugmentPlus(privKey(t, v.PrivateKeyB)))
			if err != nil {
				return err
			}
			return pkEqual(ps, v.PublicKeyOfPrivateSum)
		}())
	}
	for _, k := range strings.Fields(known) {
		if n := len(top[k]); n > 2 && c.perKind[k] == 0 {
			t.Errorf("vector kind %s present but no case checked", k)
		}
	}
	fmt.Printf("recrypt vectors file: %s\n", name)
	fmt.Printf("recrypt vectors: %d checked, %d failed\n", c.checked, c.fails)
}
