package service

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// Group permissions (spec §5.5).
const (
	permAdmin  = "admin"
	permMember = "member"
)

// respFor returns the group as seen by user uid: GroupBasic (with needsRotation for an admin),
// plus owner, admin and member IDs when full and uid is an admin or member. The caller must hold
// g.mu.
func (g *group) respFor(uid string, full bool) groupResp {
	r := groupResp{
		ID: g.id, CurrentKeyID: g.keyID, Name: g.name, Permissions: []string{}, Status: 1,
		Updated: g.updated, Created: g.created, GroupMasterPublicKey: g.publicKey,
	}
	_, admin := g.admins[uid]
	_, member := g.members[uid]
	if admin {
		r.Permissions = append(r.Permissions, permAdmin)
		flag := g.needsRotation
		r.NeedsRotation = &flag
	}
	if member {
		r.Permissions = append(r.Permissions, permMember)
	}
	if full && (admin || member) {
		r.Owner = g.owner
		r.AdminIDs = sortedKeys(g.admins)
		r.MemberIDs = sortedKeys(g.members)
	}
	return r
}

// group returns the live group with ID id.
func (s *Server) group(id string) (*group, error) {
	g, ok := s.store.groups.get(id)
	if !ok {
		return nil, notFoundf("group %s does not exist", id)
	}
	return g, nil
}

// checkAdmin checks a GroupAdmin entry and returns its user and escrowed group secret.
func (s *Server) checkAdmin(i int, a *groupAdminJSON) (*user, *recrypt.EncryptedValue, error) {
	if a.User == nil {
		return nil, nil, badRequestf("admins[%d].user is missing", i)
	}
	ev, err := a.encryptedOnceJSON.value("admins[" + itoa(i) + "]")
	if err != nil {
		return nil, nil, err
	}
	u, ok := s.store.user(a.User.UserID)
	if !ok {
		return nil, nil, notFoundf("admins[%d]: user %s does not exist", i, a.User.UserID)
	}
	if !u.pub().equal(a.User.UserMasterPublicKey) {
		return nil, nil, badRequestf("admins[%d].user.userMasterPublicKey is not user %s's key", i, u.id)
	}
	return u, ev, nil
}

// checkMember checks a GroupMember entry and returns its user and transform key.
func (s *Server) checkMember(field string, m *groupMemberJSON) (*user, *recrypt.TransformKey, error) {
	tk, err := m.TransformKey.key(field + ".transformKey")
	if err != nil {
		return nil, nil, err
	}
	u, ok := s.store.user(m.UserID)
	if !ok {
		return nil, nil, notFoundf("%s: user %s does not exist", field, m.UserID)
	}
	pub := u.pub()
	if !pub.equal(m.UserMasterPublicKey) || !pub.equal(m.TransformKey.ToPublicKey) {
		return nil, nil, badRequestf("%s: userMasterPublicKey and transformKey.toPublicKey must be user %s's key", field, u.id)
	}
	return u, tk, nil
}

