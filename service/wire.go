package service

import (
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"time"
)

// This file holds the service's JSON wire types, written from the spec (§5, §6) and kept apart
// from the SDK's so neither can hide the other's mistake. Byte fields are []byte, which
// encoding/json writes and reads as standard base64 with padding, as the spec requires.

// Sizes of binary fields (spec §5.1).
const (
	fieldSize       = 32  // a public key coordinate
	fp12Size        = 384 // encryptedMessage, encryptedTempKey, randomTransformEncryptedTempKey
	g2Size          = 128 // hashedTempKey
	sha256Size      = 32  // authHash
	signingKeySize  = 32  // Ed25519 public key
	signatureSize   = 64  // Ed25519 or Schnorr signature
	masterKeyEnSize = 92  // EncryptedMasterKey
)

// publicKeyJSON is a recrypt public key: {"x","y"}, 32 big-endian bytes each.
type publicKeyJSON struct {
	X []byte `json:"x"`
	Y []byte `json:"y"`
}

func (p *publicKeyJSON) check(field string) error {
	if p == nil {
		return fmt.Errorf("%s is missing", field)
	}
	if len(p.X) != fieldSize || len(p.Y) != fieldSize {
		return fmt.Errorf("%s: x and y must be %d bytes each, got %d and %d", field, fieldSize, len(p.X), len(p.Y))
	}
	return nil
}

// bytes returns x||y.
func (p *publicKeyJSON) bytes() []byte {
	return append(append(make([]byte, 0, 2*fieldSize), p.X...), p.Y...)
}

// equal reports whether p and q are the same key.
func (p *publicKeyJSON) equal(q *publicKeyJSON) bool {
	return p != nil && q != nil && hmac.Equal(p.X, q.X) && hmac.Equal(p.Y, q.Y)
}

// encryptedOnceJSON is a recrypt value encrypted to one public key and not yet transformed
// (spec §5.3); it is flattened into the objects that carry it.
type encryptedOnceJSON struct {
	EncryptedMessage   []byte         `json:"encryptedMessage"`
	EphemeralPublicKey *publicKeyJSON `json:"ephemeralPublicKey"`
	Signature          []byte         `json:"signature"`
	AuthHash           []byte         `json:"authHash"`
	PublicSigningKey   []byte         `json:"publicSigningKey"`
}

func (e *encryptedOnceJSON) check(field string) error {
	switch {
	case len(e.EncryptedMessage) != fp12Size:
		return fmt.Errorf("%s.encryptedMessage must be %d bytes, got %d", field, fp12Size, len(e.EncryptedMessage))
	case len(e.Signature) != signatureSize:
		return fmt.Errorf("%s.signature must be %d bytes, got %d", field, signatureSize, len(e.Signature))
	case len(e.AuthHash) != sha256Size:
		return fmt.Errorf("%s.authHash must be %d bytes, got %d", field, sha256Size, len(e.AuthHash))
	case len(e.PublicSigningKey) != signingKeySize:
		return fmt.Errorf("%s.publicSigningKey must be %d bytes, got %d", field, signingKeySize, len(e.PublicSigningKey))
	}
	return e.EphemeralPublicKey.check(field + ".ephemeralPublicKey")
}

// transformBlockJSON is one proxy hop of a transformed value.
type transformBlockJSON struct {
	EncryptedTempKey                []byte         `json:"encryptedTempKey"`
	PublicKey                       *publicKeyJSON `json:"publicKey"`
	RandomTransformEncryptedTempKey []byte         `json:"randomTransformEncryptedTempKey"`
	RandomTransformPublicKey        *publicKeyJSON `json:"randomTransformPublicKey"`
}

// transformedJSON is a recrypt value after one or more transforms (TransformedEncryptedValue).
type transformedJSON struct {
	encryptedOnceJSON
	TransformBlocks []transformBlockJSON `json:"transformBlocks"`
}

// transformKeyJSON is a recrypt transform key (spec §5.4).
type transformKeyJSON struct {
	EphemeralPublicKey *publicKeyJSON `json:"ephemeralPublicKey"`
	ToPublicKey        *publicKeyJSON `json:"toPublicKey"`
	EncryptedTempKey   []byte         `json:"encryptedTempKey"`
	HashedTempKey      []byte         `json:"hashedTempKey"`
	Signature          []byte         `json:"signature"`
	PublicSigningKey   []byte         `json:"publicSigningKey"`
}

func (t *transformKeyJSON) check(field string) error {
	if t == nil {
		return fmt.Errorf("%s is missing", field)
	}
	switch {
	case len(t.EncryptedTempKey) != fp12Size:
		return fmt.Errorf("%s.encryptedTempKey must be %d bytes, got %d", field, fp12Size, len(t.EncryptedTempKey))
	case len(t.HashedTempKey) != g2Size:
		return fmt.Errorf("%s.hashedTempKey must be %d bytes, got %d", field, g2Size, len(t.HashedTempKey))
	case len(t.Signature) != signatureSize:
		return fmt.Errorf("%s.signature must be %d bytes, got %d", field, signatureSize, len(t.Signature))
	case len(t.PublicSigningKey) != signingKeySize:
		return fmt.Errorf("%s.publicSigningKey must be %d bytes, got %d", field, signingKeySize, len(t.PublicSigningKey))
	}
	if err := t.EphemeralPublicKey.check(field + ".ephemeralPublicKey"); err != nil {
		return err
	}
	return t.ToPublicKey.check(field + ".toPublicKey")
}

