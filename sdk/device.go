package sdk

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
)

// DeviceContext is everything a device needs to act for its user: what
// GenerateDevice returns and Initialize takes. Its JSON form is ironoxide's:
//
//	{"accountId":"…","segmentId":n,"signingPrivateKey":"b64 64 bytes","devicePrivateKey":"b64 32 bytes"}
//
// plus "deviceId" when known (ironoxide ignores it on read). The JSON holds
// private keys: store it like a password. String and %v show no key.
type DeviceContext struct {
	AccountID         string
	SegmentID         int64
	DeviceID          uint64             // 0 when unknown
	SigningPrivateKey ed25519.PrivateKey // seed || public, 64 bytes
	DevicePrivateKey  []byte             // recrypt private key, 32 bytes
}

type deviceContextJSON struct {
	AccountID         string `json:"accountId"`
	SegmentID         int64  `json:"segmentId"`
	SigningPrivateKey []byte `json:"signingPrivateKey"`
	DevicePrivateKey  []byte `json:"devicePrivateKey"`
	DeviceID          uint64 `json:"deviceId,omitempty"`
}

// MarshalJSON writes the ironoxide device-context JSON.
func (d DeviceContext) MarshalJSON() ([]byte, error) {
	return marshal(deviceContextJSON{d.AccountID, d.SegmentID, d.SigningPrivateKey, d.DevicePrivateKey, d.DeviceID})
}

// UnmarshalJSON reads the ironoxide device-context JSON, ignoring unknown
// fields, and checks the keys' sizes and that the signing key's public half
// matches its seed.
func (d *DeviceContext) UnmarshalJSON(data []byte) error {
	var j deviceContextJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("sdk: device context: %w", err)
	}
	dc := DeviceContext{j.AccountID, j.SegmentID, j.DeviceID, j.SigningPrivateKey, j.DevicePrivateKey}
	if err := dc.validate(); err != nil {
		return err
	}
	*d = dc
	return nil
}

func (d *DeviceContext) validate() error {
	var errs []error
	if _, err := validateID("user", d.AccountID); err != nil {
		errs = append(errs, err)
	}
	if len(d.SigningPrivateKey) != ed25519.PrivateKeySize {
		errs = append(errs, fmt.Errorf("signingPrivateKey is %d bytes, want 64", len(d.SigningPrivateKey)))
	} else if pub := ed25519.NewKeyFromSeed(d.SigningPrivateKey[:32])[32:]; !bytes.Equal(pub, d.SigningPrivateKey[32:]) {
		errs = append(errs, errors.New("signingPrivateKey: public half does not match its seed"))
	}
	if len(d.DevicePrivateKey) != 32 {
		errs = append(errs, fmt.Errorf("devicePrivateKey is %d bytes, want 32", len(d.DevicePrivateKey)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sdk: device context: %w", err)
	}
	return nil
}

// String describes the device without its keys.
func (d DeviceContext) String() string {
	return fmt.Sprintf("DeviceContext{account %q, segment %d, device %d}", d.AccountID, d.SegmentID, d.DeviceID)
}

// GoString is String, so %#v shows no key either.
func (d DeviceContext) GoString() string { return d.String() }
