package sdk

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// DocumentMetadata is what GET documents/{id} says about a document.
type DocumentMetadata struct {
	ID            string
	Name          string
	Association   string     // "owner", "fromUser" or "fromGroup"
	VisibleUsers  []string   // users with direct access
	VisibleGroups []GroupRef // groups with access
	Created       time.Time
	Updated       time.Time
}

// DocumentGetMetadata returns a document's metadata (GET documents/{id}).
// Phase: http:document_get.
func (s *SDK) DocumentGetMetadata(ctx context.Context, docID string) (*DocumentMetadata, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	id, err := validateID("document", docID)
	if err != nil {
		return nil, err
	}
	data, err := s.do(ctx, "document_get", http.MethodGet, "documents/"+iclEncode(id), "", nil)
	if err != nil {
		return nil, err
	}
	var r documentMetaResp
	if err := decode("document_get", data, &r); err != nil {
		return nil, err
	}
	m := &DocumentMetadata{ID: r.ID, Name: derefString(r.Name), Association: r.Association.Type, Created: r.Created, Updated: r.Updated}
	for _, u := range r.VisibleTo.Users {
		m.VisibleUsers = append(m.VisibleUsers, u.ID)
	}
	for _, g := range r.VisibleTo.Groups {
		m.VisibleGroups = append(m.VisibleGroups, GroupRef{g.ID, derefString(g.Name)})
	}
	return m, nil
}

// GroupRef names a group.
type GroupRef struct {
	ID   string
	Name string // "" when it has none
}

// UnmanagedResult is an unmanaged encryption: the document and its
// encrypted DEKs, both of which the caller stores; the service keeps
// neither.
type UnmanagedResult struct {
	ID            string
	Encrypted     []byte // the version-2 document
	EncryptedDeks []byte // the EncryptedDeks protobuf (spec §5.10)
	Grants        []UserOrGroup
	Failed        []AccessFailure
}

// UnmanagedDecryptResult is a decrypted unmanaged document.
type UnmanagedDecryptResult struct {
	ID        string
	AccessVia UserOrGroup // the grant the service transformed
	Plaintext []byte
}

// UnmanagedAccessResult is the outcome of DocumentGrantAccessUnmanaged.
type UnmanagedAccessResult struct {
	AccessVia     UserOrGroup
	EncryptedDeks []byte // the EDEKs with the new grants; replaces the old ones
	Succeeded     []UserOrGroup
	Failed        []AccessFailure
}

// DocumentEncryptUnmanaged encrypts data as DocumentEncrypt does (opts.Name
// is not used) but creates nothing on the service: the EDEKs come back as
// an EncryptedDeks protobuf. With no grants beyond the caller it makes no
// call. Phases: crypto:dek, crypto:aes, http:user_key_list,
// http:group_key_list and http:policy_get when needed, crypto:encrypt.
func (s *SDK) DocumentEncryptUnmanaged(ctx context.Context, data []byte, opts EncryptOptions) (*UnmanagedResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	doc, err := s.encryptDocument(ctx, data, opts)
	if err != nil {
		return nil, err
	}
	m := edeks{documentID: doc.id, segmentID: int32(s.dc.SegmentID)}
	out := &UnmanagedResult{ID: doc.id, Encrypted: doc.encrypted, Failed: doc.failed}
	for _, g := range doc.grants {
		who := UserOrGroup{Type: g.UserOrGroup.Type, ID: g.UserOrGroup.ID}
		m.edeks = append(m.edeks, edek{to: who, key: *g.UserOrGroup.MasterPublicKey, value: g.encryptedOnce})
		out.Grants = append(out.Grants, who)
	}
	out.EncryptedDeks = m.marshal()
	return out, nil
}

// edekTransform sends the EDEKs to POST edeks/transform (phase
// http:edek_transform) and returns the DEK transformed to this device and
// the grant it came through.
func (s *SDK) edekTransform(ctx context.Context, raw []byte) (*edekTransformResp, error) {
	data, err := s.do(ctx, "edek_transform", http.MethodPost, "edeks/transform", "", raw)
	if err != nil {
		return nil, err
	}
	var r edekTransformResp
	if err := decode("edek_transform", data, &r); err != nil {
		return nil, err
	}
	if err := checkTransformedDEK("edek_transform", r.EncryptedSymmetricKey); err != nil {
		return nil, err
	}
	return &r, nil
}

