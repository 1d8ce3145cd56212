package recrypt

import (
	"crypto/sha256"

	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/curve"
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/field"
	"github.com/ironcorelabs/loadgen/sdk/recrypt/internal/scalar"
)

// SchnorrSignature is recrypt's Schnorr signature on G1: enc32(r) ‖ enc32(s).
type SchnorrSignature [SchnorrSignatureSize]byte

// orderR is the group order r, big-endian.
var orderR = [32]byte{
	0x8f, 0xb5, 0x01, 0xe3, 0x4a, 0xa3, 0x87, 0xf9, 0xaa, 0x6f, 0xec, 0xb8, 0x61, 0x84, 0xdc, 0x21,
	0x2e, 0x8d, 0x8e, 0x12, 0xf8, 0x2b, 0x39, 0x24, 0x1a, 0x2e, 0xf4, 0x5b, 0x57, 0xac, 0x72, 0x61,
}

// lessThanR reports, in constant time, whether the big-endian b is below r.
func lessThanR(b *[32]byte) bool {
	var borrow, eq int = 0, 1
	for i := 0; i < 32; i++ {
		x, y := int(b[i]), int(orderR[i])
		lt := ((x - y) >> 8) & 1 // 1 iff x < y
		gt := ((y - x) >> 8) & 1
		borrow |= eq & lt
		eq &= 1 ^ (lt | gt)
	}
	return borrow == 1
}

// SchnorrSign signs msg with sk, whose public key (as hashed into the
// signature, possibly augmented) is pk. It draws 32-byte nonces until one is
// below r (spec §6.1).
func (r *Recrypt) SchnorrSign(sk PrivateKey, pk PublicKey, msg []byte) (SchnorrSignature, error) {
	for {
		d, err := r.draw(1)
		if err != nil {
			return SchnorrSignature{}, err
		}
		if !lessThanR(&d[0]) {
			continue
		}
		return schnorrSignWith(sk, pk, msg, &d[0])
	}
}

// schnorrHash returns h = ((SHA-256(r ‖ pk ‖ m) ‖ SHA-256(pk ‖ m ‖ r)) mod p) mod r.
func schnorrHash(rs *[32]byte, pk *PublicKey, msg []byte) scalar.Scalar {
	pkb := pk.Bytes()
	var d [64]byte
	h := sha256.New()
	h.Write(rs[:])
	h.Write(pkb[:])
	h.Write(msg)
	h.Sum(d[:0])
	h.Reset()
	h.Write(pkb[:])
	h.Write(msg)
	h.Write(rs[:])
	h.Sum(d[32:32])
	var e field.Element
	e.SetWideBytes(d[:])
	eb := e.Bytes()
	var s scalar.Scalar
	s.SetBytes(eb[:])
	return s
}

// schnorrSignWith is SchnorrSign with the nonce k (< r) given.
func schnorrSignWith(sk PrivateKey, pk PublicKey, msg []byte, k *[32]byte) (SchnorrSignature, error) {
	var kg curve.G1
	params().gTable.ScalarMult(&kg, k)
	x, _, ok := kg.Affine()
	if ok != 1 || x.IsZero() == 1 {
		return SchnorrSignature{}, ErrSchnorrSign
	}
	xb := x.Bytes()
	var rs scalar.Scalar
	rs.SetBytes(xb[:])
	rb := rs.Bytes()
	h := schnorrHash(&rb, &pk, msg)
	var ks, s scalar.Scalar
	ks.SetBytes(k[:])
	a := sk.scalar()
	s.Mul(&h, &a)
	s.Sub(&ks, &s)
	sb := s.Bytes()
	var sig SchnorrSignature
	copy(sig[:32], rb[:])
	copy(sig[32:], sb[:])
	return sig, nil
}

// VarTimeSchnorrVerify reports whether sig is a valid signature of msg for
// the public key pk. If augmenting is not nil, the signature is checked
// against pk − [augmenting]G, as for augmented keys (spec §6.1). Execution
// time depends on the inputs, none of which is secret.
func VarTimeSchnorrVerify(pk PublicKey, augmenting *PrivateKey, msg []byte, sig SchnorrSignature) bool {
	pkPoint, err := pk.point()
	if err != nil {
		return false
	}
	var rs, s scalar.Scalar
	rs.SetBytes(sig[:32])
	s.SetBytes(sig[32:])
	rb := rs.Bytes()
	h := schnorrHash(&rb, &pk, msg)
	if augmenting != nil {
		var a curve.G1
		params().gTable.ScalarMult(&a, &augmenting.b)
		a.Neg(&a)
		pkPoint.Add(pkPoint, &a)
	}
	sb, hb := s.Bytes(), h.Bytes()
	var v, t curve.G1
	params().gTable.ScalarMult(&v, &sb)
	t.VarTimeScalarMult(pkPoint, &hb)
	v.Add(&v, &t)
	x, _, ok := v.Affine()
	if ok != 1 {
		return false
	}
	xb := x.Bytes()
	var xr scalar.Scalar
	xr.SetBytes(xb[:])
	return xr.Equal(&rs) == 1
}
