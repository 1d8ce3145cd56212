package recrypt

// Binary forms. recrypt-rs defines none for its aggregates; these are this
// package's, made of the hash images (spec §4.6) with the stored bytes:
//
//	EncryptedValue: ephemeral key(64) ‖ message(384) ‖ auth hash(32) ‖
//	                blocks(896 each) ‖ public signing key(32) ‖ signature(64)
//	TransformKey:   TransformKey.Bytes()(672) ‖ signature(64)

const (
	encryptedValueBaseSize = 64 + 384 + 32 + 32 + 64
	transformBlockSize     = 64 + 384 + 64 + 384
	transformKeyBinarySize = 672 + 64
)

// MarshalBinary returns the binary form of ev. It never fails.
func (ev EncryptedValue) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, encryptedValueBaseSize+transformBlockSize*len(ev.TransformBlocks))
	out = appendPublicKey(out, &ev.EphemeralPublicKey)
	out = append(out, ev.EncryptedMessage[:]...)
	out = append(out, ev.AuthHash[:]...)
	for i := range ev.TransformBlocks {
		b := &ev.TransformBlocks[i]
		out = appendPublicKey(out, &b.PublicKey)
		out = append(out, b.EncryptedTempKey[:]...)
		out = appendPublicKey(out, &b.RandomTransformPublicKey)
		out = append(out, b.RandomTransformEncryptedTempKey[:]...)
	}
	out = append(out, ev.PublicSigningKey[:]...)
	return append(out, ev.Signature[:]...), nil
}

// UnmarshalBinary decodes the binary form, checking its length (*SizeError)
// and every public key (ErrInvalidPublicKey). On error ev is unchanged.
func (ev *EncryptedValue) UnmarshalBinary(b []byte) error {
	n := len(b) - encryptedValueBaseSize
	if n < 0 || n%transformBlockSize != 0 {
		want := encryptedValueBaseSize
		if n > 0 {
			want += transformBlockSize * (n / transformBlockSize)
		}
		return &SizeError{Type: "EncryptedValue", Want: want, Got: len(b)}
	}
	var v EncryptedValue
	var err error
	if v.EphemeralPublicKey, err = NewPublicKeyFromBytes(b[:64]); err != nil {
		return err
	}
	copy(v.EncryptedMessage[:], b[64:448])
	copy(v.AuthHash[:], b[448:480])
	rest := b[480:]
	for i := 0; i < n/transformBlockSize; i++ {
		var blk TransformBlock
		if blk.PublicKey, err = NewPublicKeyFromBytes(rest[:64]); err != nil {
			return err
		}
		copy(blk.EncryptedTempKey[:], rest[64:448])
		if blk.RandomTransformPublicKey, err = NewPublicKeyFromBytes(rest[448:512]); err != nil {
			return err
		}
		copy(blk.RandomTransformEncryptedTempKey[:], rest[512:896])
		v.TransformBlocks = append(v.TransformBlocks, blk)
		rest = rest[transformBlockSize:]
	}
	copy(v.PublicSigningKey[:], rest[:32])
	copy(v.Signature[:], rest[32:96])
	*ev = v
	return nil
}

// MarshalBinary returns the 736-byte binary form of tk. It never fails.
func (tk TransformKey) MarshalBinary() ([]byte, error) {
	img := tk.Bytes()
	out := make([]byte, 0, transformKeyBinarySize)
	out = append(out, img[:]...)
	return append(out, tk.Signature[:]...), nil
}

// UnmarshalBinary decodes the 736-byte binary form, checking both public keys
// (ErrInvalidPublicKey) and that the hashed temp key is on the twist curve
// (ErrDecodeFailure). On error tk is unchanged.
func (tk *TransformKey) UnmarshalBinary(b []byte) error {
	if err := checkSize("TransformKey", b, transformKeyBinarySize); err != nil {
		return err
	}
	var v TransformKey
	var err error
	if v.EphemeralPublicKey, err = NewPublicKeyFromBytes(b[:64]); err != nil {
		return err
	}
	if v.ToPublicKey, err = NewPublicKeyFromBytes(b[64:128]); err != nil {
		return err
	}
	copy(v.EncryptedTempKey[:], b[128:512])
	h, err := NewHashedValue(b[512:640])
	if err != nil {
		return err
	}
	v.HashedTempKey = h
	copy(v.PublicSigningKey[:], b[640:672])
	copy(v.Signature[:], b[672:736])
	*tk = v
	return nil
}
