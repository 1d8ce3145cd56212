package service

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"time"
)

// serveUserVerify is #1 GET users/verify?returnKeys=true: the user named by the JWT, or 204 with
// no body when there is none (the answer both SDK generations read as "no such user").
func (s *Server) serveUserVerify(w http.ResponseWriter, _ *http.Request, c *jwtClaims, _ string, _ []byte) error {
	u, ok := s.store.user(c.UserID)
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	writeJSON(w, http.StatusOK, u.resp(s.project.SegmentID))
	return nil
}

// serveUserCreate is #2 POST users: creates the user named by the JWT with the keys in the body.
func (s *Server) serveUserCreate(w http.ResponseWriter, _ *http.Request, c *jwtClaims, _ string, body []byte) error {
	var req userCreateReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	pk, err := req.UserPublicKey.key("userPublicKey")
	if err != nil {
		return err
	}
	if len(req.UserPrivateKey) != masterKeyEnSize {
		return badRequestf("userPrivateKey must be %d bytes, got %d", masterKeyEnSize, len(req.UserPrivateKey))
	}
	if _, ok := s.store.user(c.UserID); ok {
		return &conflictError{"user " + c.UserID + " already exists"}
	}
	if err := reserve(&s.store.nUsers, s.store.limits.MaxUsers, "users"); err != nil {
		return err
	}
	now := s.now().UTC()
	u := &user{
		id: c.UserID, created: now, st: statusEnabled, updated: now, privateKey: req.UserPrivateKey,
		publicKey: req.UserPublicKey, pubKey: pk, needsRotation: req.NeedsRotation, keyID: 1,
		devices: make(map[uint64]*device), groups: make(map[string]struct{}), docs: make(map[string]struct{}),
	}
	if !s.store.users.insert(u.id, u) {
		s.store.nUsers.Add(-1)
		return &conflictError{"user " + c.UserID + " already exists"}
	}
	writeJSON(w, http.StatusCreated, u.resp(s.project.SegmentID))
	return nil
}

// serveDeviceAdd is #3 POST users/devices: adds a device to the JWT's user after checking the
// timestamp, the transform key's Ed25519 signature (by the new device's signing key) and the
// Schnorr signature by the user's master key over timestamp || transform key || JWT || user
// public key (spec §5.7).
func (s *Server) serveDeviceAdd(w http.ResponseWriter, _ *http.Request, c *jwtClaims, token string, body []byte) error {
	var req deviceAddReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if len(req.Timestamp) == 0 || req.Device == nil {
		return badRequestf("timestamp and device are required")
	}
	// A JSON number of milliseconds; ParseUint refuses a quoted string, null, a sign, a
	// fraction and an exponent.
	ts := string(req.Timestamp)
	ms, err := strconv.ParseUint(ts, 10, 63)
	if err != nil {
		return badRequestf("timestamp %s is not milliseconds since the epoch", ts)
	}
	tkJSON := req.Device.TransformKey
	if err := tkJSON.check("device.transformKey"); err != nil {
		return badRequestf("%v", err)
	}
	if err := req.UserPublicKey.check("userPublicKey"); err != nil {
		return badRequestf("%v", err)
	}
	if len(req.Signature) != signatureSize {
		return badRequestf("signature must be %d bytes, got %d", signatureSize, len(req.Signature))
	}
	if req.Device.Name != nil {
		if err := validateName(*req.Device.Name); err != nil {
			return badRequestf("device.name: %v", err)
		}
	}
	u, ok := s.store.user(c.UserID)
	if !ok {
		return notFoundf("user %s does not exist", c.UserID)
	}
	if err := s.checkTimestamp("device-add", time.UnixMilli(int64(ms)), s.now()); err != nil {
		return err
	}
	pub := u.pub()
	if !hmac.Equal(pub.bytes(), req.UserPublicKey.bytes()) {
		return authErrorf("userPublicKey is not the user's master public key")
	}
	tk, err := tkJSON.key("device.transformKey")
	if err != nil {
		return err
	}
	msg := append([]byte(ts), tkJSON.bytes()...)
	msg = append(append(msg, token...), pub.bytes()...)
	aug := u.augmentation()
	if !verifySchnorr(u.pubKey, aug, msg, req.Signature) {
		return authErrorf("signature: Schnorr signature over the device-add message does not verify with the user's key")
	}
	// The client made the transform key from the key it holds; after a rotation that key plus
	// the augmentation the signature was checked with is the user's.
	if tk, err = augmentTransformKey(tk, aug); err != nil {
		return err
	}
	if err := reserve(&s.store.nDevices, s.store.limits.MaxDevices, "devices"); err != nil {
		return err
	}
	now := s.now().UTC()
	d := &device{
		id: s.store.deviceID.Add(1), userID: u.id, name: req.Device.Name, created: now,
		signing: tk.PublicSigningKey, transformKey: tk,
	}
	if !s.store.devices.insert(d.signing, d) {
		s.store.nDevices.Add(-1)
		return &conflictError{"a device with this signing key exists"}
	}
	u.mu.Lock()
	u.devices[d.id] = d
	u.mu.Unlock()
	writeJSON(w, http.StatusCreated, d.resp(false).withoutCurrent())
	return nil
}

// withoutCurrent drops isCurrentDevice, which only the device list carries.
func (r deviceResp) withoutCurrent() deviceResp {
	r.IsCurrentDevice = nil
	return r
}

