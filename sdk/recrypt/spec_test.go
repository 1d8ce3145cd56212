package recrypt

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"testing"

	"golang.org/x/crypto/chacha20"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// specVectors are the known answers of recrypt-rs's own tests, extracted from
// shared/spec/recrypt.md §8 (recrypt-rs commit 180e2df) and its Appendix A,
// into testdata/spec-vectors.json.
func specVectors(t testing.TB) map[string][]byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/spec-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors map[string]string `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]byte, len(f.Vectors))
	for k, v := range f.Vectors {
		b, err := hex.DecodeString(v)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		out[k] = b
	}
	return out
}

func privKey(t testing.TB, b []byte) PrivateKey {
	t.Helper()
	k, err := NewPrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustPub(t testing.TB, sk PrivateKey) PublicKey {
	t.Helper()
	pk, err := ComputePublicKey(sk)
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// goodSigningKeypair is recrypt-rs's test helper good_signing_keypair: seed of
// 32 bytes 0x01.
func goodSigningKeypair() SigningKeypair {
	return NewSigningKeypairFromSeed(bytes.Repeat([]byte{1}, 32))
}

// createFromT is recrypt's Fp12 create_from_t over small integers, in
// encoding order.
func createFromT(vals ...int64) field.E12 {
	var b [384]byte
	for i, v := range vals {
		big.NewInt(v).FillBytes(b[32*i : 32*i+32])
	}
	var e field.E12
	e.SetBytes(b[:])
	return e
}

func rthRoot(vals ...int64) field.E12 {
	e := createFromT(vals...)
	e.FinalExp(&e)
	return e
}

func eqHex(t testing.TB, name string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s =\n%x\nwant\n%x", name, got, want)
	}
}

// constReader returns the same byte forever.
type constReader byte

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

// TestSpecKeys covers spec §8.1: generator_times_2 / test_compute_public_key,
// test_generate_key_pair_max_private_key, test_handle_zero_point,
// private_key_augment_plus/minus, and the InputWrongSize tests of §8.8.
func TestSpecKeys(t *testing.T) {
	sk := privKey(t, mustHex("5385926b9f6135086d1912901e5a433ffcebc19a30fadbd0ee8cee26ba719c90"))
	pk := mustPub(t, sk)
	pkb := pk.Bytes()
	eqHex(t, "public key", pkb[:], mustHex("7ca481d71abbae43395152eb7baa230d60543d43e2e8f89a18d182ecf8c3b8f5671f653900901fc3688542e5939ba6c064a7768f34fe45492a49e1f6d4d7c40a"))

	sk, pk, err := New(constReader(0xff)).GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	skb, pkb := sk.Bytes(), pk.Bytes()
	eqHex(t, "max private key", skb[:], mustHex("704afe1cb55c7806559013479e7b23de11a4772edf4a4a61e7a35393a1f76998"))
	eqHex(t, "max public key", pkb[:], mustHex("814c8e65863238dbd86f9fbdbe8f166e536140343b7f3c22e79c82b8af70892e578f72028091b2efa1c946c4caf9e883c9e8d3311e23050f560672795a7dc3b9"))

	if _, _, err := New(constReader(0)).GenerateKeyPair(); !errors.Is(err, ErrZeroPoint) || !errors.Is(err, ErrInvalidPublicKey) {
		t.Errorf("zero key: err = %v, want ErrInvalidPublicKey(ErrZeroPoint)", err)
	}

	one := privKey(t, mustHex("0000000000000000000000000000000000000000000000000000000000000001"))
	two := privKey(t, mustHex("0000000000000000000000000000000000000000000000000000000000000002"))
	sum, diff := one.AugmentPlus(two).Bytes(), one.AugmentMinus(two).Bytes()
	eqHex(t, "augment_plus", sum[:], mustHex("0000000000000000000000000000000000000000000000000000000000000003"))
	eqHex(t, "augment_minus", diff[:], mustHex("8fb501e34aa387f9aa6fecb86184dc212e8d8e12f82b39241a2ef45b57ac7260"))

	sizeTests := []struct {
		name string
		f    func() error
		typ  string
		want int
	}{
		{"PrivateKey", func() error { _, err := NewPrivateKey(make([]byte, 31)); return err }, "PrivateKey", 32},
		{"PublicKey", func() error { _, err := NewPublicKeyFromBytes(make([]byte, 63)); return err }, "PublicKey", 64},
		{"Plaintext", func() error { _, err := NewPlaintext(make([]byte, 383)); return err }, "Plaintext", 384},
		{"SigningKeypair", func() error { _, err := NewSigningKeypair(make([]byte, 63)); return err }, "SigningKeypair", 64},
		{"HashedValue", func() error { _, err := NewHashedValue(make([]byte, 127)); return err }, "HashedValue", 128},
	}
	for _, tt := range sizeTests {
		var se *SizeError
		if err := tt.f(); !errors.As(err, &se) || se.Type != tt.typ || se.Want != tt.want {
			t.Errorf("%s: err = %v, want SizeError(%s, %d)", tt.name, err, tt.typ, tt.want)
		}
	}
}

// TestSpecSymmetricKeys covers spec §8.3.
func TestSpecSymmetricKeys(t *testing.T) {
	v := specVectors(t)
	pt, err := NewPlaintext(v["symKeyPlaintext"])
	if err != nil {
		t.Fatal(err)
	}
	k := DeriveSymmetricKey(pt)
	eqHex(t, "derive_symmetric_key", k[:], v["symKey"])

	pt2, _ := NewPlaintext(v["symKey2Plaintext"])
	k2 := DeriveSymmetricKey(pt2)
	eqHex(t, "derive_symmetric_key 2", k2[:], v["symKey2"])
	dk := DerivePrivateKey(pt2).Bytes()
	eqHex(t, "derive_private_key 2", dk[:], v["derivedPrivateKey2"])
	if bytes.Equal(dk[:], k2[:]) {
		t.Error("derived private key equals the symmetric key although the hash exceeds p")
	}
	// plaintexts_not_equal: flipping a nibble changes the key.
	b := pt.Bytes()
	b[0] ^= 0x10
	pt3, _ := NewPlaintext(b[:])
	if pt3.Equal(pt) || DeriveSymmetricKey(pt3) == k {
		t.Error("a changed plaintext gives the same key")
	}
}

// TestSpecTransformKey is create_transform_key_known_value, spec §8.4.
func TestSpecTransformKey(t *testing.T) {
	v := specVectors(t)
	from := privKey(t, v["tkFromPrivate"])
	to, err := NewPublicKey(v["tkToX"], v["tkToY"])
	if err != nil {
		t.Fatal(err)
	}
	var k field.E12
	k.SetBytes(v["tkK"])
	h := hash2(&k)
	henc, _ := h.Bytes()
	eqHex(t, "hash2(K)", henc[:], v["tkHash2K"])

	re := [32]byte(v["tkReSk"])
	tk, err := generateTransformKeyWith(from, to, goodSigningKeypair(), &re, &k)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "encrypted_k", tk.EncryptedTempKey[:], v["tkEncryptedK"])
	eqHex(t, "hashed_k", tk.HashedTempKey[:], v["tkHashedKAffine"])
	eph := tk.EphemeralPublicKey.Bytes()
	eqHex(t, "re_public_key", eph[:], v["tkRePublic"])
	// generate_reencryption_key_sig_not_over_hashedk.
	tk2 := tk
	tk2.HashedTempKey[5] ^= 1
	if !bytes.Equal(tk.signedMessage(), tk2.signedMessage()) {
		t.Error("the transform key signature covers the hashed temp key")
	}
}

// TestSpecTwoHop is reencrypt_2nd_level_roundtrip_with_known_keys_and_auth_hash_checks
// (recrypt-rs src/internal/mod.rs), spec §8.5, with the intermediate images
// of Appendix A.
func TestSpecTwoHop(t *testing.T) {
	v := specVectors(t)
	key := func(name string) PrivateKey { return privKey(t, v["k_"+name]) }
	pk1, pk2, pk3 := mustPub(t, key("priv_key")), mustPub(t, key("priv_key2")), mustPub(t, key("priv_key3"))
	for name, pk := range map[string]PublicKey{"appA_pk1": pk1, "appA_pk2": pk2, "appA_pk3": pk3} {
		b := pk.Bytes()
		eqHex(t, name, b[:], v[name])
	}
	ptE := rthRoot(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	pt := Plaintext{b: ptE.Bytes()}
	eqHex(t, "plaintext", pt.b[:], v["appA_plaintext"])
	signer := goodSigningKeypair()

	ephem := key("ephem_priv_key").Bytes()
	ev0, err := encryptWith(pt, pk1, signer, &ephem)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "ev0 payload", ev0.PayloadImage(), v["appA_ev0_payload"])
	eqHex(t, "auth hash", ev0.AuthHash[:], v["appA_auth"])

	salt1 := rthRoot(11, 12, 13, 14, 15, 16, 17, 18, 19, 110, 111, 112)
	eqHex(t, "K1", func() []byte { b := salt1.Bytes(); return b[:] }(), v["appA_K1"])
	re1 := key("re_private").Bytes()
	tk1, err := generateTransformKeyWith(key("priv_key"), pk2, signer, &re1, &salt1)
	if err != nil {
		t.Fatal(err)
	}
	k1 := rthRoot(21, 22, 23, 24, 25, 26, 27, 28, 29, 210, 211, 212)
	s1 := key("rand_re_priv_key").Bytes()
	ev1, err := transformWith(ev0, tk1, signer, &k1, &s1)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "ev1 payload", ev1.PayloadImage(), v["appA_ev1_payload"])

	salt2 := rthRoot(31, 32, 33, 34, 35, 36, 37, 38, 39, 310, 311, 312)
	re2 := key("re_priv_2").Bytes()
	tk2, err := generateTransformKeyWith(key("priv_key2"), pk3, signer, &re2, &salt2)
	if err != nil {
		t.Fatal(err)
	}
	k2 := rthRoot(41, 42, 43, 44, 45, 46, 47, 48, 49, 410, 411, 412)
	s2 := key("rand_re_priv_key_2").Bytes()
	ev2, err := transformWith(ev1, tk2, signer, &k2, &s2)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "ev2 payload", ev2.PayloadImage(), v["twoHopPayload"])

	got, err := Decrypt(ev2, key("priv_key3"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(pt) {
		t.Error("two-hop decryption gave the wrong plaintext")
	}
	wrong := privKey(t, mustHex("000000000000000000000000000000000000000000000000000000000000002a"))
	if _, err := Decrypt(ev2, wrong); !errors.Is(err, ErrDecryptFailed) {
		t.Errorf("decrypt with key 42: err = %v, want ErrDecryptFailed", err)
	}
	// The hash2 of the plaintext (Appendix A).
	h := hash2(&ptE)
	henc, _ := h.Bytes()
	eqHex(t, "hash2(plaintext)", henc[:], v["appA_hash2_plaintext"])
}

// TestSpecSingleHop is reencrypt_roundtrip_with_known_keys (recrypt-rs
// src/internal/mod.rs) with Appendix A's images; the plaintext is the raw,
// non-GT element 1..12.
func TestSpecSingleHop(t *testing.T) {
	v := specVectors(t)
	key := func(name string) PrivateKey { return privKey(t, v["k_"+name]) }
	pk1 := mustPub(t, key("priv_key"))
	raw := createFromT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	pt := Plaintext{b: raw.Bytes()}
	signer := goodSigningKeypair()
	ephem := key("ephem_priv_key").Bytes()
	ev0, err := encryptWith(pt, pk1, signer, &ephem)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "encrypt payload", ev0.PayloadImage(), v["appA_encrypt_once_payload"])
	salt := rthRoot(11, 12, 13, 14, 15, 16, 17, 18, 19, 110, 111, 112)
	re := key("re_private").Bytes()
	tk, err := generateTransformKeyWith(key("priv_key"), pk1, signer, &re, &salt)
	if err != nil {
		t.Fatal(err)
	}
	k1 := rthRoot(21, 22, 23, 24, 25, 26, 27, 28, 29, 210, 211, 212)
	s := key("rand_re_priv_key").Bytes()
	ev1, err := transformWith(ev0, tk, signer, &k1, &s)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "transformed payload", ev1.PayloadImage(), v["appA_single_hop_payload"])
	got, err := Decrypt(ev1, key("priv_key"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(pt) {
		t.Error("single-hop decryption gave the wrong plaintext")
	}
}

// TestSpecDecryptKnownValue is decrypt_known_value (recrypt-rs src/api.rs), a
// real Ed25519-signed value, spec §8.5.
func TestSpecDecryptKnownValue(t *testing.T) {
	v := specVectors(t)
	eph, err := NewPublicKey(v["dk_ephemeral_public_key_x"], v["dk_ephemeral_public_key_y"])
	if err != nil {
		t.Fatal(err)
	}
	ev := EncryptedValue{
		EphemeralPublicKey: eph,
		EncryptedMessage:   [384]byte(v["dk_encrypted_message"]),
		AuthHash:           [32]byte(v["dk_auth_hash"]),
		PublicSigningKey:   PublicSigningKey(v["dk_public_signing_key"]),
		Signature:          [64]byte(v["dk_signature"]),
	}
	got, err := Decrypt(ev, privKey(t, v["dk_private_key"]))
	if err != nil {
		t.Fatal(err)
	}
	b := got.Bytes()
	eqHex(t, "plaintext", b[:], v["dk_expected_plaintext"])

	// fail_when_verify_fails: a changed signature is rejected first.
	bad := ev
	bad.Signature[0] ^= 1
	if _, err := Decrypt(bad, privKey(t, v["dk_private_key"])); !errors.Is(err, ErrInvalidEncryptedMessageSignature) {
		t.Errorf("tampered signature: err = %v", err)
	}
}

// TestSpecSchnorr is schnorr_sign_matches_known_value (recrypt-rs
// src/internal/schnorr.rs), spec §8.6: private key p−1, nonce r−2, message 0x01.
func TestSpecSchnorr(t *testing.T) {
	v := specVectors(t)
	pk, err := NewPublicKey(v["schnorrPubX"], v["schnorrPubY"])
	if err != nil {
		t.Fatal(err)
	}
	sk := privKey(t, v["schnorrPriv"])
	k := [32]byte(mustHex("8fb501e34aa387f9aa6fecb86184dc212e8d8e12f82b39241a2ef45b57ac725f"))
	sig, err := schnorrSignWith(sk, pk, []byte{1}, &k)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "signature", sig[:], v["schnorrSig"])
	// Round trips, unaugmented and augmented.
	r := New(constReader(7))
	sk1, pk1, _ := r.GenerateKeyPair()
	sig1, err := r.SchnorrSign(sk1, pk1, []byte("message"))
	if err != nil {
		t.Fatal(err)
	}
	if !VarTimeSchnorrVerify(pk1, nil, []byte("message"), sig1) {
		t.Error("unaugmented signature does not verify")
	}
	if VarTimeSchnorrVerify(pk1, nil, []byte("messagf"), sig1) {
		t.Error("signature verifies for another message")
	}
	aug := privKey(t, mustHex("1111111111111111111111111111111111111111111111111111111111111111"))
	augPub, _ := pk1.Augment(mustPub(t, aug))
	sig2, _ := r.SchnorrSign(sk1, augPub, []byte("m"))
	if !VarTimeSchnorrVerify(augPub, &aug, []byte("m"), sig2) {
		t.Error("augmented signature does not verify")
	}
}

// TestSpecEd25519 covers spec §8.7: generate_ed25519_key_pair from a ChaCha20
// stream with an all-zero key, good_signing_keypair and
// signing_keypair_from_bytes.
func TestSpecEd25519(t *testing.T) {
	c, err := chacha20.NewUnauthenticatedCipher(make([]byte, 32), make([]byte, 12))
	if err != nil {
		t.Fatal(err)
	}
	r := New(cipherReader{c})
	kp, err := r.GenerateEd25519KeyPair()
	if err != nil {
		t.Fatal(err)
	}
	b := kp.Bytes()
	eqHex(t, "seed", b[:32], mustHex("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"))
	eqHex(t, "public", b[32:], mustHex("20fdbac9b10b7587bba7b5bc163bce69e796d71e4ed44c10fcb4488689f7a144"))
	kp2, _ := r.GenerateEd25519KeyPair()
	if kp2.Bytes() == kp.Bytes() {
		t.Error("second key pair equals the first")
	}
	good := goodSigningKeypair().PublicKey()
	eqHex(t, "good_signing_keypair", good[:], mustHex("8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"))
	if _, err := NewSigningKeypair(make([]byte, 64)); !errors.Is(err, ErrInvalidSigningKeypair) {
		t.Errorf("64 zero bytes: err = %v", err)
	}
	whole := goodSigningKeypair().Bytes()
	if k, err := NewSigningKeypair(whole[:]); err != nil || k.Bytes() != whole {
		t.Errorf("round trip: %v", err)
	}
}

type cipherReader struct{ c *chacha20.Cipher }

func (r cipherReader) Read(p []byte) (int, error) {
	clear(p)
	r.c.XORKeyStream(p, p)
	return len(p), nil
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
