package sdk

import (
	"crypto/ed25519"
	"fmt"
	"io"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// recryptImpl is the production recryptor: sdk/recrypt, converted to and
// from the SDK's wire types.
type recryptImpl struct{}

var _ recryptor = recryptImpl{}

func toPub(k recrypt.PublicKey) PublicKey {
	x, y := k.X(), k.Y()
	return PublicKey{X: x[:], Y: y[:]}
}

func fromPub(k PublicKey) (recrypt.PublicKey, error) {
	p, err := recrypt.NewPublicKey(k.X, k.Y)
	if err != nil {
		return recrypt.PublicKey{}, fmt.Errorf("public key: %w", err)
	}
	return p, nil
}

func signer(sk ed25519.PrivateKey) (recrypt.SigningKeypair, error) {
	return recrypt.NewSigningKeypair(sk)
}

func (recryptImpl) GenerateKeyPair(rnd io.Reader) ([]byte, PublicKey, error) {
	priv, pub, err := recrypt.New(rnd).GenerateKeyPair()
	if err != nil {
		return nil, PublicKey{}, err
	}
	b := priv.Bytes()
	return b[:], toPub(pub), nil
}

func (recryptImpl) ComputePublicKey(priv []byte) (PublicKey, error) {
	sk, err := recrypt.NewPrivateKey(priv)
	if err != nil {
		return PublicKey{}, err
	}
	pub, err := recrypt.ComputePublicKey(sk)
	if err != nil {
		return PublicKey{}, err
	}
	return toPub(pub), nil
}

func (recryptImpl) GenPlaintext(rnd io.Reader) ([]byte, error) {
	pt, err := recrypt.New(rnd).GeneratePlaintext()
	if err != nil {
		return nil, err
	}
	b := pt.Bytes()
	return b[:], nil
}

func (recryptImpl) Encrypt(rnd io.Reader, pt []byte, to PublicKey, sk ed25519.PrivateKey) (encryptedOnce, error) {
	p, err := recrypt.NewPlaintext(pt)
	if err != nil {
		return encryptedOnce{}, err
	}
	pk, err := fromPub(to)
	if err != nil {
		return encryptedOnce{}, err
	}
	s, err := signer(sk)
	if err != nil {
		return encryptedOnce{}, err
	}
	ev, err := recrypt.New(rnd).Encrypt(p, pk, s)
	if err != nil {
		return encryptedOnce{}, err
	}
	return encryptedOnce{
		EncryptedMessage:   ev.EncryptedMessage[:],
		EphemeralPublicKey: toPub(ev.EphemeralPublicKey),
		Signature:          ev.Signature[:],
		AuthHash:           ev.AuthHash[:],
		PublicSigningKey:   ev.PublicSigningKey[:],
	}, nil
}

func (recryptImpl) Decrypt(v *transformedValue, priv []byte) ([]byte, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	ev, err := v.recrypt()
	if err != nil {
		return nil, err
	}
	sk, err := recrypt.NewPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pt, err := recrypt.Decrypt(ev, sk)
	if err != nil {
		return nil, err
	}
	b := pt.Bytes()
	return b[:], nil
}

// recrypt converts a wire value to recrypt's form. Byte fields must have
// their recrypt sizes (check does that).
func (v *transformedValue) recrypt() (recrypt.EncryptedValue, error) {
	var ev recrypt.EncryptedValue
	var err error
	if ev.EphemeralPublicKey, err = fromPub(v.EphemeralPublicKey); err != nil {
		return ev, err
	}
	copy(ev.EncryptedMessage[:], v.EncryptedMessage)
	copy(ev.AuthHash[:], v.AuthHash)
	copy(ev.PublicSigningKey[:], v.PublicSigningKey)
	copy(ev.Signature[:], v.Signature)
	for _, b := range v.TransformBlocks {
		var tb recrypt.TransformBlock
		if tb.PublicKey, err = fromPub(b.PublicKey); err != nil {
			return ev, err
		}
		if tb.RandomTransformPublicKey, err = fromPub(b.RandomTransformPublicKey); err != nil {
			return ev, err
		}
		copy(tb.EncryptedTempKey[:], b.EncryptedTempKey)
		copy(tb.RandomTransformEncryptedTempKey[:], b.RandomTransformEncryptedTempKey)
		ev.TransformBlocks = append(ev.TransformBlocks, tb)
	}
	return ev, nil
}

func (recryptImpl) GenerateTransformKey(rnd io.Reader, from []byte, to PublicKey, sk ed25519.PrivateKey) (transformKey, error) {
	fk, err := recrypt.NewPrivateKey(from)
	if err != nil {
		return transformKey{}, err
	}
	pk, err := fromPub(to)
	if err != nil {
		return transformKey{}, err
	}
	s, err := signer(sk)
	if err != nil {
		return transformKey{}, err
	}
	tk, err := recrypt.New(rnd).GenerateTransformKey(fk, pk, s)
	if err != nil {
		return transformKey{}, err
	}
	return transformKey{
		EphemeralPublicKey: toPub(tk.EphemeralPublicKey),
		ToPublicKey:        toPub(tk.ToPublicKey),
		EncryptedTempKey:   tk.EncryptedTempKey[:],
		HashedTempKey:      tk.HashedTempKey[:],
		Signature:          tk.Signature[:],
		PublicSigningKey:   tk.PublicSigningKey[:],
	}, nil
}

func (recryptImpl) SchnorrSign(rnd io.Reader, priv []byte, pub PublicKey, msg []byte) ([]byte, error) {
	sk, err := recrypt.NewPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pk, err := fromPub(pub)
	if err != nil {
		return nil, err
	}
	sig, err := recrypt.New(rnd).SchnorrSign(sk, pk, msg)
	if err != nil {
		return nil, err
	}
	return sig[:], nil
}

func (recryptImpl) RandomPrivateKey(rnd io.Reader) ([]byte, error) {
	k, err := recrypt.New(rnd).RandomPrivateKey()
	if err != nil {
		return nil, err
	}
	b := k.Bytes()
	return b[:], nil
}

func (recryptImpl) AugmentMinus(a, b []byte) ([]byte, error) {
	ka, err := recrypt.NewPrivateKey(a)
	if err != nil {
		return nil, err
	}
	kb, err := recrypt.NewPrivateKey(b)
	if err != nil {
		return nil, err
	}
	out := ka.AugmentMinus(kb).Bytes()
	return out[:], nil
}