// bytes returns the 672 bytes the device-add Schnorr message covers (spec §5.4):
// ephemeralPublicKey || toPublicKey || encryptedTempKey || hashedTempKey || publicSigningKey.
func (t *transformKeyJSON) bytes() []byte {
	b := make([]byte, 0, 672)
	b = append(b, t.EphemeralPublicKey.bytes()...)
	b = append(b, t.ToPublicKey.bytes()...)
	b = append(b, t.EncryptedTempKey...)
	b = append(b, t.HashedTempKey...)
	return append(b, t.PublicSigningKey...)
}

// signedBytes returns what the transform key's own Ed25519 signature covers:
// publicSigningKey || ephemeralPublicKey || toPublicKey || encryptedTempKey.
func (t *transformKeyJSON) signedBytes() []byte {
	b := make([]byte, 0, 32+64+64+384)
	b = append(b, t.PublicSigningKey...)
	b = append(b, t.EphemeralPublicKey.bytes()...)
	b = append(b, t.ToPublicKey.bytes()...)
	return append(b, t.EncryptedTempKey...)
}

// ---- users (spec §6.1) ----

// userResp is the answer of user verify (#1), create (#2) and update (#4, #9).
type userResp struct {
	ID                  string         `json:"id"`
	Status              int            `json:"status"`
	SegmentID           int64          `json:"segmentId"`
	UserPrivateKey      []byte         `json:"userPrivateKey"`
	UserMasterPublicKey *publicKeyJSON `json:"userMasterPublicKey"`
	NeedsRotation       bool           `json:"needsRotation"`
}

// currentUserResp is the answer of GET users/current (#5).
type currentUserResp struct {
	CurrentKeyID          uint64         `json:"currentKeyId"`
	ID                    string         `json:"id"`
	Status                int            `json:"status"`
	SegmentID             int64          `json:"segmentId"`
	UserMasterPublicKey   *publicKeyJSON `json:"userMasterPublicKey"`
	UserPrivateKey        []byte         `json:"userPrivateKey"`
	NeedsRotation         bool           `json:"needsRotation"`
	GroupsNeedingRotation []string       `json:"groupsNeedingRotation"`
}

type userCreateReq struct {
	UserPublicKey  *publicKeyJSON `json:"userPublicKey"`
	UserPrivateKey []byte         `json:"userPrivateKey"`
	NeedsRotation  bool           `json:"needsRotation"`
}

type deviceAddReq struct {
	Timestamp json.RawMessage `json:"timestamp"` // a JSON number, kept as sent: the Schnorr message holds its digits
	Device    *struct {
		TransformKey *transformKeyJSON `json:"transformKey"`
		Name         *string           `json:"name"`
	} `json:"device"`
	Signature     []byte         `json:"signature"`
	UserPublicKey *publicKeyJSON `json:"userPublicKey"`
}

// deviceResp is a device in device add (#3) and list (#7) answers.
type deviceResp struct {
	ID              uint64    `json:"id"`
	Name            *string   `json:"name"`
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
	IsCurrentDevice *bool     `json:"isCurrentDevice,omitempty"`
}

// userUpdateReq is the body of PUT users/{id}: status only with a JWT (#4); a new escrowed
// private key or status 0 when device-signed (#9).
type userUpdateReq struct {
	UserPrivateKey []byte `json:"userPrivateKey"`
	Status         *int   `json:"status"`
}

type userKeyResp struct {
	ID                  string         `json:"id"`
	UserMasterPublicKey *publicKeyJSON `json:"userMasterPublicKey"`
}

type resultList[T any] struct {
	Result []T `json:"result"`
}

// ---- groups (spec §6.2) ----

type groupAdminJSON struct {
	User *struct {
		UserID              string         `json:"userId"`
		UserMasterPublicKey *publicKeyJSON `json:"userMasterPublicKey"`
	} `json:"user"`
	encryptedOnceJSON
}

type groupMemberJSON struct {
	UserID              string            `json:"userId"`
	TransformKey        *transformKeyJSON `json:"transformKey"`
	UserMasterPublicKey *publicKeyJSON    `json:"userMasterPublicKey"`
}

type groupCreateReq struct {
	ID             *string           `json:"id"`
	Name           *string           `json:"name"`
	Owner          *string           `json:"owner"`
	Admins         []groupAdminJSON  `json:"admins"`
	Members        []groupMemberJSON `json:"members"`
	GroupPublicKey *publicKeyJSON    `json:"groupPublicKey"`
	NeedsRotation  bool              `json:"needsRotation"`
}

