package service

import (
	"net/http"
	"strconv"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// Key rotation (spec §6.1 #10, §6.2 #21). A user's or group's public key never changes: the
// client replaces its private key k by k − f for a random augmentation factor f and sends f; the
// service adds f to the augmentation it keeps (user.aug, group.aug), so that the client's key
// plus the augmentation stays the private key of the public key. Values already encrypted to
// the public key, and transform keys already stored, stay valid. What the client makes later
// from its rotated key is checked and stored with the augmentation: Schnorr signatures are
// verified against public key − [aug]G, and transform keys (devices of a user, members of a
// group) are augmented with aug before they are stored (recrypt's TransformKey::augment).

// userKeyUpdateReq is the body of #10 PUT users/{userID}/keys/{keyID}.
type userKeyUpdateReq struct {
	UserPrivateKey     []byte `json:"userPrivateKey"`
	AugmentationFactor []byte `json:"augmentationFactor"`
}

// userKeyUpdateResp is the answer of #10.
type userKeyUpdateResp struct {
	CurrentKeyID   uint64 `json:"currentKeyId"`
	UserPrivateKey []byte `json:"userPrivateKey"`
	NeedsRotation  bool   `json:"needsRotation"`
}

// groupKeyUpdateReq is the body of #21 PUT groups/{groupID}/keys/{keyID}: the new group secret
// escrowed to every admin, and the augmentation factor.
type groupKeyUpdateReq struct {
	Admins             []groupAdminJSON `json:"admins"`
	AugmentationFactor []byte           `json:"augmentationFactor"`
}

// groupKeyUpdateResp is the answer of #21.
type groupKeyUpdateResp struct {
	GroupKeyID    uint64 `json:"groupKeyId"`
	GroupID       string `json:"groupId"`
	NeedsRotation bool   `json:"needsRotation"`
}

// augmentation returns the user's augmentation (nil if the key was never rotated).
func (u *user) augmentation() *recrypt.PrivateKey {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.aug
}

// keyIDParam reads the {keyID} path segment: the key the client rotated from.
func keyIDParam(r *http.Request) (uint64, error) {
	p := r.PathValue("keyID")
	n, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		return 0, badRequestf("key ID %q is not a non-negative integer", p)
	}
	return n, nil
}

// augmentationFactor decodes and checks an augmentation factor: 32 bytes, not 0 mod the group
// order (recrypt's PrivateKey::augment refuses that too).
func augmentationFactor(b []byte) (recrypt.PrivateKey, error) {
	f, err := recrypt.NewPrivateKey(b)
	if err != nil {
		return recrypt.PrivateKey{}, badRequestf("augmentationFactor must be %d bytes, got %d", recrypt.PrivateKeySize, len(b))
	}
	if _, err := recrypt.ComputePublicKey(f); err != nil {
		return recrypt.PrivateKey{}, badRequestf("augmentationFactor is zero")
	}
	return f, nil
}

// addAugmentation returns old + f, the augmentation after a rotation by f, and refuses a factor
// that would leave the client a zero private key: one for which old + f is the key of pub (the
// client's key is pub's key − (old + f)).
func addAugmentation(old *recrypt.PrivateKey, f recrypt.PrivateKey, pub recrypt.PublicKey) (*recrypt.PrivateKey, error) {
	sum := f
	if old != nil {
		sum = old.AugmentPlus(f)
	}
	if p, err := recrypt.ComputePublicKey(sum); err == nil && p.Equal(pub) {
		return nil, badRequestf("augmentationFactor would make the rotated private key zero")
	}
	return &sum, nil
}

// serveUserKeyRotate is #10 PUT users/{userID}/keys/{keyID}: the caller rotates its own key
// from key keyID, the current one.
func (s *Server) serveUserKeyRotate(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	u := c.user
	if r.PathValue("userID") != u.id {
		return forbiddenf("a device may rotate only its own user's key")
	}
	keyID, err := keyIDParam(r)
	if err != nil {
		return err
	}
	var req userKeyUpdateReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if len(req.UserPrivateKey) != masterKeyEnSize {
		return badRequestf("userPrivateKey must be %d bytes, got %d", masterKeyEnSize, len(req.UserPrivateKey))
	}
	f, err := augmentationFactor(req.AugmentationFactor)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if keyID != u.keyID {
		return &conflictError{"key " + strconv.FormatUint(keyID, 10) + " is not user " + u.id + "'s current key " + strconv.FormatUint(u.keyID, 10)}
	}
	aug, err := addAugmentation(u.aug, f, u.pubKey)
	if err != nil {
		return err
	}
	u.aug, u.privateKey, u.needsRotation = aug, req.UserPrivateKey, false
	u.keyID++
	u.updated = s.now().UTC()
	writeJSON(w, http.StatusOK, userKeyUpdateResp{CurrentKeyID: u.keyID, UserPrivateKey: u.privateKey, NeedsRotation: false})
	return nil
}

// serveGroupKeyRotate is #21 PUT groups/{groupID}/keys/{keyID}: an admin rotates the group's key
// from key keyID, the current one, escrowing the new group secret to every admin, each once.
func (s *Server) serveGroupKeyRotate(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	keyID, err := keyIDParam(r)
	if err != nil {
		return err
	}
	var req groupKeyUpdateReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	f, err := augmentationFactor(req.AugmentationFactor)
	if err != nil {
		return err
	}
	escrows := make(map[string]*recrypt.EncryptedValue, len(req.Admins))
	for i := range req.Admins {
		u, ev, err := s.checkAdmin(i, &req.Admins[i])
		if err != nil {
			return err
		}
		if _, dup := escrows[u.id]; dup {
			return badRequestf("admins[%d]: user %s listed twice", i, u.id)
		}
		escrows[u.id] = ev
	}
	g, err := s.adminGroup(r, c)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.deleted:
		return notFoundf("group %s does not exist", g.id)
	case keyID != g.keyID:
		return &conflictError{"key " + strconv.FormatUint(keyID, 10) + " is not group " + g.id + "'s current key " + strconv.FormatUint(g.keyID, 10)}
	}
	// Every admin must get the new secret: one left with the old one could no longer derive
	// the group's key.
	for id := range g.admins {
		if escrows[id] == nil {
			return badRequestf("admins: admin %s of group %s is missing; the new secret must go to every admin", id, g.id)
		}
	}
	for id := range escrows {
		if g.admins[id] == nil {
			return badRequestf("admins: user %s is not an admin of group %s", id, g.id)
		}
	}
	aug, err := addAugmentation(g.aug, f, g.pubKey)
	if err != nil {
		return err
	}
	g.aug, g.admins, g.needsRotation = aug, escrows, false
	g.keyID++
	g.updated = s.now().UTC()
	writeJSON(w, http.StatusOK, groupKeyUpdateResp{GroupKeyID: g.keyID, GroupID: g.id, NeedsRotation: false})
	return nil
}

// groupsNeedingRotation returns the IDs of the groups u administers whose needsRotation flag is
// set, sorted; an empty list when none.
func (s *Server) groupsNeedingRotation(u *user) []string {
	out := []string{}
	for _, id := range u.groupIDs() {
		g, ok := s.store.groups.get(id)
		if !ok {
			continue
		}
		g.mu.Lock()
		_, admin := g.admins[u.id]
		flagged := admin && g.needsRotation && !g.deleted
		g.mu.Unlock()
		if flagged {
			out = append(out, id)
		}
	}
	return out
}
