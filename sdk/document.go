package sdk

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// EncryptOptions are the optional settings of DocumentEncrypt.
type EncryptOptions struct {
	ID     string   // empty: 16 random bytes in hex, made on the client
	Name   string   // empty: none
	Users  []string // users to grant access to, besides the caller
	Groups []string // groups to grant access to
	// Policy, when set, adds the users and groups the service's policy
	// names for these labels (GET policies, through the SDK's policy cache).
	Policy *PolicyGrant
	// NoSelfGrant leaves the caller out of the grants (ironoxide's
	// grant_to_author = false); then Users, Groups or Policy must name
	// someone.
	NoSelfGrant bool
}

// EncryptResult is an encrypted document and what the service recorded.
type EncryptResult struct {
	ID        string
	Name      string
	Encrypted []byte // the version-2 document: header, IV, ciphertext, tag
	Created   time.Time
	Updated   time.Time
	Grants    []UserOrGroup   // who can decrypt it
	Failed    []AccessFailure // grants that could not be made
}

// DecryptResult is a decrypted document.
type DecryptResult struct {
	ID        string
	Name      string
	Plaintext []byte
	Created   time.Time
	Updated   time.Time
}

// DocumentInfo is one entry of DocumentList.
type DocumentInfo struct {
	ID          string
	Name        string
	Association string // "owner", "fromUser" or "fromGroup"
	Created     time.Time
	Updated     time.Time
}

// AccessResult is the outcome of a grant or revoke.
type AccessResult struct {
	Succeeded []UserOrGroup
	Failed    []AccessFailure
}

// grantee is a user or group with its public key.
type grantee struct {
	who UserOrGroup
	key PublicKey
}

// DocumentEncrypt encrypts data as a managed document, as ironoxide does:
// a new document key (DEK); AES-256-GCM of data under SHA-256(DEK) while the
// grantees' keys are looked up (cached; no call for the caller alone) and
// the policy evaluated (cached); the DEK encrypted to each grantee (caller
// first, then users, groups and the policy's grantees, without
// duplicates); then POST documents with the encrypted DEKs. The data itself
// is never sent. Phases: crypto:dek, crypto:aes, http:user_key_list,
// http:group_key_list and http:policy_get when needed, crypto:encrypt,
// http:document_create.
func (s *SDK) DocumentEncrypt(ctx context.Context, data []byte, opts EncryptOptions) (*EncryptResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	var name *string
	if opts.Name != "" {
		v, err := validateName("document", opts.Name)
		if err != nil {
			return nil, err
		}
		name = &v
	}
	doc, err := s.encryptDocument(ctx, data, opts)
	if err != nil {
		return nil, err
	}
	body, err := marshal(documentCreateReq{ID: doc.id, Value: documentCreateValue{Name: name, SharedWith: doc.grants}})
	if err != nil {
		return nil, err
	}
	resp, err := s.do(ctx, "document_create", http.MethodPost, "documents", "", body)
	if err != nil {
		return nil, err
	}
	var r documentCreateResp
	if err := decode("document_create", resp, &r); err != nil {
		return nil, err
	}
	out := &EncryptResult{ID: r.ID, Name: derefString(r.Name), Encrypted: doc.encrypted, Created: r.Created, Updated: r.Updated, Failed: doc.failed}
	for _, g := range r.SharedWith {
		out.Grants = append(out.Grants, g.UserOrGroup)
	}
	return out, nil
}

// encryptedDoc is the client-side work of an encryption.
type encryptedDoc struct {
	id        string
	encrypted []byte        // the version-2 document
	grants    []accessGrant // the DEK encrypted to each grantee
	failed    []AccessFailure
}