// groupResp is every group answer: GroupBasic (list, update) plus the fields of create and get,
// present when they apply. Admin and member IDs, when sent, are lists even when empty (ironoxide's
// create answer needs them); needsRotation goes to the group's admins only, the users who can
// rotate it (ironoxide's rotation check takes every group flagged in GET groups as its own).
type groupResp struct {
	ID                   string           `json:"id"`
	CurrentKeyID         uint64           `json:"currentKeyId"`
	Name                 *string          `json:"name"`
	Permissions          []string         `json:"permissions"`
	Status               int              `json:"status"`
	Updated              time.Time        `json:"updated"`
	Created              time.Time        `json:"created"`
	Owner                string           `json:"owner,omitempty"`
	AdminIDs             []string         `json:"adminIds,omitzero"`  // nil: not sent; empty: []
	MemberIDs            []string         `json:"memberIds,omitzero"` // nil: not sent; empty: []
	GroupMasterPublicKey *publicKeyJSON   `json:"groupMasterPublicKey"`
	EncryptedPrivateKey  *transformedJSON `json:"encryptedPrivateKey,omitempty"`
	NeedsRotation        *bool            `json:"needsRotation,omitempty"` // admins only
}

type groupAddMembersReq struct {
	Users     []groupMemberJSON `json:"users"`
	Signature []byte            `json:"signature"`
}

type groupAddAdminsReq struct {
	Admins    []groupAdminJSON `json:"admins"`
	Signature []byte           `json:"signature"`
}

type groupRemoveReq struct {
	Users []struct {
		UserID string `json:"userId"`
	} `json:"users"`
}

type userIDJSON struct {
	UserID string `json:"userId"`
}

type failedUserJSON struct {
	UserID       string `json:"userId"`
	ErrorMessage string `json:"errorMessage"`
}

// groupUserEditResp is GroupUserEdit.
type groupUserEditResp struct {
	SucceededIDs []userIDJSON     `json:"succeededIds"`
	FailedIDs    []failedUserJSON `json:"failedIds"`
}

type nameReq struct {
	Name *string `json:"name"`
}

// ---- documents (spec §6.3) ----

type userOrGroupJSON struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type userOrGroupWithKeyJSON struct {
	Type            string         `json:"type"`
	ID              string         `json:"id"`
	MasterPublicKey *publicKeyJSON `json:"masterPublicKey,omitempty"`
}

type accessGrantJSON struct {
	UserOrGroup *userOrGroupWithKeyJSON `json:"userOrGroup"`
	encryptedOnceJSON
}

type documentCreateReq struct {
	ID    string `json:"id"`
	Value *struct {
		Name       *string           `json:"name"`
		SharedWith []accessGrantJSON `json:"sharedWith"`
	} `json:"value"`
}

type documentCreateResp struct {
	ID         string            `json:"id"`
	Name       *string           `json:"name"`
	Updated    time.Time         `json:"updated"`
	Created    time.Time         `json:"created"`
	SharedWith []accessGrantJSON `json:"sharedWith"`
}

type associationJSON struct {
	Type string `json:"type"`
}

type docListItem struct {
	ID          string          `json:"id"`
	Name        *string         `json:"name"`
	Association associationJSON `json:"association"`
	Created     time.Time       `json:"created"`
	Updated     time.Time       `json:"updated"`
}

type visibleGroupJSON struct {
	ID   string  `json:"id"`
	Name *string `json:"name"`
}

type visibleUserJSON struct {
	ID string `json:"id"`
}

type documentMetaResp struct {
	ID          string          `json:"id"`
	Name        *string         `json:"name"`
	Association associationJSON `json:"association"`
	VisibleTo   struct {
		Users  []visibleUserJSON  `json:"users"`
		Groups []visibleGroupJSON `json:"groups"`
	} `json:"visibleTo"`
	EncryptedSymmetricKey *transformedJSON `json:"encryptedSymmetricKey"`
	Updated               time.Time        `json:"updated"`
	Created               time.Time        `json:"created"`
}

type grantReq struct {
	FromPublicKey *publicKeyJSON    `json:"fromPublicKey"`
	To            []accessGrantJSON `json:"to"`
}

type revokeReq struct {
	UserOrGroups []userOrGroupJSON `json:"userOrGroups"`
}

type accessSucceededJSON struct {
	UserOrGroup userOrGroupJSON `json:"userOrGroup"`
}

type accessFailedJSON struct {
	UserOrGroup  userOrGroupJSON `json:"userOrGroup"`
	ErrorMessage string          `json:"errorMessage"`
}

// documentAccessResp is DocumentAccess, the answer of grant (#26) and revoke (#27).
type documentAccessResp struct {
	SucceededIDs []accessSucceededJSON `json:"succeededIds"`
	FailedIDs    []accessFailedJSON    `json:"failedIds"`
}
