package recrypt

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
)

// vectorFile is the schema "recrypt-vectors/1" written by
// shared/oracle/recrypt/gen-vectors.js (field meanings in its README).
type vectorFile struct {
	Schema   string `json:"schema"`
	KeyPairs []struct {
		PrivateKey hexBytes     `json:"privateKey"`
		PublicKey  hexPublicKey `json:"publicKey"`
	} `json:"keyPairs"`
	ComputePublicKeyEdges []struct {
		Label      string        `json:"label"`
		PrivateKey hexBytes      `json:"privateKey"`
		PublicKey  *hexPublicKey `json:"publicKey"`
		Error      string        `json:"error"`
	} `json:"computePublicKeyEdges"`
	Hash256 []struct {
		Bytes hexBytes `json:"bytes"`
		Hash  hexBytes `json:"hash"`
	} `json:"hash256"`
	SymmetricKeys []struct {
		Plaintext                  hexBytes     `json:"plaintext"`
		SymmetricKey               hexBytes     `json:"symmetricKey"`
		DerivedPrivateKeyPublicKey hexPublicKey `json:"derivedPrivateKeyPublicKey"`
	} `json:"symmetricKeys"`
	Ed25519 []struct {
		PrivateKey              hexBytes `json:"privateKey"`
		PublicKey               hexBytes `json:"publicKey"`
		Message                 hexBytes `json:"message"`
		Signature               hexBytes `json:"signature"`
		Verifies                bool     `json:"verifies"`
		TamperedMessage         hexBytes `json:"tamperedMessage"`
		TamperedMessageVerifies bool     `json:"tamperedMessageVerifies"`
	} `json:"ed25519"`
	Encrypt []struct {
		PrivateKey     hexBytes          `json:"privateKey"`
		PublicKey      hexPublicKey      `json:"publicKey"`
		Plaintext      hexBytes          `json:"plaintext"`
		SymmetricKey   hexBytes          `json:"symmetricKey"`
		SigningKeypair hexSigningKeypair `json:"signingKeypair"`
		EncryptedValue hexEncryptedValue `json:"encryptedValue"`
	} `json:"encrypt"`
	TransformKeys []struct {
		FromPrivateKey        hexBytes          `json:"fromPrivateKey"`
		FromPublicKey         hexPublicKey      `json:"fromPublicKey"`
		ToPrivateKey          hexBytes          `json:"toPrivateKey"`
		ToPublicKey           hexPublicKey      `json:"toPublicKey"`
		SigningKeypair        hexSigningKeypair `json:"signingKeypair"`
		TransformKey          hexTransformKey   `json:"transformKey"`
		TransformKeyBytes     hexBytes          `json:"transformKeyBytes"`
		AugmentingPrivateKey  hexBytes          `json:"augmentingPrivateKey"`
		AugmentedTransformKey hexTransformKey   `json:"augmentedTransformKey"`
	} `json:"transformKeys"`
	TransformSingleHop []hopVector `json:"transformSingleHop"`
	TransformTwoHop    []hopVector `json:"transformTwoHop"`
	DecryptFailures    []struct {
		Description    string            `json:"description"`
		EncryptedValue hexEncryptedValue `json:"encryptedValue"`
		PrivateKey     hexBytes          `json:"privateKey"`
		Error          string            `json:"error"`
	} `json:"decryptFailures"`
	Schnorr []struct {
		PrivateKey              hexBytes     `json:"privateKey"`
		PublicKey               hexPublicKey `json:"publicKey"`
		AugmentedPrivateKey     hexBytes     `json:"augmentedPrivateKey"`
		Message                 hexBytes     `json:"message"`
		Signature               hexBytes     `json:"signature"`
		Verifies                bool         `json:"verifies"`
		TamperedMessage         hexBytes     `json:"tamperedMessage"`
		TamperedMessageVerifies bool         `json:"tamperedMessageVerifies"`
	} `json:"schnorr"`
	PrivateKeyArithmetic []struct {
		Label       string   `json:"label"`
		PrivateKeyA hexBytes `json:"privateKeyA"`
		PrivateKeyB hexBytes `json:"privateKeyB"`
		Sum         hexBytes `json:"sum"`
		Difference  hexBytes `json:"difference"`
	} `json:"privateKeyArithmetic"`
	PublicKeyAddition []struct {
		PrivateKeyA           hexBytes     `json:"privateKeyA"`
		PublicKeyA            hexPublicKey `json:"publicKeyA"`
		PrivateKeyB           hexBytes     `json:"privateKeyB"`
		PublicKeyB            hexPublicKey `json:"publicKeyB"`
		Sum                   hexPublicKey `json:"sum"`
		PublicKeyOfPrivateSum hexPublicKey `json:"publicKeyOfPrivateSum"`
	} `json:"publicKeyAddition"`
}

