package sdk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// User status values (ironoxide's UserStatus).
const (
	UserStatusDisabled = 0
	UserStatusActive   = 1
)

// UserRotateResult is the outcome of UserRotatePrivateKey.
type UserRotateResult struct {
	// EncryptedPrivateKey is the new 92-byte escrow of the user's master
	// private key (still under the same password).
	EncryptedPrivateKey []byte
	CurrentKeyID        uint64
	NeedsRotation       bool // whether the service still wants a rotation
}

// errRotation is what two unlucky augmentation factors in a row mean.
var errRotation = errors.New("augmentation factor is zero or equals the private key twice")

// currentUser fetches GET users/current (phase http:user_get_current) and
// checks the user's public key.
func (s *SDK) currentUser(ctx context.Context) (*currentUserResp, error) {
	data, err := s.do(ctx, "user_get_current", http.MethodGet, "users/current", "", nil)
	if err != nil {
		return nil, err
	}
	var cu currentUserResp
	if err := decode("user_get_current", data, &cu); err != nil {
		return nil, err
	}
	if err := cu.UserMasterPublicKey.check(); err != nil {
		return nil, &ProtocolError{Call: "user_get_current", Err: err}
	}
	return &cu, nil
}

// unlockMasterKey decrypts a 92-byte escrow with password (phases
// crypto:pbkdf2, crypto:aes). call names the response it came from.
func unlockMasterKey(ctx context.Context, call, password string, escrow []byte) ([]byte, error) {
	if len(escrow) != masterKeyLen {
		return nil, &ProtocolError{Call: call, Err: fmt.Errorf("userPrivateKey is %d bytes, want %d", len(escrow), masterKeyLen)}
	}
	key, err := timed(ctx, "crypto:pbkdf2", func() ([]byte, error) { return deriveKey(password, escrow[:saltLen]) })
	if err != nil {
		return nil, &CryptoError{Op: "pbkdf2", Err: err}
	}
	priv, err := timed(ctx, "crypto:aes", func() ([]byte, error) { return openMasterKey(key, escrow) })
	if err != nil {
		return nil, &CryptoError{Op: "decrypt master key", Err: err}
	}
	return priv, nil
}

// escrowMasterKey encrypts priv under password with a fresh salt and IV
// from rnd (phases crypto:pbkdf2, crypto:aes).
func escrowMasterKey(ctx context.Context, rnd io.Reader, password string, priv []byte) ([]byte, error) {
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return nil, &CryptoError{Op: "salt", Err: err}
	}
	key, err := timed(ctx, "crypto:pbkdf2", func() ([]byte, error) { return deriveKey(password, salt) })
	if err != nil {
		return nil, &CryptoError{Op: "pbkdf2", Err: err}
	}
	escrow, err := timed(ctx, "crypto:aes", func() ([]byte, error) { return sealMasterKey(key, salt, priv, rnd) })
	if err != nil {
		return nil, &CryptoError{Op: "encrypt master key", Err: err}
	}
	return escrow, nil
}

