package sdk

import (
	"crypto/ed25519"
	"errors"
	"io"
)

// errRecryptPending is returned by every transform-encryption step until
// the adapter to sdk/recrypt replaces this file.
var errRecryptPending = errors.New("sdk: transform encryption (sdk/recrypt) is not wired in yet")

// recryptImpl will adapt sdk/recrypt; see errRecryptPending.
type recryptImpl struct{}

func (recryptImpl) GenerateKeyPair(io.Reader) ([]byte, PublicKey, error) {
	return nil, PublicKey{}, errRecryptPending
}
func (recryptImpl) ComputePublicKey([]byte) (PublicKey, error) { return PublicKey{}, errRecryptPending }
func (recryptImpl) GenPlaintext(io.Reader) ([]byte, error)     { return nil, errRecryptPending }
func (recryptImpl) Encrypt(io.Reader, []byte, PublicKey, ed25519.PrivateKey) (encryptedOnce, error) {
	return encryptedOnce{}, errRecryptPending
}
func (recryptImpl) Decrypt(*transformedValue, []byte) ([]byte, error) { return nil, errRecryptPending }
func (recryptImpl) GenerateTransformKey(io.Reader, []byte, PublicKey, ed25519.PrivateKey) (transformKey, error) {
	return transformKey{}, errRecryptPending
}
func (recryptImpl) SchnorrSign(io.Reader, []byte, PublicKey, []byte) ([]byte, error) {
	return nil, errRecryptPending
}
