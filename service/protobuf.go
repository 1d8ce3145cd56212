package service

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A minimal reader of the protobuf wire format, enough for the EncryptedDeks message of
// unmanaged documents (spec §5.10): varints and length-delimited fields. Groups (wire types 3
// and 4) are refused; unknown fields of other types are skipped, as proto3 parsers do.

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// protoField is one decoded field: its number and type, with the value in v (varints) or b
// (length-delimited, aliasing the input).
type protoField struct {
	num  uint64
	typ  int
	v    uint64
	b    []byte
	rest []byte
}

var errProtoTruncated = errors.New("truncated protobuf")

// nextField decodes the field at the start of b.
func nextField(b []byte) (protoField, error) {
	key, n := binary.Uvarint(b)
	if n <= 0 {
		return protoField{}, errProtoTruncated
	}
	f := protoField{num: key >> 3, typ: int(key & 7)}
	if f.num == 0 {
		return protoField{}, errors.New("protobuf field number 0")
	}
	b = b[n:]
	switch f.typ {
	case wireVarint:
		f.v, n = binary.Uvarint(b)
		if n <= 0 {
			return protoField{}, errProtoTruncated
		}
		f.rest = b[n:]
	case wireFixed64, wireFixed32:
		size := 8
		if f.typ == wireFixed32 {
			size = 4
		}
		if len(b) < size {
			return protoField{}, errProtoTruncated
		}
		f.rest = b[size:]
	case wireBytes:
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return protoField{}, errProtoTruncated
		}
		f.b, f.rest = b[n:n+int(l)], b[n+int(l):]
	default:
		return protoField{}, fmt.Errorf("protobuf wire type %d is not supported", f.typ)
	}
	return f, nil
}

// eachField calls fn for every field of message b, stopping at the first error.
func eachField(b []byte, fn func(f protoField) error) error {
	for len(b) > 0 {
		f, err := nextField(b)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
		b = f.rest
	}
	return nil
}

// bytesField checks that f is length-delimited and returns its bytes.
func bytesField(f protoField, name string) ([]byte, error) {
	if f.typ != wireBytes {
		return nil, fmt.Errorf("%s: wire type %d, want length-delimited", name, f.typ)
	}
	return f.b, nil
}