// encryptDocument is what managed and unmanaged encryption share: the DEK,
// the document ID, AES-GCM of data while the grantees are resolved, and the
// DEK encrypted to each (phases crypto:dek, crypto:aes, the lookups,
// crypto:encrypt).
func (s *SDK) encryptDocument(ctx context.Context, data []byte, opts EncryptOptions) (*encryptedDoc, error) {
	users, err := validIDs("user", opts.Users)
	if err != nil {
		return nil, err
	}
	groups, err := validIDs("group", opts.Groups)
	if err != nil {
		return nil, err
	}
	rnd := s.rand()
	dek, err := timed(ctx, "crypto:dek", func() ([]byte, error) { return s.c.rc.GenPlaintext(rnd) })
	if err != nil {
		return nil, &CryptoError{Op: "document key", Err: err}
	}
	docID := opts.ID
	if docID == "" {
		b := make([]byte, 16)
		if _, err := io.ReadFull(rnd, b); err != nil {
			return nil, &CryptoError{Op: "document id", Err: err}
		}
		docID = hex.EncodeToString(b)
	} else if docID, err = validateID("document", docID); err != nil {
		return nil, err
	}
	header, err := packHeader(docID, s.dc.SegmentID)
	if err != nil {
		return nil, err
	}

	doc := &encryptedDoc{id: docID}
	var grants []grantee
	seal := func() (err error) {
		doc.encrypted, err = timed(ctx, "crypto:aes", func() ([]byte, error) {
			return sealDocument(header, deriveSymmetricKey(dek), data, rnd)
		})
		if err != nil {
			return &CryptoError{Op: "encrypt document", Err: err}
		}
		return nil
	}
	if len(users) == 0 && len(groups) == 0 && opts.Policy == nil {
		if err := seal(); err != nil {
			return nil, err
		}
	} else {
		eg, ectx := errgroup.WithContext(ctx)
		eg.Go(seal)
		eg.Go(func() (err error) {
			grants, doc.failed, err = s.resolveGrants(ectx, users, groups, opts.Policy)
			return err
		})
		if err := eg.Wait(); err != nil {
			return nil, err
		}
	}
	if !opts.NoSelfGrant {
		grants = append([]grantee{{User(s.dc.AccountID), s.userKey}}, grants...)
	}
	grants = dedupeGrants(grants)
	if len(grants) == 0 {
		return nil, fmt.Errorf("sdk: document_encrypt %q: %w", docID, ErrEmptyGrants)
	}
	doc.grants, err = timed(ctx, "crypto:encrypt", func() ([]accessGrant, error) { return s.encryptDEK(rnd, dek, grants) })
	if err != nil {
		return nil, &CryptoError{Op: "encrypt document key", Err: err}
	}
	return doc, nil
}

// resolveGrants looks up the keys of users and groups and evaluates the
// policy, if any, at the same time, through the caches, as ironoxide's
// resolve_keys_for_grants: grants in the order users, groups, policy;
// failures in the order groups, users, policy.
func (s *SDK) resolveGrants(ctx context.Context, users, groups []string, policy *PolicyGrant) ([]grantee, []AccessFailure, error) {
	var (
		uk, gk     map[string]PublicKey
		unkU, unkG []string
		pg         []grantee
		pf         []AccessFailure
	)
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() (err error) { uk, unkU, err = s.userKeysFor(ectx, users, true); return err })
	eg.Go(func() (err error) { gk, unkG, err = s.groupKeysFor(ectx, groups); return err })
	if policy != nil {
		eg.Go(func() (err error) { pg, pf, err = s.policyGrants(ectx, *policy); return err })
	}
	if err := eg.Wait(); err != nil {
		return nil, nil, err
	}
	var out []grantee
	var failed []AccessFailure
	for _, u := range users {
		if k, ok := uk[u]; ok {
			out = append(out, grantee{User(u), k})
		}
	}
	for _, g := range groups {
		if k, ok := gk[g]; ok {
			out = append(out, grantee{Group(g), k})
		}
	}
	for _, g := range unkG {
		failed = append(failed, AccessFailure{ID: g, Type: "group", Reason: "Group could not be found"})
	}
	for _, u := range unkU {
		failed = append(failed, AccessFailure{ID: u, Type: "user", Reason: "User could not be found"})
	}
	return append(out, pg...), append(failed, pf...), nil
}

func dedupeGrants(gs []grantee) []grantee {
	out := gs[:0:0]
	for _, g := range gs {
		if !slices.ContainsFunc(out, func(o grantee) bool { return o.who == g.who }) {
			out = append(out, g)
		}
	}
	return out
}

