package sdk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// GroupRotateResult is the outcome of GroupRotatePrivateKey.
type GroupRotateResult struct {
	ID            string
	CurrentKeyID  uint64 // the group's new key id
	NeedsRotation bool   // whether the service still wants a rotation
}

// GroupUpdateName sets or, with "", clears a group's name (PUT
// groups/{id}). Phase: http:group_update.
func (s *SDK) GroupUpdateName(ctx context.Context, groupID, name string) (*GroupResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	id, err := validateID("group", groupID)
	if err != nil {
		return nil, err
	}
	var n *string
	if name != "" {
		v, err := validateName("group", name)
		if err != nil {
			return nil, err
		}
		n = &v
	}
	body, err := marshal(groupUpdateReq{Name: n})
	if err != nil {
		return nil, err
	}
	data, err := s.do(ctx, "group_update", http.MethodPut, "groups/"+iclEncode(id), "", body)
	if err != nil {
		return nil, err
	}
	var r groupResp
	if err := decode("group_update", data, &r); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// GroupRemoveMembers removes users from a group's members (DELETE
// groups/{id}/users). An admin may remove anyone, a member itself. Users
// the service did not remove are in Failed. Phase:
// http:group_remove_members.
func (s *SDK) GroupRemoveMembers(ctx context.Context, groupID string, userIDs []string) (*GroupAccessResult, error) {
	return s.groupRemove(ctx, groupID, userIDs, "group_remove_members", "users")
}

// GroupRemoveAdmins removes users from a group's admins (DELETE
// groups/{id}/admins); the owner cannot be removed. Phase:
// http:group_remove_admins.
func (s *SDK) GroupRemoveAdmins(ctx context.Context, groupID string, userIDs []string) (*GroupAccessResult, error) {
	return s.groupRemove(ctx, groupID, userIDs, "group_remove_admins", "admins")
}

func (s *SDK) groupRemove(ctx context.Context, groupID string, userIDs []string, name, which string) (*GroupAccessResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	id, err := validateID("group", groupID)
	if err != nil {
		return nil, err
	}
	if len(userIDs) == 0 {
		return nil, ErrEmptyGrants
	}
	users, err := validIDs("user", userIDs)
	if err != nil {
		return nil, err
	}
	req := groupRemoveReq{Users: make([]groupUserID, len(users))}
	for i, u := range users {
		req.Users[i] = groupUserID{u}
	}
	body, err := marshal(req)
	if err != nil {
		return nil, err
	}
	data, err := s.do(ctx, name, http.MethodDelete, "groups/"+iclEncode(id)+"/"+which, "", body)
	if err != nil {
		return nil, err
	}
	var r groupUserEditResp
	if err := decode(name, data, &r); err != nil {
		return nil, err
	}
	res := &GroupAccessResult{}
	for _, ok := range r.SucceededIDs {
		res.Succeeded = append(res.Succeeded, ok.UserID)
	}
	for _, f := range r.FailedIDs {
		res.Failed = append(res.Failed, AccessFailure{ID: f.UserID, Type: "user", Reason: f.ErrorMessage})
	}
	return res, nil
}

// errGroupRotation is what two unlucky new group secrets in a row mean.
var errGroupRotation = errors.New("new group key equals the old one or the difference is zero twice")

// GroupRotatePrivateKey rotates a group's private key, keeping its public
// key, as ironoxide does: GET groups/{id} (the caller must be an admin);
// every admin's key (GET users?id=…, uncached; an unknown admin aborts);
// decrypt the group secret; a new secret G′ and the augmentation factor
// old − derive(G′) (mod r), drawing G′ again once if that is zero; G′
// encrypted to every admin; PUT groups/{id}/keys/{currentKeyId}. The
// public key stays, so members keep decrypting; the service augments the
// transform keys of members added later (made from the new key). Phases:
// http:group_get, http:user_key_list, crypto:decrypt, crypto:augment,
// crypto:encrypt, http:group_key_update.
func (s *SDK) GroupRotatePrivateKey(ctx context.Context, groupID string) (*GroupRotateResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	g, err := s.groupGet(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if g.EncryptedPrivateKey == nil || g.AdminIDs == nil {
		return nil, fmt.Errorf("sdk: group %q: %w", g.ID, ErrNotGroupAdmin)
	}
	if err := g.EncryptedPrivateKey.check(); err != nil {
		return nil, &ProtocolError{Call: "group_get", Err: err}
	}
	admins := uniq(g.AdminIDs)
	keys, unknown, err := s.userKeysFor(ctx, admins, false)
	if err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("sdk: group_rotate_private_key: %w: %s", ErrUserNotFound, strings.Join(unknown, ", "))
	}
	secret, err := timed(ctx, "crypto:decrypt", func() ([]byte, error) {
		return s.c.rc.Decrypt(g.EncryptedPrivateKey, s.dc.DevicePrivateKey)
	})
	if err != nil {
		return nil, &CryptoError{Op: "decrypt group key", Err: err}
	}
	old := derivePrivateKey(secret)
	rnd := s.rand()
	type rotated struct{ secret, aug []byte }
	rk, err := timed(ctx, "crypto:augment", func() (rotated, error) {
		for range 2 {
			pt, err := s.c.rc.GenPlaintext(rnd)
			if err != nil {
				return rotated{}, err
			}
			np := derivePrivateKey(pt)
			if isZero(np) || bytes.Equal(np, old) {
				continue
			}
			aug, err := s.c.rc.AugmentMinus(old, np)
			return rotated{pt, aug}, err
		}
		return rotated{}, errGroupRotation
	})
	if err != nil {
		return nil, &CryptoError{Op: "group key rotation", Err: err}
	}
	gas, err := timed(ctx, "crypto:encrypt", func() ([]groupAdmin, error) {
		return s.encryptToAdmins(rnd, rk.secret, admins, keys)
	})
	if err != nil {
		return nil, &CryptoError{Op: "encrypt group secret", Err: err}
	}
	body, err := marshal(groupKeyUpdateReq{Admins: gas, AugmentationFactor: rk.aug})
	if err != nil {
		return nil, err
	}
	path := fmt.Sprintf("groups/%s/keys/%d", iclEncode(g.ID), g.CurrentKeyID)
	data, err := s.do(ctx, "group_key_update", http.MethodPut, path, "", body)
	if err != nil {
		return nil, err
	}
	var r groupKeyUpdateResp
	if err := decode("group_key_update", data, &r); err != nil {
		return nil, err
	}
	return &GroupRotateResult{ID: r.GroupID, CurrentKeyID: r.GroupKeyID, NeedsRotation: r.NeedsRotation}, nil
}

// uniq returns ids without repeats, in first-seen order.
func uniq(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