// DocumentDecryptUnmanaged decrypts an unmanaged document with its EDEKs,
// as ironoxide does: parse both (the document's ID and segment must match
// the EDEKs'), POST edeks/transform with the EDEKs as they are, decrypt the
// DEK, then AES-GCM. Phases: http:edek_transform, crypto:decrypt,
// crypto:aes.
func (s *SDK) DocumentDecryptUnmanaged(ctx context.Context, encrypted, encryptedDeks []byte) (*UnmanagedDecryptResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	m, err := parseEdeks(encryptedDeks)
	if err != nil {
		return nil, err
	}
	h, _, body, err := parseDocument(encrypted)
	if err != nil {
		return nil, err
	}
	if h.DocumentID != m.documentID || h.SegmentID != int64(m.segmentID) {
		return nil, fmt.Errorf("%w: the EDEKs are for document %q in segment %d, the document is %q in segment %d",
			ErrBadDocument, m.documentID, m.segmentID, h.DocumentID, h.SegmentID)
	}
	r, err := s.edekTransform(ctx, encryptedDeks)
	if err != nil {
		return nil, err
	}
	dek, err := timed(ctx, "crypto:decrypt", func() ([]byte, error) {
		return s.c.rc.Decrypt(r.EncryptedSymmetricKey, s.dc.DevicePrivateKey)
	})
	if err != nil {
		return nil, &CryptoError{Op: "decrypt document key", Err: err}
	}
	pt, err := timed(ctx, "crypto:aes", func() ([]byte, error) { return openDocument(deriveSymmetricKey(dek), body) })
	if err != nil {
		return nil, &CryptoError{Op: "decrypt document", Err: err}
	}
	return &UnmanagedDecryptResult{ID: h.DocumentID, AccessVia: r.UserOrGroup, Plaintext: pt}, nil
}

// DocumentGrantAccessUnmanaged grants users and groups access to an
// unmanaged document, as ironoxide does: parse the EDEKs; POST
// edeks/transform; decrypt the DEK; look up the grantees' keys (cached);
// encrypt the DEK to each; return the EDEKs with the old entries of the
// grantees replaced by the new ones appended. Phases: http:edek_transform,
// crypto:decrypt, http:user_key_list, http:group_key_list,
// crypto:encrypt.
func (s *SDK) DocumentGrantAccessUnmanaged(ctx context.Context, encryptedDeks []byte, users, groups []string) (*UnmanagedAccessResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	if len(users) == 0 && len(groups) == 0 {
		return nil, ErrEmptyGrants
	}
	us, err := validIDs("user", users)
	if err != nil {
		return nil, err
	}
	gs, err := validIDs("group", groups)
	if err != nil {
		return nil, err
	}
	m, err := parseEdeks(encryptedDeks)
	if err != nil {
		return nil, err
	}
	r, err := s.edekTransform(ctx, encryptedDeks)
	if err != nil {
		return nil, err
	}
	dek, err := timed(ctx, "crypto:decrypt", func() ([]byte, error) {
		return s.c.rc.Decrypt(r.EncryptedSymmetricKey, s.dc.DevicePrivateKey)
	})
	if err != nil {
		return nil, &CryptoError{Op: "decrypt document key", Err: err}
	}
	grants, failed, err := s.resolveGrants(ctx, us, gs, nil)
	if err != nil {
		return nil, err
	}
	grants = dedupeGrants(grants)
	ags, err := timed(ctx, "crypto:encrypt", func() ([]accessGrant, error) { return s.encryptDEK(s.rand(), dek, grants) })
	if err != nil {
		return nil, &CryptoError{Op: "encrypt document key", Err: err}
	}
	out := &UnmanagedAccessResult{AccessVia: r.UserOrGroup, Failed: failed}
	for _, g := range grants {
		out.Succeeded = append(out.Succeeded, g.who)
	}
	m.edeks = slices.DeleteFunc(m.edeks, func(e edek) bool { return slices.Contains(out.Succeeded, e.to) })
	for i, g := range ags {
		m.edeks = append(m.edeks, edek{to: grants[i].who, key: grants[i].key, value: g.encryptedOnce})
	}
	out.EncryptedDeks = m.marshal()
	return out, nil
}
