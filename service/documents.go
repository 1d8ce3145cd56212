package service

import (
	"net/http"
	"sort"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// Document associations (spec §5.5).
const (
	assocOwner     = "owner"
	assocFromUser  = "fromUser"
	assocFromGroup = "fromGroup"
)

// granteeOf reads a UserOrGroup's type and ID.
func granteeOf(typ, id string) (grantee, error) {
	switch typ {
	case "user":
		return grantee{id: id}, nil
	case "group":
		return grantee{group: true, id: id}, nil
	}
	return grantee{}, badRequestf("userOrGroup.type %q is not \"user\" or \"group\"", typ)
}

// checkGrant checks an AccessGrant: its EDEK (shape, points, signature), that the grantee
// exists, and that a masterPublicKey, if given, is the grantee's key. For a group it also
// returns the group, which index must be given.
func (s *Server) checkGrant(field string, a *accessGrantJSON) (grantee, *recrypt.EncryptedValue, *group, error) {
	if a.UserOrGroup == nil {
		return grantee{}, nil, nil, badRequestf("%s.userOrGroup is missing", field)
	}
	gr, err := granteeOf(a.UserOrGroup.Type, a.UserOrGroup.ID)
	if err != nil {
		return grantee{}, nil, nil, err
	}
	ev, err := a.encryptedOnceJSON.value(field)
	if err != nil {
		return grantee{}, nil, nil, err
	}
	var pub *publicKeyJSON
	var g *group
	if gr.group {
		var ok bool
		if g, ok = s.store.groups.get(gr.id); !ok {
			return grantee{}, nil, nil, notFoundf("%s: group %s does not exist", field, gr.id)
		}
		pub = g.publicKey
	} else {
		u, ok := s.store.user(gr.id)
		if !ok {
			return grantee{}, nil, nil, notFoundf("%s: user %s does not exist", field, gr.id)
		}
		pub = u.pub()
	}
	if a.UserOrGroup.MasterPublicKey != nil && !pub.equal(a.UserOrGroup.MasterPublicKey) {
		return grantee{}, nil, nil, badRequestf("%s.userOrGroup.masterPublicKey is not %s %s's key", field, a.UserOrGroup.Type, gr.id)
	}
	return gr, ev, g, nil
}

// index records document d in the index of grantee gr. For a group grant, g is the group the
// grant was checked against: only a group whose index holds d can read d (accessOf), so a grant
// to a group deleted meanwhile never passes to a later group of the same ID.
func (s *Server) index(gr grantee, g *group, d string) {
	if gr.group {
		g.mu.Lock()
		if !g.deleted {
			g.docs[d] = struct{}{}
		}
		g.mu.Unlock()
		return
	}
	if u, ok := s.store.user(gr.id); ok {
		u.indexDoc(d, true)
	}
}

// serveDocumentCreate is #22 POST documents: stores the document's EDEKs, one per grantee.
func (s *Server) serveDocumentCreate(w http.ResponseWriter, _ *http.Request, c *caller, body []byte) error {
	var req documentCreateReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if err := validateID(req.ID); err != nil {
		return badRequestf("id: %v", err)
	}
	if req.Value == nil {
		return badRequestf("value is missing")
	}
	if req.Value.Name != nil {
		if err := validateName(*req.Value.Name); err != nil {
			return badRequestf("value.name: %v", err)
		}
	}
	if len(req.Value.SharedWith) == 0 {
		return badRequestf("value.sharedWith: want at least one grant")
	}
	grants := make(map[grantee]docGrant, len(req.Value.SharedWith))
	groups := make(map[grantee]*group)
	resp := documentCreateResp{ID: req.ID, Name: req.Value.Name, SharedWith: make([]accessGrantJSON, 0, len(grants))}
	for i := range req.Value.SharedWith {
		a := &req.Value.SharedWith[i]
		gr, ev, g, err := s.checkGrant("value.sharedWith["+itoa(i)+"]", a)
		if err != nil {
			return err
		}
		if _, dup := grants[gr]; dup {
			return badRequestf("value.sharedWith[%d]: %s %s listed twice", i, a.UserOrGroup.Type, gr.id)
		}
		grants[gr] = docGrant{edek: ev, group: g}
		if g != nil {
			groups[gr] = g
		}
		ug := gr.json()
		resp.SharedWith = append(resp.SharedWith, accessGrantJSON{
			UserOrGroup:       &userOrGroupWithKeyJSON{Type: ug.Type, ID: ug.ID},
			encryptedOnceJSON: a.encryptedOnceJSON,
		})
	}
	if err := reserve(&s.store.nDocs, s.store.limits.MaxDocuments, "documents"); err != nil {
		return err
	}
	now := s.now().UTC()
	d := &document{id: req.ID, creator: c.user.id, created: now, name: req.Value.Name, updated: now, grants: grants}
	if !s.store.docs.insert(d.id, d) {
		s.store.nDocs.Add(-1)
		return &conflictError{"document " + d.id + " already exists"}
	}
	c.user.indexDoc(d.id, true)
	for gr := range grants {
		s.index(gr, groups[gr], d.id)
	}
	resp.Created, resp.Updated = now, now
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// access is how a user reaches a document's key.
type access struct {
	assoc string
	edek  *recrypt.EncryptedValue
	hop   *recrypt.TransformKey // group → user, for access through a group; else nil
}

// accessOf finds how user uid can read d: a direct grant, else membership of a group the
// document is shared with. ok is false when the user has no access.
func (s *Server) accessOf(d *document, uid string) (a access, ok bool) {
	d.mu.Lock()
	direct := d.grants[grantee{id: uid}].edek
	var groups []grantee
	var edeks []*recrypt.EncryptedValue
	for gr, e := range d.grants {
		if gr.group {
			groups = append(groups, gr)
			edeks = append(edeks, e.edek)
		}
	}
	creator := d.creator
	d.mu.Unlock()
	if direct != nil {
		a := access{assoc: assocFromUser, edek: direct}
		if creator == uid {
			a.assoc = assocOwner
		}
		return a, true
	}
	for i, gr := range groups {
		g, found := s.store.groups.get(gr.id)
		if !found {
			continue
		}
		g.mu.Lock()
		tk := g.members[uid]
		_, granted := g.docs[d.id] // else the grant was to an earlier group of this ID
		g.mu.Unlock()
		if tk != nil && granted {
			return access{assoc: assocFromGroup, edek: edeks[i], hop: tk}, true
		}
	}
	return access{}, false
}

// readableDocument returns the document named in the path and the caller's access to it; a
// document the caller cannot read is reported as not existing.
func (s *Server) readableDocument(r *http.Request, c *caller) (*document, access, error) {
	id := r.PathValue("documentID")
	d, ok := s.store.docs.get(id)
	if !ok {
		return nil, access{}, notFoundf("document %s does not exist", id)
	}
	a, ok := s.accessOf(d, c.user.id)
	if !ok {
		return nil, access{}, notFoundf("document %s does not exist", id)
	}
	return d, a, nil
}

// meta builds DocumentMeta for the caller, transforming its EDEK to the calling device
// (user → device, or group → user → device).
func (s *Server) meta(d *document, a access, c *caller) (*documentMetaResp, error) {
	hops := []*recrypt.TransformKey{c.device.transformKey}
	if a.hop != nil {
		hops = []*recrypt.TransformKey{a.hop, c.device.transformKey}
	}
	key, err := s.transform(a.edek, hops...)
	if err != nil {
		return nil, err
	}
	resp := &documentMetaResp{ID: d.id, Association: associationJSON{a.assoc}, EncryptedSymmetricKey: key}
	resp.VisibleTo.Users = []visibleUserJSON{}
	resp.VisibleTo.Groups = []visibleGroupJSON{}
	d.mu.Lock()
	resp.Name, resp.Created, resp.Updated = d.name, d.created, d.updated
	var groups []string
	for gr := range d.grants {
		if gr.group {
			groups = append(groups, gr.id)
		} else {
			resp.VisibleTo.Users = append(resp.VisibleTo.Users, visibleUserJSON{gr.id})
		}
	}
	d.mu.Unlock()
	sort.Slice(resp.VisibleTo.Users, func(i, j int) bool { return resp.VisibleTo.Users[i].ID < resp.VisibleTo.Users[j].ID })
	sort.Strings(groups)
	for _, id := range groups {
		vg := visibleGroupJSON{ID: id}
		if g, ok := s.store.groups.get(id); ok {
			g.mu.Lock()
			vg.Name = g.name
			g.mu.Unlock()
		}
		resp.VisibleTo.Groups = append(resp.VisibleTo.Groups, vg)
	}
	return resp, nil
}

// serveDocumentGet is #24 GET documents/{documentID}.
func (s *Server) serveDocumentGet(w http.ResponseWriter, r *http.Request, c *caller, _ []byte) error {
	d, a, err := s.readableDocument(r, c)
	if err != nil {
		return err
	}
	resp, err := s.meta(d, a, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// serveDocumentUpdate is #25 PUT documents/{documentID}: rename.
func (s *Server) serveDocumentUpdate(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	var req nameReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if req.Name != nil {
		if err := validateName(*req.Name); err != nil {
			return badRequestf("name: %v", err)
		}
	}
	d, a, err := s.readableDocument(r, c)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.name = req.Name
	d.updated = s.now().UTC()
	d.mu.Unlock()
	resp, err := s.meta(d, a, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// serveDocumentList is #23 GET documents: the documents the caller can read, directly or
// through its groups.
func (s *Server) serveDocumentList(w http.ResponseWriter, _ *http.Request, c *caller, _ []byte) error {
	u := c.user
	u.mu.Lock()
	ids := make(map[string]struct{}, len(u.docs))
	for id := range u.docs {
		ids[id] = struct{}{}
	}
	groups := sortedKeys(u.groups)
	u.mu.Unlock()
	for _, gid := range groups {
		g, ok := s.store.groups.get(gid)
		if !ok {
			continue
		}
		g.mu.Lock()
		if _, member := g.members[u.id]; member {
			for id := range g.docs {
				ids[id] = struct{}{}
			}
		}
		g.mu.Unlock()
	}
	out := resultList[docListItem]{Result: []docListItem{}}
	for _, id := range sortedKeys(ids) {
		d, ok := s.store.docs.get(id)
		if !ok {
			continue
		}
		a, ok := s.accessOf(d, u.id)
		if !ok {
			continue // a stale index entry: access was revoked
		}
		d.mu.Lock()
		out.Result = append(out.Result, docListItem{ID: d.id, Name: d.name, Association: associationJSON{a.assoc}, Created: d.created, Updated: d.updated})
		d.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// serveDocumentGrant is #26 POST documents/{documentID}/access: adds EDEKs for more grantees.
// The caller must be able to read the document. A grant never replaces a grantee's key: a user
// or group that already has one is reported in succeededIds (it has access, as asked) and keeps
// its key; the EDEK sent for it is checked, then dropped. Otherwise any reader could hand the
// owner, or a group, a key of her choosing and so take the document from them.
// A grant left by a deleted group is not access for a new group of the same ID, so that one is
// replaced.
func (s *Server) serveDocumentGrant(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	var req grantReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if err := req.FromPublicKey.check("fromPublicKey"); err != nil {
		return badRequestf("%v", err)
	}
	if len(req.To) == 0 {
		return badRequestf("to: want at least one grant")
	}
	if err := checkGrantValues(req.To); err != nil {
		return err
	}
	if !c.user.pub().equal(req.FromPublicKey) {
		return badRequestf("fromPublicKey is not the caller's master public key")
	}
	d, _, err := s.readableDocument(r, c)
	if err != nil {
		return err
	}
	resp := documentAccessResp{SucceededIDs: []accessSucceededJSON{}, FailedIDs: []accessFailedJSON{}}
	for i := range req.To {
		a := &req.To[i]
		gr, ev, g, err := s.checkGrant("to["+itoa(i)+"]", a)
		if err != nil {
			ug := userOrGroupJSON{}
			if a.UserOrGroup != nil {
				ug = userOrGroupJSON{Type: a.UserOrGroup.Type, ID: a.UserOrGroup.ID}
			}
			resp.FailedIDs = append(resp.FailedIDs, accessFailedJSON{UserOrGroup: ug, ErrorMessage: err.Error()})
			continue
		}
		d.mu.Lock()
		old, had := d.grants[gr]
		keep := had && old.group == g // for a user both are nil
		if !keep {
			d.grants[gr] = docGrant{edek: ev, group: g}
			d.updated = s.now().UTC()
		}
		d.mu.Unlock()
		if !keep {
			s.index(gr, g, d.id)
		}
		resp.SucceededIDs = append(resp.SucceededIDs, accessSucceededJSON{gr.json()})
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// serveDocumentRevoke is #27 DELETE documents/{documentID}/access: removes grantees' EDEKs.
// The creator and anyone who can read the document, directly or through a group, may revoke
// anyone's access, the creator's included (spec Appendix B).
func (s *Server) serveDocumentRevoke(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error {
	var req revokeReq
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	if len(req.UserOrGroups) == 0 {
		return badRequestf("userOrGroups: want at least one")
	}
	id := r.PathValue("documentID")
	d, ok := s.store.docs.get(id)
	if !ok {
		return notFoundf("document %s does not exist", id)
	}
	if d.creator != c.user.id {
		if _, readable := s.accessOf(d, c.user.id); !readable {
			return notFoundf("document %s does not exist", id)
		}
	}
	resp := documentAccessResp{SucceededIDs: []accessSucceededJSON{}, FailedIDs: []accessFailedJSON{}}
	for _, ug := range req.UserOrGroups {
		gr, err := granteeOf(ug.Type, ug.ID)
		if err != nil {
			resp.FailedIDs = append(resp.FailedIDs, accessFailedJSON{UserOrGroup: ug, ErrorMessage: err.Error()})
			continue
		}
		d.mu.Lock()
		_, had := d.grants[gr]
		delete(d.grants, gr)
		if had {
			d.updated = s.now().UTC()
		}
		d.mu.Unlock()
		if !had {
			resp.FailedIDs = append(resp.FailedIDs, accessFailedJSON{UserOrGroup: ug, ErrorMessage: "document is not shared with " + ug.Type + " " + ug.ID})
			continue
		}
		resp.SucceededIDs = append(resp.SucceededIDs, accessSucceededJSON{gr.json()})
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
