package recryptoracle

// Typed wrappers of the oracle operations tests use most; anything else goes through Call.

// GenerateKeyPair returns a fresh recrypt key pair made by recrypt.
func (o *Oracle) GenerateKeyPair() (KeyPair, error) {
	var kp KeyPair
	err := o.Call("generateKeyPair", nil, &kp)
	return kp, err
}

// GenerateSigningKeypair returns a fresh Ed25519 key pair made by recrypt.
func (o *Oracle) GenerateSigningKeypair() (SigningKeypair, error) {
	var kp SigningKeypair
	err := o.Call("generateEd25519KeyPair", nil, &kp)
	return kp, err
}

// ComputePublicKey returns the public key of a 32-byte private key.
func (o *Oracle) ComputePublicKey(privateKey []byte) (PublicKey, error) {
	var pk PublicKey
	err := o.Call("computePublicKey", map[string]any{"privateKey": Bytes(privateKey)}, &pk)
	return pk, err
}

// GeneratePlaintext returns a fresh 384-byte plaintext made by recrypt.
func (o *Oracle) GeneratePlaintext() (Bytes, error) {
	var pt Bytes
	err := o.Call("generatePlaintext", nil, &pt)
	return pt, err
}

// DeriveSymmetricKey returns recrypt's 32-byte key for a plaintext.
func (o *Oracle) DeriveSymmetricKey(plaintext []byte) (Bytes, error) {
	var k Bytes
	err := o.Call("deriveSymmetricKey", map[string]any{"plaintext": Bytes(plaintext)}, &k)
	return k, err
}

// Encrypt encrypts plaintext to toPublicKey, signed by signer.
func (o *Oracle) Encrypt(plaintext []byte, to PublicKey, signer SigningKeypair) (EncryptedValue, error) {
	var ev EncryptedValue
	err := o.Call("encrypt", map[string]any{"plaintext": Bytes(plaintext), "toPublicKey": to, "signingKeypair": signer}, &ev)
	return ev, err
}

// Decrypt decrypts ev (transformed or not) with a 32-byte private key.
func (o *Oracle) Decrypt(ev EncryptedValue, privateKey []byte) (Bytes, error) {
	if ev.TransformBlocks == nil {
		ev.TransformBlocks = []TransformBlock{}
	}
	var pt Bytes
	err := o.Call("decrypt", map[string]any{"encryptedValue": ev, "privateKey": Bytes(privateKey)}, &pt)
	return pt, err
}

// Transform transforms ev with tk, signed by signer.
func (o *Oracle) Transform(ev EncryptedValue, tk TransformKey, signer SigningKeypair) (EncryptedValue, error) {
	if ev.TransformBlocks == nil {
		ev.TransformBlocks = []TransformBlock{}
	}
	var out EncryptedValue
	err := o.Call("transform", map[string]any{"encryptedValue": ev, "transformKey": tk, "signingKeypair": signer}, &out)
	return out, err
}
