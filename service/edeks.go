package service

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// encryptedDek is one EDEK of an unmanaged document's EncryptedDeks message (spec §5.10).
type encryptedDek struct {
	to    grantee
	value encryptedOnceJSON
}

// encryptedDeks is the EncryptedDeks message.
type encryptedDeks struct {
	edeks      []encryptedDek
	documentID string
	segmentID  int64
}

// parseEncryptedDeks decodes an EncryptedDeks protobuf message.
func parseEncryptedDeks(b []byte) (*encryptedDeks, error) {
	var m encryptedDeks
	err := eachField(b, func(f protoField) error {
		switch f.num {
		case 1:
			raw, err := bytesField(f, "edeks")
			if err != nil {
				return err
			}
			d, err := parseEncryptedDek(raw)
			if err != nil {
				return fmt.Errorf("edeks[%d]: %w", len(m.edeks), err)
			}
			m.edeks = append(m.edeks, d)
		case 2:
			raw, err := bytesField(f, "documentId")
			if err != nil {
				return err
			}
			if !utf8.Valid(raw) {
				return fmt.Errorf("documentId is not UTF-8")
			}
			m.documentID = string(raw)
		case 3:
			if f.typ != wireVarint {
				return fmt.Errorf("segmentId: wire type %d, want varint", f.typ)
			}
			m.segmentID = int64(int32(f.v)) // int32 on the wire, sign-extended to 64 bits
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func parseEncryptedDek(b []byte) (encryptedDek, error) {
	var d encryptedDek
	var haveTo bool
	err := eachField(b, func(f protoField) error {
		raw, err := bytesField(f, "EncryptedDek field")
		if err != nil {
			return err
		}
		switch f.num {
		case 1: // userOrGroup
			return eachField(raw, func(f protoField) error {
				v, err := bytesField(f, "userOrGroup field")
				if err != nil {
					return err
				}
				switch f.num {
				case 1:
					d.to, haveTo = grantee{id: string(v)}, true
				case 2:
					d.to, haveTo = grantee{group: true, id: string(v)}, true
				}
				return nil
			})
		case 2: // encryptedDekData
			return eachField(raw, func(f protoField) error {
				v, err := bytesField(f, "encryptedDekData field")
				if err != nil {
					return err
				}
				switch f.num {
				case 1:
					d.value.EncryptedMessage = v
				case 2:
					pk := &publicKeyJSON{}
					if err := eachField(v, func(f protoField) error {
						c, err := bytesField(f, "PublicKey field")
						if err != nil {
							return err
						}
						switch f.num {
						case 1:
							pk.X = c
						case 2:
							pk.Y = c
						}
						return nil
					}); err != nil {
						return err
					}
					d.value.EphemeralPublicKey = pk
				case 3:
					d.value.Signature = v
				case 4:
					d.value.AuthHash = v
				case 5:
					d.value.PublicSigningKey = v
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return encryptedDek{}, err
	}
	if !haveTo {
		return encryptedDek{}, fmt.Errorf("userOrGroup has no userId or groupId")
	}
	return d, nil
}

// edekTransformResp is the answer of POST edeks/transform (#29).
type edekTransformResp struct {
	UserOrGroup           userOrGroupJSON  `json:"userOrGroup"`
	EncryptedSymmetricKey *transformedJSON `json:"encryptedSymmetricKey"`
}

// serveEdeksTransform is #29 POST edeks/transform: the body is an unmanaged document's
// EncryptedDeks protobuf; the service picks the caller's EDEK (its own, else one of a group it is
// a member of), checks its signature and transforms it to the calling device.
func (s *Server) serveEdeksTransform(w http.ResponseWriter, _ *http.Request, c *caller, body []byte) error {
	m, err := parseEncryptedDeks(body)
	if err != nil {
		return badRequestf("body is not an EncryptedDeks protobuf: %v", err)
	}
	if m.segmentID != s.project.SegmentID {
		return badRequestf("segmentId %d is not this service's segment", m.segmentID)
	}
	var (
		pick *encryptedDek
		hop  *recrypt.TransformKey
	)
	for i := range m.edeks {
		if d := &m.edeks[i]; !d.to.group && d.to.id == c.user.id {
			pick = d
			break
		}
	}
	if pick == nil {
		for i := range m.edeks {
			d := &m.edeks[i]
			if !d.to.group {
				continue
			}
			g, ok := s.store.groups.get(d.to.id)
			if !ok {
				continue
			}
			g.mu.Lock()
			tk := g.members[c.user.id]
			g.mu.Unlock()
			if tk != nil {
				pick, hop = d, tk
				break
			}
		}
	}
	if pick == nil {
		return forbiddenf("none of the EDEKs is for user %s or a group it belongs to", c.user.id)
	}
	ev, err := pick.value.value("edek")
	if err != nil {
		return err
	}
	hops := []*recrypt.TransformKey{c.device.transformKey}
	if hop != nil {
		hops = []*recrypt.TransformKey{hop, c.device.transformKey}
	}
	key, err := s.transform(ev, hops...)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, edekTransformResp{UserOrGroup: pick.to.json(), EncryptedSymmetricKey: key})
	return nil
}
