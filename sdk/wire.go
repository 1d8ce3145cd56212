package sdk

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// PublicKey is a recrypt public key, the affine point (X, Y) with each
// coordinate 32 bytes big-endian. Its JSON form is {"x":"b64","y":"b64"}.
type PublicKey struct {
	X []byte `json:"x"`
	Y []byte `json:"y"`
}

// Bytes returns X || Y, the 64-byte form that is hashed and signed.
func (k PublicKey) Bytes() []byte {
	b := make([]byte, 0, 64)
	return append(append(b, k.X...), k.Y...)
}

// Equal reports whether k and o are the same key.
func (k PublicKey) Equal(o PublicKey) bool { return bytes.Equal(k.X, o.X) && bytes.Equal(k.Y, o.Y) }

func (k PublicKey) check() error {
	if len(k.X) != 32 || len(k.Y) != 32 {
		return fmt.Errorf("public key coordinates are %d and %d bytes, want 32", len(k.X), len(k.Y))
	}
	return nil
}

// encryptedOnce is a recrypt EncryptedOnceValue in ironoxide's field order
// (§5.3); it is embedded, and so flattened, into its parents.
type encryptedOnce struct {
	EncryptedMessage   []byte    `json:"encryptedMessage"`
	EphemeralPublicKey PublicKey `json:"ephemeralPublicKey"`
	Signature          []byte    `json:"signature"`
	AuthHash           []byte    `json:"authHash"`
	PublicSigningKey   []byte    `json:"publicSigningKey"`
}

// transformBlock is one proxy hop of a transformed value.
type transformBlock struct {
	EncryptedTempKey                []byte    `json:"encryptedTempKey"`
	PublicKey                       PublicKey `json:"publicKey"`
	RandomTransformEncryptedTempKey []byte    `json:"randomTransformEncryptedTempKey"`
	RandomTransformPublicKey        PublicKey `json:"randomTransformPublicKey"`
}

// transformedValue is what the service returns: a value transformed to the
// calling device, one block per hop.
type transformedValue struct {
	encryptedOnce
	TransformBlocks []transformBlock `json:"transformBlocks"`
}

// checkTransformedDEK checks the document key a call (document_get,
// edek_transform) answered with: present and well formed, else a
// ProtocolError naming the call.
func checkTransformedDEK(call string, v *transformedValue) error {
	if v == nil {
		return &ProtocolError{Call: call, Err: errors.New("no encryptedSymmetricKey")}
	}
	if err := v.check(); err != nil {
		return &ProtocolError{Call: call, Err: err}
	}
	return nil
}

func (v *transformedValue) check() error {
	if len(v.TransformBlocks) == 0 {
		return errors.New("encrypted value has no transform blocks")
	}
	if len(v.EncryptedMessage) != 384 || len(v.AuthHash) != 32 || len(v.PublicSigningKey) != 32 || len(v.Signature) != 64 {
		return errors.New("encrypted value has fields of the wrong size")
	}
	if err := v.EphemeralPublicKey.check(); err != nil {
		return err
	}
	for _, b := range v.TransformBlocks {
		if len(b.EncryptedTempKey) != 384 || len(b.RandomTransformEncryptedTempKey) != 384 {
			return errors.New("transform block has fields of the wrong size")
		}
		if err := b.PublicKey.check(); err != nil {
			return err
		}
		if err := b.RandomTransformPublicKey.check(); err != nil {
			return err
		}
	}
	return nil
}

// transformKey is a recrypt transform key in ironoxide's JSON (§5.4).
type transformKey struct {
	EphemeralPublicKey PublicKey `json:"ephemeralPublicKey"`
	ToPublicKey        PublicKey `json:"toPublicKey"`
	EncryptedTempKey   []byte    `json:"encryptedTempKey"`
	HashedTempKey      []byte    `json:"hashedTempKey"`
	Signature          []byte    `json:"signature"`
	PublicSigningKey   []byte    `json:"publicSigningKey"`
}

// bytes returns the 672 bytes the device-add Schnorr message holds:
// ephemeral(64) || to(64) || encryptedTempKey(384) || hashedTempKey(128) ||
// publicSigningKey(32).
func (t *transformKey) bytes() []byte {
	b := make([]byte, 0, 672)
	b = append(b, t.EphemeralPublicKey.Bytes()...)
	b = append(b, t.ToPublicKey.Bytes()...)
	b = append(b, t.EncryptedTempKey...)
	b = append(b, t.HashedTempKey...)
	return append(b, t.PublicSigningKey...)
}

