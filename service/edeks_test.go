package service

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
)

// pbBytes appends field num as a length-delimited field.
func pbBytes(b []byte, num int, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(num)<<3|wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// pbVarint appends field num as a varint.
func pbVarint(b []byte, num int, v uint64) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(b, uint64(num)<<3|wireVarint), v)
}

// pbEdek encodes one EncryptedDek for a user (group false) or group.
func pbEdek(group bool, id string, ev encryptedOnceJSON) []byte {
	idField := 1
	if group {
		idField = 2
	}
	var pk []byte
	pk = pbBytes(pk, 1, ev.EphemeralPublicKey.X)
	pk = pbBytes(pk, 2, ev.EphemeralPublicKey.Y)
	var data []byte
	data = pbBytes(data, 1, ev.EncryptedMessage)
	data = pbBytes(data, 2, pk)
	data = pbBytes(data, 3, ev.Signature)
	data = pbBytes(data, 4, ev.AuthHash)
	data = pbBytes(data, 5, ev.PublicSigningKey)
	var dek []byte
	dek = pbBytes(dek, 1, pbBytes(nil, idField, []byte(id)))
	return pbBytes(dek, 2, data)
}

func TestEdeksTransform(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	author, member, outsider := e.newUser("sam"), e.newUser("tia"), e.newUser("uma")
	g := e.createGroup(author, "unit")
	body := mustJSON(t, map[string]any{"users": []any{e.memberEntry(author, member, g)}, "signature": e.groupSignature(g)})
	if status, b := e.v2(author, "POST", "groups/unit/users", body); status != 200 {
		t.Fatalf("add member: %d %s", status, b)
	}
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		t.Fatal(err)
	}
	msg := pbBytes(nil, 1, pbEdek(false, "sam", e.encryptTo(author, pt, author.pk)))
	msg = pbBytes(msg, 1, pbEdek(true, "unit", e.encryptTo(author, pt, g.pk)))
	msg = pbBytes(msg, 2, []byte("unmanaged-doc"))
	msg = pbVarint(msg, 3, uint64(e.s.Project().SegmentID))

	for _, tc := range []struct {
		u      *tuser
		via    string
		blocks int
	}{{author, "user", 1}, {member, "group", 2}} {
		status, b := e.v2(tc.u, "POST", "edeks/transform", msg)
		if status != 200 {
			t.Fatalf("%s: %d %s", tc.u.id, status, b)
		}
		var resp edekTransformResp
		if err := json.Unmarshal(b, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.UserOrGroup.Type != tc.via || len(resp.EncryptedSymmetricKey.TransformBlocks) != tc.blocks {
			t.Errorf("%s: via %+v with %d blocks, want %s with %d", tc.u.id, resp.UserOrGroup, len(resp.EncryptedSymmetricKey.TransformBlocks), tc.via, tc.blocks)
		}
		if got, err := recryptDecrypt(t, resp.EncryptedSymmetricKey, tc.u); err != nil || !got.Equal(pt) {
			t.Errorf("%s decrypts: %v", tc.u.id, err)
		}
	}

	refusals := []struct {
		name   string
		u      *tuser
		body   []byte
		status int
		want   string
	}{
		{"no EDEK for the caller", outsider, msg, 403, "none of the EDEKs"},
		{"truncated", author, msg[:len(msg)-40], 400, "not an EncryptedDeks"},
		{"wrong segment", author, pbVarint(msg, 3, 999999999), 400, "segmentId"},
		{"JSON instead", author, []byte(`{"edeks":[]}`), 400, "not an EncryptedDeks"},
		{"forged EDEK", author, func() []byte {
			ev := e.encryptTo(author, pt, author.pk)
			ev.Signature = make([]byte, 64)
			return pbVarint(pbBytes(nil, 1, pbEdek(false, "sam", ev)), 3, uint64(e.s.Project().SegmentID))
		}(), 400, "signature does not verify"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			status, b := e.v2(tt.u, "POST", "edeks/transform", tt.body)
			if status != tt.status {
				t.Fatalf("status %d %s, want %d", status, b, tt.status)
			}
			if errs := errorBody(t, b); !strings.Contains(errs[0].Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", errs[0].Message, tt.want)
			}
		})
	}
}

// FuzzParseEncryptedDeks checks that the protobuf reader never panics.
func FuzzParseEncryptedDeks(f *testing.F) {
	f.Add(pbVarint(pbBytes(nil, 2, []byte("doc")), 3, 7))
	f.Add([]byte{0x0a, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseEncryptedDeks(b)
	})
}
