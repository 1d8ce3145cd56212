package recrypt

import (
	"encoding/json"
	"fmt"
)

// The JSON forms below are IronCore's wire formats (ironcore-api.md §5.2 to
// §5.4): byte fields are standard base64 strings, public keys are
// {"x": …, "y": …}. Decoding checks every length (*SizeError) and that every
// public key is on the curve (ErrInvalidPublicKey); Fp12 fields are kept as
// given.

// publicKeyJSON is the wire form of a PublicKey.
type publicKeyJSON struct {
	X []byte `json:"x"`
	Y []byte `json:"y"`
}

// MarshalJSON encodes k as {"x": base64, "y": base64}.
func (k PublicKey) MarshalJSON() ([]byte, error) {
	return json.Marshal(publicKeyJSON{X: k.x[:], Y: k.y[:]})
}

// UnmarshalJSON decodes {"x": base64, "y": base64} and checks the point.
// JSON null leaves k unchanged, as encoding/json does for other types.
func (k *PublicKey) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w publicKeyJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("recrypt: decoding public key: %w", err)
	}
	pk, err := NewPublicKey(w.X, w.Y)
	if err != nil {
		return err
	}
	*k = pk
	return nil
}

// EncryptedValueJSON is the wire form of an EncryptedValue, with the field
// order of ironoxide's EncryptedOnceValue / TransformedEncryptedValue. Its
// fields carry no methods, so embedding it in a larger struct flattens them
// into the parent object as IronCore's API does (document grants). Convert
// with EncryptedValue.JSON and EncryptedValueJSON.Value.
type EncryptedValueJSON struct {
	EncryptedMessage   []byte               `json:"encryptedMessage"`
	EphemeralPublicKey PublicKey            `json:"ephemeralPublicKey"`
	Signature          []byte               `json:"signature"`
	AuthHash           []byte               `json:"authHash"`
	PublicSigningKey   []byte               `json:"publicSigningKey"`
	TransformBlocks    []TransformBlockJSON `json:"transformBlocks,omitempty"`
}

// TransformBlockJSON is the wire form of a TransformBlock.
type TransformBlockJSON struct {
	EncryptedTempKey                []byte    `json:"encryptedTempKey"`
	PublicKey                       PublicKey `json:"publicKey"`
	RandomTransformEncryptedTempKey []byte    `json:"randomTransformEncryptedTempKey"`
	RandomTransformPublicKey        PublicKey `json:"randomTransformPublicKey"`
}

// TransformKeyJSON is the wire form of a TransformKey.
type TransformKeyJSON struct {
	EphemeralPublicKey PublicKey `json:"ephemeralPublicKey"`
	ToPublicKey        PublicKey `json:"toPublicKey"`
	EncryptedTempKey   []byte    `json:"encryptedTempKey"`
	HashedTempKey      []byte    `json:"hashedTempKey"`
	Signature          []byte    `json:"signature"`
	PublicSigningKey   []byte    `json:"publicSigningKey"`
}

