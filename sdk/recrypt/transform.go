package recrypt

import (
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/curve"
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
)

// GenerateTransformKey returns a key that transforms values encrypted to the
// key pair of from into values for to, signed with signer (thirteen draws:
// the ephemeral scalar, then the temp key K; spec §5.9).
func (r *Recrypt) GenerateTransformKey(from PrivateKey, to PublicKey, signer SigningKeypair) (TransformKey, error) {
	d, err := r.draw(13)
	if err != nil {
		return TransformKey{}, err
	}
	t := reducedScalar(&d[0])
	k := gtFromDraws(d[1:])
	return generateTransformKeyWith(from, to, signer, &t, &k)
}

// generateTransformKeyWith is GenerateTransformKey with the ephemeral scalar t
// and the temp key K given.
func generateTransformKeyWith(from PrivateKey, to PublicKey, signer SigningKeypair, t *[32]byte, k *field.E12) (TransformKey, error) {
	toPoint, err := to.point()
	if err != nil {
		return TransformKey{}, err
	}
	var rp curve.G1
	params().gTable.ScalarMult(&rp, t)
	eph, err := publicKeyFromPoint(&rp)
	if err != nil {
		return TransformKey{}, err
	}
	x, err := maskedPairing(toPoint, t)
	if err != nil {
		return TransformKey{}, err
	}
	x.Mul(&x, k)

	// h = hash2(K) + [sk_from](−Q₀).
	h := hash2(k)
	var m curve.G2
	params().q0Table.ScalarMult(&m, &from.b)
	m.Neg(&m)
	h.Add(&h, &m)
	hEnc, ok := h.Bytes()
	if ok != 1 {
		return TransformKey{}, ErrZeroPoint
	}
	tk := TransformKey{
		EphemeralPublicKey: eph,
		ToPublicKey:        to,
		EncryptedTempKey:   x.Bytes(),
		HashedTempKey:      hEnc,
		PublicSigningKey:   signer.PublicKey(),
	}
	tk.Signature = signer.Sign(tk.signedMessage())
	return tk, nil
}

// Transform applies tk to ev and signs the result with signer (thirteen
// draws: a new temp key K', then the scalar s; spec §5.10). It first verifies
// both embedded signatures, failing with ErrInvalidEncryptedMessageSignature
// or ErrInvalidTransformKey. Nothing checks that tk starts from ev's
// recipient; a mismatch shows up as ErrDecryptFailed at decryption.
func (r *Recrypt) Transform(ev EncryptedValue, tk TransformKey, signer SigningKeypair) (EncryptedValue, error) {
	d, err := r.draw(13)
	if err != nil {
		return EncryptedValue{}, err
	}
	kp := gtFromDraws(d[:12])
	s := reducedScalar(&d[12])
	return transformWith(ev, tk, signer, &kp, &s)
}

// transformWith is Transform with K' and s given.
func transformWith(ev EncryptedValue, tk TransformKey, signer SigningKeypair, kp *field.E12, s *[32]byte) (EncryptedValue, error) {
	evErr := ev.verifySignature()
	tkOK := tk.PublicSigningKey.Verify(tk.signedMessage(), tk.Signature[:])
	if evErr != nil {
		return EncryptedValue{}, evErr
	}
	if !tkOK {
		return EncryptedValue{}, ErrInvalidTransformKey
	}
	h, err := tk.hashedTempKey()
	if err != nil {
		return EncryptedValue{}, ErrInvalidTransformKey
	}
	toPoint, err := tk.ToPublicKey.point()
	if err != nil {
		return EncryptedValue{}, err
	}
	if _, err := tk.EphemeralPublicKey.point(); err != nil {
		return EncryptedValue{}, err
	}

	var sp curve.G1
	params().gTable.ScalarMult(&sp, s)
	sPub, err := publicKeyFromPoint(&sp)
	if err != nil {
		return EncryptedValue{}, err
	}
	y, err := maskedPairing(toPoint, s)
	if err != nil {
		return EncryptedValue{}, err
	}
	y.Mul(&y, kp)

	hk := hash2(kp)
	hk.Add(&hk, h) // hash2(K') + h

	out := ev.Clone()
	if n := len(out.TransformBlocks); n == 0 {
		e, err := pairPublic(out.EphemeralPublicKey, &hk)
		if err != nil {
			return EncryptedValue{}, err
		}
		var c field.E12
		c.SetBytes(out.EncryptedMessage[:])
		c.Mul(&e, &c)
		out.EncryptedMessage = c.Bytes()
	} else {
		last := &out.TransformBlocks[n-1]
		e, err := pairPublic(last.PublicKey, h)
		if err != nil {
			return EncryptedValue{}, err
		}
		var x field.E12
		x.SetBytes(last.EncryptedTempKey[:])
		x.Mul(&x, &e)
		last.EncryptedTempKey = x.Bytes()
		e, err = pairPublic(last.RandomTransformPublicKey, &hk)
		if err != nil {
			return EncryptedValue{}, err
		}
		x.SetBytes(last.RandomTransformEncryptedTempKey[:])
		x.Mul(&x, &e)
		last.RandomTransformEncryptedTempKey = x.Bytes()
	}
	out.TransformBlocks = append(out.TransformBlocks, TransformBlock{
		PublicKey:                       tk.EphemeralPublicKey,
		EncryptedTempKey:                canonicalBytes(&tk.EncryptedTempKey),
		RandomTransformPublicKey:        sPub,
		RandomTransformEncryptedTempKey: y.Bytes(),
	})
	out.PublicSigningKey = signer.PublicKey()
	out.Signature = signer.Sign(out.signedMessage(out.PublicSigningKey))
	return out, nil
}

// pairPublic returns e(P, q) for a public key P.
func pairPublic(p PublicKey, q *curve.G2) (field.E12, error) {
	pt, err := p.point()
	if err != nil {
		return field.E12{}, err
	}
	return pairWith(pt, q)
}

// canonicalBytes returns the reduced re-encoding of a 384-byte Fp12 value.
func canonicalBytes(b *[384]byte) [384]byte {
	var e field.E12
	e.SetBytes(b[:])
	return e.Bytes()
}
