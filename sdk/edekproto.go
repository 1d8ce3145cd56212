package sdk

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// The EDEKs of an unmanaged document travel as the protobuf message
// ironcorelabs.proto.EncryptedDeks (spec §5.10, ironoxide's
// proto/transform.proto):
//
//	EncryptedDeks    { repeated EncryptedDek edeks = 1; string documentId = 2; int32 segmentId = 3; }
//	EncryptedDek     { UserOrGroup userOrGroup = 1; EncryptedDekData encryptedDekData = 2; }
//	UserOrGroup      { oneof UserOrGroupId { string userId = 1; string groupId = 2; } PublicKey masterPublicKey = 3; }
//	EncryptedDekData { bytes encryptedBytes = 1; PublicKey ephemeralPublicKey = 2; bytes signature = 3;
//	                   bytes authHash = 4; bytes publicSigningKey = 5; }
//	PublicKey        { bytes x = 1; bytes y = 2; }
//
// Fields are written as ironoxide's rust-protobuf 3 code writes them: in
// field-number order, except that a oneof comes after the message's other
// fields (protobuf-codegen's write_to_with_cached_sizes writes the
// non-oneof fields, then each oneof), so UserOrGroup is masterPublicKey,
// then userId or groupId; proto3 defaults are left out.

// errBadEdeks wraps every reason an EDEK blob does not parse.
var errBadEdeks = errors.New("sdk: not an IronCore EncryptedDeks message")

// edek is one EncryptedDek.
type edek struct {
	to    UserOrGroup
	key   PublicKey
	value encryptedOnce
	raw   []byte // the message as it was read, kept when it is written again
}

// edeks is an EncryptedDeks message.
type edeks struct {
	edeks      []edek
	documentID string
	segmentID  int32
}

func appendBytesField(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendPublicKey(b []byte, num protowire.Number, k PublicKey) []byte {
	var m []byte
	m = appendBytesField(m, 1, k.X)
	m = appendBytesField(m, 2, k.Y)
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

// marshal encodes one EncryptedDek (its raw bytes when it was parsed).
func (e *edek) marshal() []byte {
	if e.raw != nil {
		return e.raw
	}
	var uog []byte
	uog = appendPublicKey(uog, 3, e.key)
	idNum := protowire.Number(1)
	if e.to.Type == "group" {
		idNum = 2
	}
	uog = protowire.AppendTag(uog, idNum, protowire.BytesType)
	uog = protowire.AppendString(uog, e.to.ID)

	var data []byte
	data = appendBytesField(data, 1, e.value.EncryptedMessage)
	data = appendPublicKey(data, 2, e.value.EphemeralPublicKey)
	data = appendBytesField(data, 3, e.value.Signature)
	data = appendBytesField(data, 4, e.value.AuthHash)
	data = appendBytesField(data, 5, e.value.PublicSigningKey)

	var out []byte
	out = appendBytesField(out, 1, uog)
	return appendBytesField(out, 2, data)
}

// marshal encodes the EncryptedDeks message.
func (m *edeks) marshal() []byte {
	var b []byte
	for i := range m.edeks {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, m.edeks[i].marshal())
	}
	if m.documentID != "" {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, m.documentID)
	}
	if m.segmentID != 0 {
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(int64(m.segmentID))) // int32: negative values sign-extend
	}
	return b
}

// eachField calls fn with every field of the message b: its number, wire
// type, and its value (the bytes of a length-delimited field, or the
// varint in v). Fields of other wire types are skipped.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var (
			val []byte
			vi  uint64
		)
		switch typ {
		case protowire.BytesType:
			val, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			vi, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, typ, val, vi); err != nil {
			return err
		}
	}
	return nil
}

// wantBytes checks that a field is length-delimited.
func wantBytes(field string, typ protowire.Type) error {
	if typ != protowire.BytesType {
		return fmt.Errorf("%s: wire type %d, want length-delimited", field, typ)
	}
	return nil
}

// parseEdeks decodes an EncryptedDeks message, checking every EDEK's
// grantee and the sizes of its encrypted value.
func parseEdeks(b []byte) (*edeks, error) {
	var m edeks
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error {
		switch num {
		case 1:
			if err := wantBytes("edeks", typ); err != nil {
				return err
			}
			e, err := parseEdek(v)
			if err != nil {
				return fmt.Errorf("edeks[%d]: %w", len(m.edeks), err)
			}
			m.edeks = append(m.edeks, e)
		case 2:
			if err := wantBytes("documentId", typ); err != nil {
				return err
			}
			if !utf8.Valid(v) {
				return errors.New("documentId is not UTF-8")
			}
			m.documentID = string(v)
		case 3:
			if typ != protowire.VarintType {
				return fmt.Errorf("segmentId: wire type %d, want varint", typ)
			}
			m.segmentID = int32(n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadEdeks, err)
	}
	if m.documentID == "" {
		return nil, fmt.Errorf("%w: no documentId", errBadEdeks)
	}
	return &m, nil
}

func parseEdek(b []byte) (edek, error) {
	e := edek{raw: b}
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1:
			if err := wantBytes("userOrGroup", typ); err != nil {
				return err
			}
			return parseUserOrGroup(v, &e)
		case 2:
			if err := wantBytes("encryptedDekData", typ); err != nil {
				return err
			}
			return parseDekData(v, &e.value)
		}
		return nil
	})
	if err != nil {
		return e, err
	}
	if e.to.ID == "" {
		return e, errors.New("no userId or groupId")
	}
	if len(e.value.EncryptedMessage) != 384 || len(e.value.Signature) != 64 || len(e.value.AuthHash) != 32 || len(e.value.PublicSigningKey) != 32 {
		return e, errors.New("encryptedDekData has fields of the wrong size")
	}
	if err := e.value.EphemeralPublicKey.check(); err != nil {
		return e, fmt.Errorf("ephemeralPublicKey: %w", err)
	}
	return e, nil
}

func parseUserOrGroup(b []byte, e *edek) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1, 2:
			if err := wantBytes("userOrGroup id", typ); err != nil {
				return err
			}
			e.to = User(string(v))
			if num == 2 {
				e.to = Group(string(v))
			}
		case 3:
			if err := wantBytes("masterPublicKey", typ); err != nil {
				return err
			}
			return parseProtoKey(v, &e.key)
		}
		return nil
	})
}

func parseDekData(b []byte, ev *encryptedOnce) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if err := wantBytes("encryptedDekData field", typ); err != nil {
			return err
		}
		switch num {
		case 1:
			ev.EncryptedMessage = v
		case 2:
			return parseProtoKey(v, &ev.EphemeralPublicKey)
		case 3:
			ev.Signature = v
		case 4:
			ev.AuthHash = v
		case 5:
			ev.PublicSigningKey = v
		}
		return nil
	})
}

func parseProtoKey(b []byte, k *PublicKey) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if err := wantBytes("PublicKey field", typ); err != nil {
			return err
		}
		switch num {
		case 1:
			k.X = v
		case 2:
			k.Y = v
		}
		return nil
	})
}