// User requests and responses (§6.1).

type userCreateReq struct {
	UserPublicKey  PublicKey `json:"userPublicKey"`
	UserPrivateKey []byte    `json:"userPrivateKey"`
	NeedsRotation  bool      `json:"needsRotation"`
}

type userResp struct {
	ID                  string    `json:"id"`
	Status              int       `json:"status"`
	SegmentID           int64     `json:"segmentId"`
	UserPrivateKey      []byte    `json:"userPrivateKey"`
	UserMasterPublicKey PublicKey `json:"userMasterPublicKey"`
	NeedsRotation       bool      `json:"needsRotation"`
}

type deviceAddReq struct {
	Timestamp uint64        `json:"timestamp"`
	Device    deviceAddBody `json:"device"`
	Signature []byte        `json:"signature"`
	UserKey   PublicKey     `json:"userPublicKey"`
}

type deviceAddBody struct {
	TransformKey transformKey `json:"transformKey"`
	Name         *string      `json:"name"`
}

type deviceResp struct {
	ID        uint64    `json:"id"`
	Name      *string   `json:"name"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	IsCurrent bool      `json:"isCurrentDevice"`
}

type currentUserResp struct {
	CurrentKeyID          uint64    `json:"currentKeyId"`
	ID                    string    `json:"id"`
	Status                int       `json:"status"`
	SegmentID             int64     `json:"segmentId"`
	UserMasterPublicKey   PublicKey `json:"userMasterPublicKey"`
	UserPrivateKey        []byte    `json:"userPrivateKey"`
	NeedsRotation         bool      `json:"needsRotation"`
	GroupsNeedingRotation []string  `json:"groupsNeedingRotation"`
}

type userKeyListResp struct {
	Result []struct {
		ID                  string    `json:"id"`
		UserMasterPublicKey PublicKey `json:"userMasterPublicKey"`
	} `json:"result"`
}

// Group requests and responses (§6.2).

type groupUser struct {
	UserID              string    `json:"userId"`
	UserMasterPublicKey PublicKey `json:"userMasterPublicKey"`
}

type groupAdmin struct {
	User groupUser `json:"user"`
	encryptedOnce
}

type groupMember struct {
	UserID              string       `json:"userId"`
	TransformKey        transformKey `json:"transformKey"`
	UserMasterPublicKey PublicKey    `json:"userMasterPublicKey"`
}

type groupCreateReq struct {
	ID             *string        `json:"id"`
	Name           *string        `json:"name"`
	Owner          *string        `json:"owner"`
	Admins         []groupAdmin   `json:"admins"`
	Members        *[]groupMember `json:"members"`
	GroupPublicKey PublicKey      `json:"groupPublicKey"`
	NeedsRotation  bool           `json:"needsRotation"`
}

type groupResp struct {
	ID                   string            `json:"id"`
	CurrentKeyID         uint64            `json:"currentKeyId"`
	Name                 *string           `json:"name"`
	Permissions          []string          `json:"permissions"`
	Status               int               `json:"status"`
	Updated              time.Time         `json:"updated"`
	Created              time.Time         `json:"created"`
	Owner                *string           `json:"owner"`
	AdminIDs             []string          `json:"adminIds"`
	MemberIDs            []string          `json:"memberIds"`
	GroupMasterPublicKey PublicKey         `json:"groupMasterPublicKey"`
	EncryptedPrivateKey  *transformedValue `json:"encryptedPrivateKey"`
	NeedsRotation        *bool             `json:"needsRotation"`
}

type groupListResp struct {
	Result []groupResp `json:"result"`
}

type groupAddMembersReq struct {
	Users     []groupMember `json:"users"`
	Signature []byte        `json:"signature"`
}

type groupAddAdminsReq struct {
	Admins    []groupAdmin `json:"admins"`
	Signature []byte       `json:"signature"`
}

type groupUserEditResp struct {
	SucceededIDs []struct {
		UserID string `json:"userId"`
	} `json:"succeededIds"`
	FailedIDs []struct {
		UserID       string `json:"userId"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"failedIds"`
}

// Document requests and responses (§6.3).

type userOrGroupWithKey struct {
	Type            string     `json:"type"`
	ID              string     `json:"id"`
	MasterPublicKey *PublicKey `json:"masterPublicKey"`
}

type accessGrant struct {
	UserOrGroup userOrGroupWithKey `json:"userOrGroup"`
	encryptedOnce
}

type documentCreateReq struct {
	ID    string              `json:"id"`
	Value documentCreateValue `json:"value"`
}

type documentCreateValue struct {
	Name       *string       `json:"name"`
	SharedWith []accessGrant `json:"sharedWith"`
}

type documentCreateResp struct {
	ID         string    `json:"id"`
	Name       *string   `json:"name"`
	Updated    time.Time `json:"updated"`
	Created    time.Time `json:"created"`
	SharedWith []struct {
		UserOrGroup UserOrGroup `json:"userOrGroup"`
	} `json:"sharedWith"`
}

type documentListResp struct {
	Result []struct {
		ID          string  `json:"id"`
		Name        *string `json:"name"`
		Association struct {
			Type string `json:"type"`
		} `json:"association"`
		Created time.Time `json:"created"`
		Updated time.Time `json:"updated"`
	} `json:"result"`
}

type documentMetaResp struct {
	ID          string  `json:"id"`
	Name        *string `json:"name"`
	Association struct {
		Type string `json:"type"`
	} `json:"association"`
	VisibleTo struct {
		Users []struct {
			ID string `json:"id"`
		} `json:"users"`
		Groups []struct {
			ID   string  `json:"id"`
			Name *string `json:"name"`
		} `json:"groups"`
	} `json:"visibleTo"`
	EncryptedSymmetricKey *transformedValue `json:"encryptedSymmetricKey"`
	Updated               time.Time         `json:"updated"`
	Created               time.Time         `json:"created"`
}

type documentGrantReq struct {
	FromPublicKey PublicKey     `json:"fromPublicKey"`
	To            []accessGrant `json:"to"`
}

type documentRevokeReq struct {
	UserOrGroups []UserOrGroup `json:"userOrGroups"`
}

type documentAccessResp struct {
	SucceededIDs []struct {
		UserOrGroup UserOrGroup `json:"userOrGroup"`
	} `json:"succeededIds"`
	FailedIDs []struct {
		UserOrGroup  UserOrGroup `json:"userOrGroup"`
		ErrorMessage string      `json:"errorMessage"`
	} `json:"failedIds"`
}

// UserOrGroup names a user or a group in a document's access list. Its JSON
// form is {"type":"user"|"group","id":"…"}.
type UserOrGroup struct {
	Type string `json:"type"` // "user" or "group"
	ID   string `json:"id"`
}

// User returns the UserOrGroup for user id.
func User(id string) UserOrGroup { return UserOrGroup{Type: "user", ID: id} }

// Group returns the UserOrGroup for group id.
func Group(id string) UserOrGroup { return UserOrGroup{Type: "group", ID: id} }

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// User updates and key rotation (§6.1 #4, #9, #10).

type userUpdateStatusReq struct {
	Status int `json:"status"`
}

// userUpdateReq leaves out what is not set, as ironoxide's UserUpdateReq.
type userUpdateReq struct {
	UserPrivateKey []byte `json:"userPrivateKey,omitempty"`
	Status         *int   `json:"status,omitempty"`
}

type userKeyUpdateReq struct {
	UserPrivateKey     []byte `json:"userPrivateKey"`
	AugmentationFactor []byte `json:"augmentationFactor"`
}

type userKeyUpdateResp struct {
	CurrentKeyID   uint64 `json:"currentKeyId"`
	UserPrivateKey []byte `json:"userPrivateKey"`
	NeedsRotation  bool   `json:"needsRotation"`
}

// Group edits and key rotation (§6.2 #15, #19–#21).

type groupUpdateReq struct {
	Name *string `json:"name"`
}

type groupUserID struct {
	UserID string `json:"userId"`
}

type groupRemoveReq struct {
	Users []groupUserID `json:"users"`
}

type groupKeyUpdateReq struct {
	Admins             []groupAdmin `json:"admins"`
	AugmentationFactor []byte       `json:"augmentationFactor"`
}

type groupKeyUpdateResp struct {
	GroupKeyID    uint64 `json:"groupKeyId"`
	GroupID       string `json:"groupId"`
	NeedsRotation bool   `json:"needsRotation"`
}

// Policies and unmanaged documents (§6.3 #28, #29).

type policyResp struct {
	UsersAndGroups        []userOrGroupWithKey `json:"usersAndGroups"`
	InvalidUsersAndGroups []UserOrGroup        `json:"invalidUsersAndGroups"`
}

type edekTransformResp struct {
	UserOrGroup           UserOrGroup       `json:"userOrGroup"`
	EncryptedSymmetricKey *transformedValue `json:"encryptedSymmetricKey"`
}