// encryptDEK encrypts the DEK to each grantee.
func (s *SDK) encryptDEK(rnd io.Reader, dek []byte, grants []grantee) ([]accessGrant, error) {
	out := make([]accessGrant, 0, len(grants))
	for _, g := range grants {
		ev, err := s.c.rc.Encrypt(rnd, dek, g.key, s.dc.SigningPrivateKey)
		if err != nil {
			return nil, err
		}
		k := g.key
		out = append(out, accessGrant{UserOrGroup: userOrGroupWithKey{Type: g.who.Type, ID: g.who.ID, MasterPublicKey: &k}, encryptedOnce: ev})
	}
	return out, nil
}

func validIDs(kind string, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		v, err := validateID(kind, id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// documentMeta fetches GET documents/{id} (phase http:document_get).
func (s *SDK) documentMeta(ctx context.Context, docID string) (*documentMetaResp, error) {
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
	if err := checkTransformedDEK("document_get", r.EncryptedSymmetricKey); err != nil {
		return nil, err
	}
	return &r, nil
}

// decryptDEK decrypts a document's DEK as the phase crypto:decrypt.
func (s *SDK) decryptDEK(ctx context.Context, r *documentMetaResp) ([]byte, error) {
	dek, err := timed(ctx, "crypto:decrypt", func() ([]byte, error) {
		return s.c.rc.Decrypt(r.EncryptedSymmetricKey, s.dc.DevicePrivateKey)
	})
	if err != nil {
		return nil, &CryptoError{Op: "decrypt document key", Err: err}
	}
	return dek, nil
}

// DocumentDecrypt decrypts a version-2 document: parse its header, GET
// documents/{id} for the DEK transformed to this device, decrypt the DEK,
// then AES-GCM. Phases: http:document_get, crypto:decrypt, crypto:aes.
func (s *SDK) DocumentDecrypt(ctx context.Context, encrypted []byte) (*DecryptResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	h, _, body, err := parseDocument(encrypted)
	if err != nil {
		return nil, err
	}
	meta, err := s.documentMeta(ctx, h.DocumentID)
	if err != nil {
		return nil, err
	}
	dek, err := s.decryptDEK(ctx, meta)
	if err != nil {
		return nil, err
	}
	pt, err := timed(ctx, "crypto:aes", func() ([]byte, error) { return openDocument(deriveSymmetricKey(dek), body) })
	if err != nil {
		return nil, &CryptoError{Op: "decrypt document", Err: err}
	}
	return &DecryptResult{ID: meta.ID, Name: derefString(meta.Name), Plaintext: pt, Created: meta.Created, Updated: meta.Updated}, nil
}

// DocumentUpdate re-encrypts a document with new data under its existing
// key, as ironoxide's document_update_bytes: GET documents/{id}, decrypt the
// DEK, AES-GCM with a fresh IV. Nothing is written to the service. Phases:
// http:document_get, crypto:decrypt, crypto:aes.
func (s *SDK) DocumentUpdate(ctx context.Context, docID string, data []byte) (*EncryptResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	meta, err := s.documentMeta(ctx, docID)
	if err != nil {
		return nil, err
	}
	dek, err := s.decryptDEK(ctx, meta)
	if err != nil {
		return nil, err
	}
	header, err := packHeader(meta.ID, s.dc.SegmentID)
	if err != nil {
		return nil, err
	}
	rnd := s.rand()
	enc, err := timed(ctx, "crypto:aes", func() ([]byte, error) { return sealDocument(header, deriveSymmetricKey(dek), data, rnd) })
	if err != nil {
		return nil, &CryptoError{Op: "encrypt document", Err: err}
	}
	return &EncryptResult{ID: meta.ID, Name: derefString(meta.Name), Encrypted: enc, Created: meta.Created, Updated: meta.Updated}, nil
}

// DocumentUpdateName sets or, with "", clears a document's name (PUT
// documents/{id}). Phase: http:document_update.
func (s *SDK) DocumentUpdateName(ctx context.Context, docID, name string) (*DocumentInfo, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	id, err := validateID("document", docID)
	if err != nil {
		return nil, err
	}
	var n *string
	if name != "" {
		v, err := validateName("document", name)
		if err != nil {
			return nil, err
		}
		n = &v
	}
	body, err := marshal(struct {
		Name *string `json:"name"`
	}{n})
	if err != nil {
		return nil, err
	}
	data, err := s.do(ctx, "document_update", http.MethodPut, "documents/"+iclEncode(id), "", body)
	if err != nil {
		return nil, err
	}
	var r documentMetaResp
	if err := decode("document_update", data, &r); err != nil {
		return nil, err
	}
	return &DocumentInfo{ID: r.ID, Name: derefString(r.Name), Association: r.Association.Type, Created: r.Created, Updated: r.Updated}, nil
}

// DocumentList lists the documents the caller can decrypt (GET documents).
// Phase: http:document_list.
func (s *SDK) DocumentList(ctx context.Context) ([]DocumentInfo, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	data, err := s.do(ctx, "document_list", http.MethodGet, "documents", "", nil)
	if err != nil {
		return nil, err
	}
	var r documentListResp
	if err := decode("document_list", data, &r); err != nil {
		return nil, err
	}
	out := make([]DocumentInfo, len(r.Result))
	for i, d := range r.Result {
		out[i] = DocumentInfo{ID: d.ID, Name: derefString(d.Name), Association: d.Association.Type, Created: d.Created, Updated: d.Updated}
	}
	return out, nil
}

// DocumentGrantAccess grants users and groups access to a document: GET
// documents/{id} and the grantees' keys (cached) at the same time, decrypt
// the DEK, encrypt it to each grantee, POST documents/{id}/access. Unknown
// users and groups are reported in Failed. Phases: http:document_get,
// http:user_key_list, http:group_key_list, crypto:decrypt, crypto:encrypt,
// http:document_grant.
func (s *SDK) DocumentGrantAccess(ctx context.Context, docID string, users, groups []string) (*AccessResult, error) {
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
	var (
		meta   *documentMetaResp
		grants []grantee
		failed []AccessFailure
	)
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() (err error) { meta, err = s.documentMeta(ectx, docID); return err })
	eg.Go(func() (err error) { grants, failed, err = s.resolveGrants(ectx, us, gs, nil); return err })
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	dek, err := s.decryptDEK(ctx, meta)
	if err != nil {
		return nil, err
	}
	grants = dedupeGrants(grants)
	ags, err := timed(ctx, "crypto:encrypt", func() ([]accessGrant, error) { return s.encryptDEK(s.rand(), dek, grants) })
	if err != nil {
		return nil, &CryptoError{Op: "encrypt document key", Err: err}
	}
	body, err := marshal(documentGrantReq{FromPublicKey: s.userKey, To: ags})
	if err != nil {
		return nil, err
	}
	data, err := s.do(ctx, "document_grant", http.MethodPost, "documents/"+iclEncode(meta.ID)+"/access", "", body)
	if err != nil {
		return nil, err
	}
	res, err := accessResult("document_grant", data)
	if err != nil {
		return nil, err
	}
	res.Failed = append(failed, res.Failed...)
	return res, nil
}

// DocumentRevokeAccess removes users' and groups' access to a document
// (DELETE documents/{id}/access). Phase: http:document_revoke.
func (s *SDK) DocumentRevokeAccess(ctx context.Context, docID string, users, groups []string) (*AccessResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	id, err := validateID("document", docID)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 && len(groups) == 0 {
		return nil, ErrEmptyGrants
	}
	var list []UserOrGroup
	for _, u := range users {
		v, err := validateID("user", u)
		if err != nil {
			return nil, err
		}
		list = append(list, User(v))
	}
	for _, g := range groups {
		v, err := validateID("group", g)
		if err != nil {
			return nil, err
		}
		list = append(list, Group(v))
	}
	body, err := marshal(documentRevokeReq{UserOrGroups: list})
	if err != nil {
		return nil, err
	}
	data, err := s.do(ctx, "document_revoke", http.MethodDelete, "documents/"+iclEncode(id)+"/access", "", body)
	if err != nil {
		return nil, err
	}
	return accessResult("document_revoke", data)
}

func accessResult(name string, data []byte) (*AccessResult, error) {
	var r documentAccessResp
	if err := decode(name, data, &r); err != nil {
		return nil, err
	}
	res := &AccessResult{}
	for _, ok := range r.SucceededIDs {
		res.Succeeded = append(res.Succeeded, ok.UserOrGroup)
	}
	for _, f := range r.FailedIDs {
		res.Failed = append(res.Failed, AccessFailure{ID: f.UserOrGroup.ID, Type: f.UserOrGroup.Type, Reason: f.ErrorMessage})
	}
	return res, nil
}