// UserUpdateStatus sets the status (UserStatusActive or UserStatusDisabled)
// of the user of a JWT that iss mints for userID (PUT users/{sub}): the
// only way to enable a disabled user. Phases: crypto:jwt,
// http:user_update_status.
func (c *Client) UserUpdateStatus(ctx context.Context, iss *Issuer, userID string, status int) (*UserResult, error) {
	ctx, cancel := c.opContext(ctx)
	defer cancel()
	id, err := validateID("user", userID)
	if err != nil {
		return nil, err
	}
	if status != UserStatusActive && status != UserStatusDisabled {
		return nil, fmt.Errorf("sdk: user status %d: want %d (active) or %d (disabled)", status, UserStatusActive, UserStatusDisabled)
	}
	jwt, err := c.mintJWT(ctx, iss, id)
	if err != nil {
		return nil, err
	}
	body, err := marshal(userUpdateStatusReq{Status: status})
	if err != nil {
		return nil, err
	}
	p, release := c.jwtPool()
	defer release()
	data, err := p.do(ctx, &call{name: "user_update_status", method: http.MethodPut, path: "users/" + iclEncode(id), body: body, auth: jwtAuth{jwt}})
	if err != nil {
		return nil, err
	}
	var r userResp
	if err := decode("user_update_status", data, &r); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// UserGetPublicKey returns the master public keys of the users the service
// knows among ids (GET users?id=…, bypassing and not filling the cache);
// unknown users are absent from the map. No ids make no call. Phase:
// http:user_key_list.
func (s *SDK) UserGetPublicKey(ctx context.Context, ids []string) (map[string]PublicKey, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	users, err := validIDs("user", ids)
	if err != nil {
		return nil, err
	}
	keys, _, err := s.userKeysFor(ctx, users, false)
	return keys, err
}

// UserChangePassword re-escrows the user's master private key under
// newPassword, as ironoxide does: GET users/current, unlock the key with
// password, escrow it under newPassword with a new salt, then PUT
// users/{id} with only userPrivateKey. Devices are unaffected. Phases:
// http:user_get_current, crypto:pbkdf2, crypto:aes (unlock),
// crypto:pbkdf2, crypto:aes (escrow), http:user_update.
func (s *SDK) UserChangePassword(ctx context.Context, password, newPassword string) (*UserResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	if err := checkPassword(newPassword); err != nil {
		return nil, fmt.Errorf("new password: %w", err)
	}
	cu, err := s.currentUser(ctx)
	if err != nil {
		return nil, err
	}
	priv, err := unlockMasterKey(ctx, "user_get_current", password, cu.UserPrivateKey)
	if err != nil {
		return nil, err
	}
	escrow, err := escrowMasterKey(ctx, s.rand(), newPassword, priv)
	if err != nil {
		return nil, err
	}
	return s.userUpdate(ctx, cu.ID, userUpdateReq{UserPrivateKey: escrow})
}

// UserDisableSelf disables the calling user (GET users/current, then PUT
// users/{id} with {"status":0}); only UserUpdateStatus enables it again.
// Phases: http:user_get_current, http:user_update.
func (s *SDK) UserDisableSelf(ctx context.Context) (*UserResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	cu, err := s.currentUser(ctx)
	if err != nil {
		return nil, err
	}
	disabled := UserStatusDisabled
	return s.userUpdate(ctx, cu.ID, userUpdateReq{Status: &disabled})
}

// userUpdate sends PUT users/{id} (phase http:user_update).
func (s *SDK) userUpdate(ctx context.Context, userID string, req userUpdateReq) (*UserResult, error) {
	body, err := marshal(req)
	if err != nil {
		return nil, err
	}
	data, err := s.do(ctx, "user_update", http.MethodPut, "users/"+iclEncode(userID), "", body)
	if err != nil {
		return nil, err
	}
	var r userResp
	if err := decode("user_update", data, &r); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// UserRotatePrivateKey rotates the user's master private key, keeping its
// public key, as ironoxide does: GET users/current; unlock the key with
// password; a random augmentation factor a and the new key priv − a (mod
// r), drawing a again once if a is zero or equals priv; escrow the new key
// under the same password; PUT users/{id}/keys/{currentKeyId} with the
// escrow and a. The public key stays, so every device still decrypts; the
// service adds a to its augmentation and applies it to the transform keys
// of devices added later (made from the new key). Phases: http:user_get_current,
// crypto:pbkdf2, crypto:aes, crypto:augment, crypto:pbkdf2, crypto:aes,
// http:user_key_update.
func (s *SDK) UserRotatePrivateKey(ctx context.Context, password string) (*UserRotateResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	cu, err := s.currentUser(ctx)
	if err != nil {
		return nil, err
	}
	priv, err := unlockMasterKey(ctx, "user_get_current", password, cu.UserPrivateKey)
	if err != nil {
		return nil, err
	}
	rnd := s.rand()
	type rotated struct{ priv, aug []byte }
	rk, err := timed(ctx, "crypto:augment", func() (rotated, error) {
		for range 2 {
			aug, err := s.c.rc.RandomPrivateKey(rnd)
			if err != nil {
				return rotated{}, err
			}
			if isZero(aug) || bytes.Equal(aug, priv) {
				continue
			}
			np, err := s.c.rc.AugmentMinus(priv, aug)
			return rotated{np, aug}, err
		}
		return rotated{}, errRotation
	})
	if err != nil {
		return nil, &CryptoError{Op: "user key rotation", Err: err}
	}
	escrow, err := escrowMasterKey(ctx, rnd, password, rk.priv)
	if err != nil {
		return nil, err
	}
	body, err := marshal(userKeyUpdateReq{UserPrivateKey: escrow, AugmentationFactor: rk.aug})
	if err != nil {
		return nil, err
	}
	path := fmt.Sprintf("users/%s/keys/%d", iclEncode(cu.ID), cu.CurrentKeyID)
	data, err := s.do(ctx, "user_key_update", http.MethodPut, path, "", body)
	if err != nil {
		return nil, err
	}
	var r userKeyUpdateResp
	if err := decode("user_key_update", data, &r); err != nil {
		return nil, err
	}
	return &UserRotateResult{EncryptedPrivateKey: r.UserPrivateKey, CurrentKeyID: r.CurrentKeyID, NeedsRotation: r.NeedsRotation}, nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