// JSON returns the wire form of ev.
func (ev EncryptedValue) JSON() EncryptedValueJSON {
	w := EncryptedValueJSON{
		EncryptedMessage:   clone(ev.EncryptedMessage[:]),
		EphemeralPublicKey: ev.EphemeralPublicKey,
		Signature:          clone(ev.Signature[:]),
		AuthHash:           clone(ev.AuthHash[:]),
		PublicSigningKey:   clone(ev.PublicSigningKey[:]),
	}
	for i := range ev.TransformBlocks {
		b := &ev.TransformBlocks[i]
		w.TransformBlocks = append(w.TransformBlocks, TransformBlockJSON{
			EncryptedTempKey:                clone(b.EncryptedTempKey[:]),
			PublicKey:                       b.PublicKey,
			RandomTransformEncryptedTempKey: clone(b.RandomTransformEncryptedTempKey[:]),
			RandomTransformPublicKey:        b.RandomTransformPublicKey,
		})
	}
	return w
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// copyField copies src into dst after checking its length.
func copyField(dst []byte, typ string, src []byte) error {
	if err := checkSize(typ, src, len(dst)); err != nil {
		return err
	}
	copy(dst, src)
	return nil
}

// checkKey reports an error for an unset (zero) or invalid public key.
func checkKey(k PublicKey) error {
	_, err := k.point()
	return err
}

// Value checks w and returns the EncryptedValue it encodes.
func (w EncryptedValueJSON) Value() (EncryptedValue, error) {
	var ev EncryptedValue
	if err := checkKey(w.EphemeralPublicKey); err != nil {
		return EncryptedValue{}, err
	}
	ev.EphemeralPublicKey = w.EphemeralPublicKey
	for _, f := range []struct {
		dst []byte
		typ string
		src []byte
	}{
		{ev.EncryptedMessage[:], "EncryptedMessage", w.EncryptedMessage},
		{ev.Signature[:], "Ed25519Signature", w.Signature},
		{ev.AuthHash[:], "AuthHash", w.AuthHash},
		{ev.PublicSigningKey[:], "PublicSigningKey", w.PublicSigningKey},
	} {
		if err := copyField(f.dst, f.typ, f.src); err != nil {
			return EncryptedValue{}, err
		}
	}
	for _, wb := range w.TransformBlocks {
		var b TransformBlock
		if err := checkKey(wb.PublicKey); err != nil {
			return EncryptedValue{}, err
		}
		if err := checkKey(wb.RandomTransformPublicKey); err != nil {
			return EncryptedValue{}, err
		}
		b.PublicKey, b.RandomTransformPublicKey = wb.PublicKey, wb.RandomTransformPublicKey
		if err := copyField(b.EncryptedTempKey[:], "EncryptedTempKey", wb.EncryptedTempKey); err != nil {
			return EncryptedValue{}, err
		}
		if err := copyField(b.RandomTransformEncryptedTempKey[:], "EncryptedTempKey", wb.RandomTransformEncryptedTempKey); err != nil {
			return EncryptedValue{}, err
		}
		ev.TransformBlocks = append(ev.TransformBlocks, b)
	}
	return ev, nil
}

// MarshalJSON encodes ev in IronCore's wire form. Do not embed an
// EncryptedValue in a struct to flatten it (this method would be promoted);
// embed EncryptedValueJSON instead.
func (ev EncryptedValue) MarshalJSON() ([]byte, error) {
	return json.Marshal(ev.JSON())
}

// UnmarshalJSON decodes and checks IronCore's wire form.
func (ev *EncryptedValue) UnmarshalJSON(b []byte) error {
	var w EncryptedValueJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("recrypt: decoding encrypted value: %w", err)
	}
	v, err := w.Value()
	if err != nil {
		return err
	}
	*ev = v
	return nil
}

// JSON returns the wire form of tk.
func (tk TransformKey) JSON() TransformKeyJSON {
	return TransformKeyJSON{
		EphemeralPublicKey: tk.EphemeralPublicKey,
		ToPublicKey:        tk.ToPublicKey,
		EncryptedTempKey:   clone(tk.EncryptedTempKey[:]),
		HashedTempKey:      clone(tk.HashedTempKey[:]),
		Signature:          clone(tk.Signature[:]),
		PublicSigningKey:   clone(tk.PublicSigningKey[:]),
	}
}

// Value checks w, including that the hashed temp key is on the twist curve
// (ErrDecodeFailure), and returns the TransformKey it encodes.
func (w TransformKeyJSON) Value() (TransformKey, error) {
	var tk TransformKey
	if err := checkKey(w.EphemeralPublicKey); err != nil {
		return TransformKey{}, err
	}
	if err := checkKey(w.ToPublicKey); err != nil {
		return TransformKey{}, err
	}
	tk.EphemeralPublicKey, tk.ToPublicKey = w.EphemeralPublicKey, w.ToPublicKey
	if _, err := NewHashedValue(w.HashedTempKey); err != nil {
		return TransformKey{}, err
	}
	for _, f := range []struct {
		dst []byte
		typ string
		src []byte
	}{
		{tk.EncryptedTempKey[:], "EncryptedTempKey", w.EncryptedTempKey},
		{tk.HashedTempKey[:], "HashedValue", w.HashedTempKey},
		{tk.Signature[:], "Ed25519Signature", w.Signature},
		{tk.PublicSigningKey[:], "PublicSigningKey", w.PublicSigningKey},
	} {
		if err := copyField(f.dst, f.typ, f.src); err != nil {
			return TransformKey{}, err
		}
	}
	return tk, nil
}

// MarshalJSON encodes tk in IronCore's wire form.
func (tk TransformKey) MarshalJSON() ([]byte, error) {
	return json.Marshal(tk.JSON())
}

// UnmarshalJSON decodes and checks IronCore's wire form.
func (tk *TransformKey) UnmarshalJSON(b []byte) error {
	var w TransformKeyJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("recrypt: decoding transform key: %w", err)
	}
	v, err := w.Value()
	if err != nil {
		return err
	}
	*tk = v
	return nil
}