// serveGroupCreate is #11 POST groups.
func (s *Server) serveGroupCreate(w http.ResponseWriter, _ *http.Request, c *caller, body []byte) error {
	var req groupCreateReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	id := ""
	if req.ID != nil {
		id = *req.ID
		if err := validateID(id); err != nil {
			return badRequestf("id: %v", err)
		}
	} else {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		id = hex.EncodeToString(b[:])
	}
	if req.Name != nil {
		if err := validateName(*req.Name); err != nil {
			return badRequestf("name: %v", err)
		}
	}
	gpk, err := req.GroupPublicKey.key("groupPublicKey")
	if err != nil {
		return err
	}
	if len(req.Admins) == 0 {
		return badRequestf("admins: a group needs at least one admin")
	}
	admins := make(map[string]*recrypt.EncryptedValue, len(req.Admins))
	var users []*user
	for i := range req.Admins {
		u, ev, err := s.checkAdmin(i, &req.Admins[i])
		if err != nil {
			return err
		}
		if _, dup := admins[u.id]; dup {
			return badRequestf("admins[%d]: user %s listed twice", i, u.id)
		}
		admins[u.id] = ev
		users = append(users, u)
	}
	members := make(map[string]*recrypt.TransformKey, len(req.Members))
	for i := range req.Members {
		u, tk, err := s.checkMember("members["+itoa(i)+"]", &req.Members[i])
		if err != nil {
			return err
		}
		if _, dup := members[u.id]; dup {
			return badRequestf("members[%d]: user %s listed twice", i, u.id)
		}
		members[u.id] = tk
		users = append(users, u)
	}
	owner := c.user.id
	if req.Owner != nil {
		owner = *req.Owner
	}
	if _, ok := admins[owner]; !ok {
		return badRequestf("owner %s is not one of the admins", owner)
	}
	if err := reserve(&s.store.nGroups, s.store.limits.MaxGroups, "groups"); err != nil {
		return err
	}
	now := s.now().UTC()
	g := &group{
		id: id, created: now, publicKey: req.GroupPublicKey, pubKey: gpk, name: req.Name, owner: owner, updated: now,
		keyID: 1, needsRotation: req.NeedsRotation, admins: admins, members: members, docs: make(map[string]struct{}),
	}
	if !s.store.groups.insert(id, g) {
		s.store.nGroups.Add(-1)
		return &conflictError{"group " + id + " already exists"}
	}
	for _, u := range users {
		u.indexGroup(id, true)
	}
	g.mu.Lock()
	resp := g.respFor(c.user.id, true)
	g.mu.Unlock()
	// The create answer always carries owner and the ID lists, even for a creator not in them.
	resp.Owner, resp.AdminIDs, resp.MemberIDs = owner, sortedKeys(admins), sortedKeys(members)
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// serveGroupList is #12 GET groups (the caller's groups) and #13 GET groups?id=a,b (those of the
// named groups that exist, whether or not the caller belongs to them).
func (s *Server) serveGroupList(w http.ResponseWriter, r *http.Request, c *caller, _ []byte) error {
	var ids []string
	named := r.URL.Query().Has("id")
	if named {
		var err error
		if ids, err = idList(r); err != nil {
			return err
		}
	} else {
		ids = c.user.groupIDs()
	}
	out := resultList[groupResp]{Result: []groupResp{}}
	for _, id := range ids {
		g, ok := s.store.groups.get(id)
		if !ok {
			continue
		}
		g.mu.Lock()
		resp := g.respFor(c.user.id, false)
		g.mu.Unlock()
		if len(resp.Permissions) == 0 && !named {
			continue // a stale index entry: the user has left the group
		}
		out.Result = append(out.Result, resp)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// serveGroupGet is #14 GET groups/{groupID}. Admins also get the group's private key,
// transformed from their user key to the calling device.
func (s *Server) serveGroupGet(w http.ResponseWriter, r *http.Request, c *caller, _ []byte) error {
	g, err := s.group(r.PathValue("groupID"))
	if err != nil {
		return err
	}
	g.mu.Lock()
	resp := g.respFor(c.user.id, true)
	escrow := g.admins[c.user.id]
	g.mu.Unlock()
	if escrow != nil {
		t, err := s.transform(escrow, c.device.transformKey)
		if err != nil {
			return err
		}
		resp.EncryptedPrivateKey = t
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// adminGroup returns the group named in the path if the caller is one of its admins.
func (s *Server) adminGroup(r *http.Request, c *caller) (*group, error) {
	g, err := s.group(r.PathValue("groupID"))
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	_, admin := g.admins[c.user.id]
	g.mu.Unlock()
	if !admin {
		return nil, forbiddenf("user %s is not an admin of group %s", c.user.id, g.id)
	}
	return g, nil
}

// memberGroup returns the group named in the path if the caller is one of its members.
func (s *Server) memberGroup(r *http.Request, c *caller) (*group, error) {
	g, err := s.group(r.PathValue("groupID"))
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	_, member := g.members[c.user.id]
	g.mu.Unlock()
	if !member {
		return nil, forbiddenf("user %s is not a member of group %s", c.user.id, g.id)
	}
	return g, nil
}

// serveGroupUpdate is #15 PUT groups/{groupID}: rename (admins only).
func (s *Server) serveGroupUpdate(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	var req nameReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if req.Name != nil {
		if err := validateName(*req.Name); err != nil {
			return badRequestf("name: %v", err)
		}
	}
	g, err := s.adminGroup(r, c)
	if err != nil {
		return err
	}
	g.mu.Lock()
	g.name = req.Name
	g.updated = s.now().UTC()
	resp := g.respFor(c.user.id, false)
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// serveGroupDelete is #16 DELETE groups/{groupID} (admins only).
func (s *Server) serveGroupDelete(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	if !isNullBody(body) {
		return badRequestf("body must be empty or null")
	}
	g, err := s.adminGroup(r, c)
	if err != nil {
		return err
	}
	if !s.store.groups.remove(g.id) {
		return notFoundf("group %s does not exist", g.id)
	}
	s.store.nGroups.Add(-1)
	g.mu.Lock()
	g.deleted = true
	users := sortedKeys(g.admins)
	users = append(users, sortedKeys(g.members)...)
	g.mu.Unlock()
	for _, id := range users {
		if u, ok := s.store.user(id); ok {
			u.indexGroup(g.id, false)
		}
	}
	writeJSON(w, http.StatusOK, struct {
		ID string `json:"id"`
	}{g.id})
	return nil
}

// verifyGroupSignature checks the Schnorr signature by the group's key over its ID that
// ironoxide sends with member and admin additions. Older SDKs send none (Appendix A). It returns
// the group's key ID and augmentation (rotation.go) the signature was checked against: the
// client's group key plus that augmentation is the key of the group's public key.
func (s *Server) verifyGroupSignature(g *group, sig []byte) (uint64, *recrypt.PrivateKey, error) {
	g.mu.Lock()
	keyID, aug := g.keyID, g.aug
	g.mu.Unlock()
	if sig == nil {
		return keyID, aug, nil
	}
	if len(sig) != signatureSize {
		return 0, nil, badRequestf("signature must be %d bytes, got %d", signatureSize, len(sig))
	}
	if !verifySchnorr(g.pubKey, aug, []byte(g.id), sig) {
		return 0, nil, authErrorf("signature: Schnorr signature over the group ID does not verify with the group's key")
	}
	return keyID, aug, nil
}

// serveGroupAddMembers is #17 POST groups/{groupID}/users.
func (s *Server) serveGroupAddMembers(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	var req groupAddMembersReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if len(req.Users) == 0 {
		return badRequestf("users: want at least one")
	}
	if err := checkMemberKeys(req.Users); err != nil {
		return err
	}
	g, err := s.adminGroup(r, c)
	if err != nil {
		return err
	}
	_, aug, err := s.verifyGroupSignature(g, req.Signature)
	if err != nil {
		return err
	}
	resp := groupUserEditResp{SucceededIDs: []userIDJSON{}, FailedIDs: []failedUserJSON{}}
	for i := range req.Users {
		m := &req.Users[i]
		u, tk, err := s.checkMember("users["+itoa(i)+"]", m)
		if err == nil {
			tk, err = augmentTransformKey(tk, aug)
		}
		if err != nil {
			resp.FailedIDs = append(resp.FailedIDs, failedUserJSON{UserID: m.UserID, ErrorMessage: err.Error()})
			continue
		}
		g.mu.Lock()
		_, exists := g.members[u.id]
		if !exists && !g.deleted {
			g.members[u.id] = tk
			g.updated = s.now().UTC()
		}
		deleted := g.deleted
		g.mu.Unlock()
		switch {
		case deleted:
			return notFoundf("group %s does not exist", g.id)
		case exists:
			resp.FailedIDs = append(resp.FailedIDs, failedUserJSON{UserID: u.id, ErrorMessage: "user is already a member"})
		default:
			u.indexGroup(g.id, true)
			resp.SucceededIDs = append(resp.SucceededIDs, userIDJSON{u.id})
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// serveGroupAddAdmins is #18 POST groups/{groupID}/admins.
func (s *Server) serveGroupAddAdmins(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	var req groupAddAdminsReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if len(req.Admins) == 0 {
		return badRequestf("admins: want at least one")
	}
	if err := checkAdminValues(req.Admins); err != nil {
		return err
	}
	g, err := s.adminGroup(r, c)
	if err != nil {
		return err
	}
	keyID, _, err := s.verifyGroupSignature(g, req.Signature)
	if err != nil {
		return err
	}
	resp := groupUserEditResp{SucceededIDs: []userIDJSON{}, FailedIDs: []failedUserJSON{}}
	for i := range req.Admins {
		a := &req.Admins[i]
		u, ev, err := s.checkAdmin(i, a)
		if err != nil {
			id := ""
			if a.User != nil {
				id = a.User.UserID
			}
			resp.FailedIDs = append(resp.FailedIDs, failedUserJSON{UserID: id, ErrorMessage: err.Error()})
			continue
		}
		g.mu.Lock()
		_, exists := g.admins[u.id]
		// The secret was encrypted under key keyID; a rotation meanwhile made it stale.
		rotated := g.keyID != keyID
		if !exists && !g.deleted && !rotated {
			g.admins[u.id] = ev
			g.updated = s.now().UTC()
		}
		deleted := g.deleted
		g.mu.Unlock()
		switch {
		case deleted:
			return notFoundf("group %s does not exist", g.id)
		case rotated:
			return &conflictError{"group " + g.id + "'s key was rotated while adding admins; get the group and retry"}
		case exists:
			resp.FailedIDs = append(resp.FailedIDs, failedUserJSON{UserID: u.id, ErrorMessage: "user is already an admin"})
		default:
			u.indexGroup(g.id, true)
			resp.SucceededIDs = append(resp.SucceededIDs, userIDJSON{u.id})
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// serveGroupRemove is #19 DELETE groups/{groupID}/users and #20 DELETE groups/{groupID}/admins.
// Admins remove anyone (but the owner as admin); a plain member may remove only itself.
func (s *Server) serveGroupRemove(admins bool) deviceHandler {
	return func(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
		var req groupRemoveReq
		if err := decodeBody(body, &req); err != nil {
			return err
		}
		if len(req.Users) == 0 {
			return badRequestf("users: want at least one")
		}
		g, err := s.adminGroup(r, c)
		if err != nil && !admins && len(req.Users) == 1 && req.Users[0].UserID == c.user.id {
			g, err = s.memberGroup(r, c) // a plain member may leave (spec Appendix B)
		}
		if err != nil {
			return err
		}
		resp := groupUserEditResp{SucceededIDs: []userIDJSON{}, FailedIDs: []failedUserJSON{}}
		for _, ru := range req.Users {
			id := ru.UserID
			g.mu.Lock()
			var msg string
			// The user's group index keeps the entry; readers check membership.
			_, isAdmin := g.admins[id]
			_, isMember := g.members[id]
			switch {
			case admins && !isAdmin:
				msg = "user is not an admin"
			case !admins && !isMember:
				msg = "user is not a member"
			case admins && id == g.owner:
				msg = "the owner cannot be removed as admin"
			case admins && len(g.admins) == 1:
				msg = "a group needs at least one admin"
			case admins:
				delete(g.admins, id)
			default:
				delete(g.members, id)
			}
			if msg == "" {
				g.updated = s.now().UTC()
			}
			g.mu.Unlock()
			if msg != "" {
				resp.FailedIDs = append(resp.FailedIDs, failedUserJSON{UserID: id, ErrorMessage: msg})
				continue
			}
			resp.SucceededIDs = append(resp.SucceededIDs, userIDJSON{id})
		}
		writeJSON(w, http.StatusOK, resp)
		return nil
	}
}
