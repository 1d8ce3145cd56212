package recrypt

import (
	"crypto/sha256"
	"crypto/subtle"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/curve"
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// Encrypt encrypts pt to the public key to and signs the result with signer
// (one draw, the ephemeral key; spec §5.7).
func (r *Recrypt) Encrypt(pt Plaintext, to PublicKey, signer SigningKeypair) (EncryptedValue, error) {
	d, err := r.draw(1)
	if err != nil {
		return EncryptedValue{}, err
	}
	k := reducedScalar(&d[0])
	return encryptWith(pt, to, signer, &k)
}

// authHash returns SHA-256(enc(E) ‖ enc(pt)).
func authHash(e *PublicKey, pt *[384]byte) [32]byte {
	h := sha256.New()
	h.Write(e.x[:])
	h.Write(e.y[:])
	h.Write(pt[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// maskedPairing returns e([k]P, Q₀) for a secret k, failing with ErrZeroPoint
// if [k]P is infinity.
func maskedPairing(p *curve.G1, k *[32]byte) (field.E12, error) {
	var kp curve.G1
	kp.ScalarMult(p, k)
	e, ok := curve.Pair(&kp, &params().q0Lines)
	if ok != 1 {
		return field.E12{}, invalidPublicKey(ErrZeroPoint)
	}
	return e, nil
}

// encryptWith is Encrypt with the ephemeral scalar k given.
func encryptWith(pt Plaintext, to PublicKey, signer SigningKeypair, k *[32]byte) (EncryptedValue, error) {
	toPoint, err := to.point()
	if err != nil {
		return EncryptedValue{}, err
	}
	var ep curve.G1
	params().gTable.ScalarMult(&ep, k)
	eph, err := publicKeyFromPoint(&ep)
	if err != nil {
		return EncryptedValue{}, err
	}
	mask, err := maskedPairing(toPoint, k)
	if err != nil {
		return EncryptedValue{}, err
	}
	m := pt.element()
	mask.Mul(&mask, &m)
	ev := EncryptedValue{
		EphemeralPublicKey: eph,
		EncryptedMessage:   mask.Bytes(),
		AuthHash:           authHash(&eph, &pt.b),
		PublicSigningKey:   signer.PublicKey(),
	}
	ev.Signature = signer.Sign(ev.signedMessage(ev.PublicSigningKey))
	return ev, nil
}

// unmask returns x · e(−[sk]P, Q₀).
func unmask(x *[384]byte, p PublicKey, sk *PrivateKey) (field.E12, error) {
	pt, err := p.point()
	if err != nil {
		return field.E12{}, err
	}
	pt.Neg(pt)
	e, err := maskedPairing(pt, &sk.b)
	if err != nil {
		return field.E12{}, err
	}
	var v field.E12
	v.SetBytes(x[:])
	return *v.Mul(&v, &e), nil
}

// pairWith returns e(P, q) for a public point P and a variable G2 point q.
func pairWith(p *curve.G1, q *curve.G2) (field.E12, error) {
	var prep curve.G2Prepared
	prep.Prepare(q)
	e, ok := curve.Pair(p, &prep)
	if ok != 1 {
		return field.E12{}, invalidPublicKey(ErrZeroPoint)
	}
	return e, nil
}

// Decrypt verifies ev's signature against its embedded public signing key,
// decrypts it with sk, and checks the auth hash (spec §5.8). It fails with
// ErrInvalidEncryptedMessageSignature, ErrInvalidPublicKey, or
// ErrDecryptFailed (usually the wrong key).
func Decrypt(ev EncryptedValue, sk PrivateKey) (Plaintext, error) {
	if err := ev.verifySignature(); err != nil {
		return Plaintext{}, err
	}
	eph, err := ev.EphemeralPublicKey.point()
	if err != nil {
		return Plaintext{}, err
	}
	var c, pt field.E12
	c.SetBytes(ev.EncryptedMessage[:])
	if n := len(ev.TransformBlocks); n == 0 {
		u, err := unmask(&ev.EncryptedMessage, ev.EphemeralPublicKey, &sk)
		if err != nil {
			return Plaintext{}, err
		}
		pt = u
	} else {
		last := &ev.TransformBlocks[n-1]
		k, err := unmask(&last.EncryptedTempKey, last.PublicKey, &sk)
		if err != nil {
			return Plaintext{}, err
		}
		rk, err := unmask(&last.RandomTransformEncryptedTempKey, last.RandomTransformPublicKey, &sk)
		if err != nil {
			return Plaintext{}, err
		}
		for i := n - 2; i >= 0; i-- {
			b := &ev.TransformBlocks[i]
			h := hash2(&k)
			rh := hash2(&rk)
			rh.Add(&rh, &h)
			nk, err := openBlock(&b.EncryptedTempKey, b.PublicKey, &h)
			if err != nil {
				return Plaintext{}, err
			}
			nrk, err := openBlock(&b.RandomTransformEncryptedTempKey, b.RandomTransformPublicKey, &rh)
			if err != nil {
				return Plaintext{}, err
			}
			k, rk = nk, nrk
		}
		h := hash2(&k)
		rh := hash2(&rk)
		h.Add(&h, &rh)
		eph.Neg(eph)
		e, err := pairWith(eph, &h)
		if err != nil {
			return Plaintext{}, err
		}
		pt.Mul(&c, &e)
	}
	out := Plaintext{b: pt.Bytes()}
	want := authHash(&ev.EphemeralPublicKey, &out.b)
	if subtle.ConstantTimeCompare(want[:], ev.AuthHash[:]) != 1 {
		return Plaintext{}, ErrDecryptFailed
	}
	return out, nil
}

// openBlock returns x · e(−P, q).
func openBlock(x *[384]byte, p PublicKey, q *curve.G2) (field.E12, error) {
	pt, err := p.point()
	if err != nil {
		return field.E12{}, err
	}
	pt.Neg(pt)
	e, err := pairWith(pt, q)
	if err != nil {
		return field.E12{}, err
	}
	var v field.E12
	v.SetBytes(x[:])
	return *v.Mul(&v, &e), nil
}

// hash2 maps an Fp12 element to G2 (spec §5.11): the 64-byte digest
// SHA-256(0x00 ‖ enc(K)) ‖ SHA-256(0x01 ‖ enc(K)), reduced mod p, times H₀.
// K is secret, so the multiplication is constant time.
func hash2(k *field.E12) curve.G2 {
	enc := k.Bytes()
	var d [64]byte
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(enc[:])
	h.Sum(d[:0])
	h.Reset()
	h.Write([]byte{1})
	h.Write(enc[:])
	h.Sum(d[32:32])
	var n field.Element
	n.SetWideBytes(d[:])
	nb := n.Bytes()
	var out curve.G2
	params().h0Table.ScalarMult(&out, &nb)
	return out
}