// serveUserUpdate is PUT users/{userID}: with a JWT it is #4 (set status 0 or 1 of the JWT's
// user); device-signed it is #9 (the caller changes its escrowed private key or disables itself).
func (s *Server) serveUserUpdate(w http.ResponseWriter, r *http.Request) {
	if _, ok := cutJWT(r.Header.Get("Authorization")); ok {
		s.withJWT(s.serveUserStatus)(w, r)
		return
	}
	s.withDevice(s.serveUserSelfUpdate)(w, r)
}

// serveUserStatus is #4.
func (s *Server) serveUserStatus(w http.ResponseWriter, r *http.Request, c *jwtClaims, _ string, body []byte) error {
	id := r.PathValue("userID")
	if id != c.Sub && id != c.UserID {
		return forbiddenf("the JWT is not for user %s", id)
	}
	var req userUpdateReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if req.Status == nil || (*req.Status != statusDisabled && *req.Status != statusEnabled) {
		return badRequestf("status must be 0 or 1")
	}
	u, ok := s.store.user(c.UserID)
	if !ok {
		return notFoundf("user %s does not exist", c.UserID)
	}
	u.mu.Lock()
	u.st = *req.Status
	u.updated = s.now().UTC()
	u.mu.Unlock()
	writeJSON(w, http.StatusOK, u.resp(s.project.SegmentID))
	return nil
}

// serveUserSelfUpdate is #9.
func (s *Server) serveUserSelfUpdate(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	if r.PathValue("userID") != c.user.id {
		return forbiddenf("a device may update only its own user")
	}
	var req userUpdateReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if req.UserPrivateKey == nil && req.Status == nil {
		return badRequestf("nothing to update: want userPrivateKey or status")
	}
	if req.UserPrivateKey != nil && len(req.UserPrivateKey) != masterKeyEnSize {
		return badRequestf("userPrivateKey must be %d bytes, got %d", masterKeyEnSize, len(req.UserPrivateKey))
	}
	if req.Status != nil && *req.Status != statusDisabled {
		return badRequestf("status: a user can only disable itself (0)")
	}
	u := c.user
	u.mu.Lock()
	if req.UserPrivateKey != nil {
		u.privateKey = req.UserPrivateKey
	}
	if req.Status != nil {
		u.st = *req.Status
	}
	u.updated = s.now().UTC()
	u.mu.Unlock()
	writeJSON(w, http.StatusOK, u.resp(s.project.SegmentID))
	return nil
}

// serveCurrentUser is #5 GET users/current.
func (s *Server) serveCurrentUser(w http.ResponseWriter, _ *http.Request, c *caller, _ []byte) error {
	u := c.user
	u.mu.Lock()
	resp := currentUserResp{
		CurrentKeyID: u.keyID, ID: u.id, Status: u.st, SegmentID: s.project.SegmentID,
		UserMasterPublicKey: u.publicKey, UserPrivateKey: u.privateKey, NeedsRotation: u.needsRotation,
	}
	u.mu.Unlock()
	resp.GroupsNeedingRotation = s.groupsNeedingRotation(u)
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// serveUserKeys is #6 GET users?id=a,b: the public keys of the users that exist.
func (s *Server) serveUserKeys(w http.ResponseWriter, r *http.Request, _ *caller, _ []byte) error {
	ids, err := idList(r)
	if err != nil {
		return err
	}
	out := resultList[userKeyResp]{Result: []userKeyResp{}}
	for _, id := range ids {
		if u, ok := s.store.user(id); ok {
			out.Result = append(out.Result, userKeyResp{ID: u.id, UserMasterPublicKey: u.pub()})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// serveDeviceList is #7 GET users/{userID}/devices (the caller's own).
func (s *Server) serveDeviceList(w http.ResponseWriter, r *http.Request, c *caller, _ []byte) error {
	if r.PathValue("userID") != c.user.id {
		return forbiddenf("a device may list only its own user's devices")
	}
	u := c.user
	u.mu.Lock()
	out := resultList[deviceResp]{Result: make([]deviceResp, 0, len(u.devices))}
	for _, d := range u.devices {
		out.Result = append(out.Result, d.resp(d == c.device))
	}
	u.mu.Unlock()
	sortDevices(out.Result)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// serveDeviceDelete is #8 DELETE users/{userID}/devices/{deviceID} (or .../current).
func (s *Server) serveDeviceDelete(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	if r.PathValue("userID") != c.user.id {
		return forbiddenf("a device may delete only its own user's devices")
	}
	if !isNullBody(body) {
		return badRequestf("body must be empty or null")
	}
	id := c.device.id
	if p := r.PathValue("deviceID"); p != "" {
		n, err := strconv.ParseUint(p, 10, 63)
		if err != nil || n == 0 {
			return badRequestf("device ID %q is not a positive integer", p)
		}
		id = n
	}
	u := c.user
	u.mu.Lock()
	d, ok := u.devices[id]
	delete(u.devices, id)
	u.mu.Unlock()
	if !ok {
		return notFoundf("device %d does not exist", id)
	}
	if s.store.devices.remove(d.signing) {
		s.store.nDevices.Add(-1)
	}
	writeJSON(w, http.StatusOK, struct {
		ID uint64 `json:"id"`
	}{id})
	return nil
}