type hopVector struct {
	Plaintext             hexBytes          `json:"plaintext"`
	SymmetricKey          hexBytes          `json:"symmetricKey"`
	StartPrivateKey       hexBytes          `json:"startPrivateKey"`
	StartPublicKey        hexPublicKey      `json:"startPublicKey"`
	EncryptSigningKeypair hexSigningKeypair `json:"encryptSigningKeypair"`
	EncryptedValue        hexEncryptedValue `json:"encryptedValue"`
	Hops                  []struct {
		ToPrivateKey               hexBytes          `json:"toPrivateKey"`
		ToPublicKey                hexPublicKey      `json:"toPublicKey"`
		TransformKeySigningKeypair hexSigningKeypair `json:"transformKeySigningKeypair"`
		TransformKey               hexTransformKey   `json:"transformKey"`
		TransformSigningKeypair    hexSigningKeypair `json:"transformSigningKeypair"`
		EncryptedValue             hexEncryptedValue `json:"encryptedValue"`
	} `json:"hops"`
	FinalPrivateKey   hexBytes `json:"finalPrivateKey"`
	ExpectedPlaintext hexBytes `json:"expectedPlaintext"`
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

func pkEqual(got PublicKey, want hexPublicKey) error {
	x, y := got.X(), got.Y()
	if !bytes.Equal(x[:], want.X) || !bytes.Equal(y[:], want.Y) {
		return fmt.Errorf("public key %x%x, want %x%x", x, y, []byte(want.X), []byte(want.Y))
	}
	return nil
}

func decryptTo(ev hexEncryptedValue, sk []byte, want []byte) error {
	v, err := ev.value()
	if err != nil {
		return err
	}
	k, err := NewPrivateKey(sk)
	if err != nil {
		return err
	}
	pt, err := Decrypt(v, k)
	if err != nil {
		return err
	}
	if b := pt.Bytes(); !bytes.Equal(b[:], want) {
		return errors.New("wrong plaintext")
	}
	return nil
}

// TestVectors checks every case of shared/vectors/recrypt-public.json, and of
// the file named by $RECRYPT_VECTORS if set.
func TestVectors(t *testing.T) {
	var files []string
	if shared, err := sharedDir(); err == nil {
		files = append(files, filepath.Join(shared, "vectors", "recrypt-public.json"))
	} else {
		t.Logf("!!! shared/ not found next to the repository (%v): public vectors NOT checked", err)
	}
	if f := os.Getenv("RECRYPT_VECTORS"); f != "" {
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Skip("!!! SKIPPING recrypt vectors: no shared/ directory and RECRYPT_VECTORS unset")
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
	rr := New(nil)

	for i, v := range vf.KeyPairs {
		c.check("keyPairs", i, func() error {
			pk, err := ComputePublicKey(privKey(t, v.PrivateKey))
			if err != nil {
				return err
			}
			return pkEqual(pk, v.PublicKey)
		}())
	}
	for i, v := range vf.ComputePublicKeyEdges {
		c.check("computePublicKeyEdges", i, func() error {
			pk, err := ComputePublicKey(privKey(t, v.PrivateKey))
			if v.Error != "" {
				if !errors.Is(err, ErrInvalidPublicKey) || !errors.Is(err, ErrZeroPoint) {
					return fmt.Errorf("%s: err = %v, want ErrInvalidPublicKey(ZeroPoint)", v.Label, err)
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
			pt, err := NewPlaintext(v.Plaintext)
			if err != nil {
				return err
			}
			if k := DeriveSymmetricKey(pt); !bytes.Equal(k[:], v.SymmetricKey) {
				return errors.New("symmetric key differs")
			}
			pk, err := ComputePublicKey(DerivePrivateKey(pt))
			if err != nil {
				return err
			}
			return pkEqual(pk, v.DerivedPrivateKeyPublicKey)
		}())
	}
	for i, v := range vf.Ed25519 {
		c.check("ed25519", i, func() error {
			kp, err := NewSigningKeypair(v.PrivateKey)
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
			pk, err := ComputePublicKey(privKey(t, v.PrivateKey))
			if err != nil {
				return err
			}
			if err := pkEqual(pk, v.PublicKey); err != nil {
				return err
			}
			pt, _ := NewPlaintext(v.Plaintext)
			if k := DeriveSymmetricKey(pt); !bytes.Equal(k[:], v.SymmetricKey) {
				return errors.New("symmetric key differs")
			}
			return decryptTo(v.EncryptedValue, v.PrivateKey, v.Plaintext)
		}())
	}
	for i, v := range vf.TransformKeys {
		c.check("transformKeys", i, func() error {
			tk, err := v.TransformKey.key()
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
			want, err := v.AugmentedTransformKey.key()
			if err != nil {
				return err
			}
			if aug != want {
				return errors.New("augmented transform key differs")
			}
			// The key carries values for fromPublicKey over to toPrivateKey.
			from, err := v.FromPublicKey.key()
			if err != nil {
				return err
			}
			signer, err := v.SigningKeypair.keypair()
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
			return decryptTo(toHexEncryptedValue(ev), v.ToPrivateKey, b[:])
		}())
	}
	for kind, cases := range map[string][]hopVector{"transformSingleHop": vf.TransformSingleHop, "transformTwoHop": vf.TransformTwoHop} {
		for i, v := range cases {
			c.check(kind, i, func() error {
				if err := decryptTo(v.EncryptedValue, v.StartPrivateKey, v.Plaintext); err != nil {
					return fmt.Errorf("level 0: %w", err)
				}
				// Replay the hops with this package's Transform too.
				ours, err := v.EncryptedValue.value()
				if err != nil {
					return err
				}
				for h, hop := range v.Hops {
					if err := decryptTo(hop.EncryptedValue, hop.ToPrivateKey, v.Plaintext); err != nil {
						return fmt.Errorf("hop %d: %w", h, err)
					}
					tk, err := hop.TransformKey.key()
					if err != nil {
						return err
					}
					signer, err := hop.TransformSigningKeypair.keypair()
					if err != nil {
						return err
					}
					if ours, err = rr.Transform(ours, tk, signer); err != nil {
						return fmt.Errorf("hop %d, our transform: %w", h, err)
					}
					b := toHexEncryptedValue(ours)
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
				want = ErrDecryptFailed
			case strings.Contains(v.Error, "signature"):
				want = ErrInvalidEncryptedMessageSignature
			case strings.Contains(v.Error, "public key was not valid"):
				want = ErrInvalidPublicKey
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
			pk, err := v.PublicKey.key()
			if err != nil {
				return err
			}
			var aug *PrivateKey
			if v.AugmentedPrivateKey != nil {
				a := privKey(t, v.AugmentedPrivateKey)
				aug = &a
			}
			sig := SchnorrSignature(v.Signature)
			if VarTimeSchnorrVerify(pk, aug, v.Message, sig) != v.Verifies ||
				VarTimeSchnorrVerify(pk, aug, v.TamperedMessage, sig) != v.TamperedMessageVerifies {
				return errors.New("verification result differs")
			}
			mine, err := rr.SchnorrSign(privKey(t, v.PrivateKey), pk, v.Message)
			if err != nil {
				return err
			}
			if !VarTimeSchnorrVerify(pk, aug, v.Message, mine) {
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
			a, err := v.PublicKeyA.key()
			if err != nil {
				return err
			}
			b, err := v.PublicKeyB.key()
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
			ps, err := ComputePublicKey(privKey(t, v.PrivateKeyA).AugmentPlus(privKey(t, v.PrivateKeyB)))
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
