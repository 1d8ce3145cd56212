package sdk

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// GroupCreateOptions are the optional settings of GroupCreate. The zero
// value is ironoxide's GroupCreateOpts::default(): the caller is the owner,
// an admin and a member.
type GroupCreateOptions struct {
	ID      string   // empty: the service picks one
	Name    string   // empty: none
	Admins  []string // other users to make admins
	Members []string // other users to make members
	// Owner makes another user the owner; it is added to the admins. Empty:
	// the caller (sent as null).
	Owner string
	// NotAdmin and NotMember leave the caller out of the admins and the
	// members (ironoxide's add_as_admin and add_as_member = false) unless
	// Admins or Members name it. Without an Owner, the caller must stay an
	// admin.
	NotAdmin, NotMember bool
	NeedsRotation       bool
}

// GroupResult describes a group.
type GroupResult struct {
	ID            string
	Name          string
	Permissions   []string // "admin", "member"
	Owner         string
	AdminIDs      []string
	MemberIDs     []string
	PublicKey     PublicKey
	CurrentKeyID  uint64
	NeedsRotation bool
	Created       time.Time
	Updated       time.Time
}

// IsAdmin reports whether the caller is an admin of the group.
func (g *GroupResult) IsAdmin() bool { return slices.Contains(g.Permissions, "admin") }

// GroupAccessResult is the outcome of adding members or admins: the users
// added, and those that were not with the reason.
type GroupAccessResult struct {
	Succeeded []string
	Failed    []AccessFailure
}

// AccessFailure is a user or group an access change did not apply to.
type AccessFailure struct {
	ID     string
	Type   string // "user" or "group"; "user" for group edits
	Reason string
}

func (r *groupResp) result() *GroupResult {
	g := &GroupResult{
		ID: r.ID, Name: derefString(r.Name), Permissions: r.Permissions, Owner: derefString(r.Owner),
		AdminIDs: r.AdminIDs, MemberIDs: r.MemberIDs, PublicKey: r.GroupMasterPublicKey,
		CurrentKeyID: r.CurrentKeyID, Created: r.Created, Updated: r.Updated,
	}
	if r.NeedsRotation != nil {
		g.NeedsRotation = *r.NeedsRotation
	}
	return g
}

// GroupCreate creates a group whose admins and members are the caller plus
// those in opts, as ironoxide does: look up every admin's and member's key
// (GET users?id=…, bypassing the cache; any unknown user aborts), make the
// group secret and key pair, a transform key to each member and an
// encryption of the secret to each admin, then POST groups. Phases:
// http:user_key_list, crypto:keygen, crypto:transform_key, crypto:encrypt,
// http:group_create.
func (s *SDK) GroupCreate(ctx context.Context, opts GroupCreateOptions) (*GroupResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	var id, name *string
	if opts.ID != "" {
		v, err := validateID("group", opts.ID)
		if err != nil {
			return nil, err
		}
		id = &v
	}
	if opts.Name != "" {
		v, err := validateName("group", opts.Name)
		if err != nil {
			return nil, err
		}
		name = &v
	}
	admins, members, owner, err := opts.standardize(s.dc.AccountID)
	if err != nil {
		return nil, err
	}
	all := uniq(append(slices.Clone(admins), members...))
	keys, unknown, err := s.userKeysFor(ctx, all, false)
	if err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("sdk: group_create: %w: %s", ErrUserNotFound, strings.Join(unknown, ", "))
	}
	rnd := s.rand()
	type groupKeys struct {
		secret, priv []byte
		pub          PublicKey
	}
	gk, err := timed(ctx, "crypto:keygen", func() (groupKeys, error) {
		pt, err := s.c.rc.GenPlaintext(rnd)
		if err != nil {
			return groupKeys{}, err
		}
		priv := derivePrivateKey(pt)
		pub, err := s.c.rc.ComputePublicKey(priv)
		return groupKeys{pt, priv, pub}, err
	})
	if err != nil {
		return nil, &CryptoError{Op: "group key", Err: err}
	}
	gms, err := timed(ctx, "crypto:transform_key", func() ([]groupMember, error) {
		out := make([]groupMember, 0, len(members))
		for _, m := range members {
			tk, err := s.c.rc.GenerateTransformKey(rnd, gk.priv, keys[m], s.dc.SigningPrivateKey)
			if err != nil {
				return nil, err
			}
			out = append(out, groupMember{UserID: m, TransformKey: tk, UserMasterPublicKey: keys[m]})
		}
		return out, nil
	})
	if err != nil {
		return nil, &CryptoError{Op: "member transform key", Err: err}
	}
	gas, err := timed(ctx, "crypto:encrypt", func() ([]groupAdmin, error) {
		return s.encryptToAdmins(rnd, gk.secret, admins, keys)
	})
	if err != nil {
		return nil, &CryptoError{Op: "encrypt group secret", Err: err}
	}
	req := groupCreateReq{ID: id, Name: name, Owner: owner, Admins: gas, GroupPublicKey: gk.pub, NeedsRotation: opts.NeedsRotation}
	if len(gms) > 0 {
		req.Members = &gms
	}
	body, err := marshal(req)
	if err != nil {
		return nil, err
	}
	data, err := s.do(ctx, "group_create", http.MethodPost, "groups", "", body)
	if err != nil {
		return nil, err
	}
	var r groupResp
	if err := decode("group_create", data, &r); err != nil {
		return nil, err
	}
	// Like ironoxide, leave the public-key cache alone: only lookups fill it.
	return r.result(), nil
}

func (s *SDK) encryptToAdmins(rnd io.Reader, secret []byte, admins []string, keys map[string]PublicKey) ([]groupAdmin, error) {
	out := make([]groupAdmin, 0, len(admins))
	for _, a := range admins {
		ev, err := s.c.rc.Encrypt(rnd, secret, keys[a], s.dc.SigningPrivateKey)
		if err != nil {
			return nil, err
		}
		out = append(out, groupAdmin{User: groupUser{UserID: a, UserMasterPublicKey: keys[a]}, encryptedOnce: ev})
	}
	return out, nil
}

// standardize applies ironoxide's GroupCreateOpts::standardize: the caller
// joins the admins and members unless told not to (first, where the SDK
// has always put it), a given owner joins the admins, and the admins must
// be non-empty and hold the owner (the caller when none is given).
func (o GroupCreateOptions) standardize(caller string) (admins, members []string, owner *string, err error) {
	withCaller := func(add bool, others []string) ([]string, error) {
		vs, err := validIDs("user", others)
		if err != nil {
			return nil, err
		}
		if add {
			vs = append([]string{caller}, vs...)
		}
		return uniq(vs), nil
	}
	if admins, err = withCaller(!o.NotAdmin, o.Admins); err != nil {
		return nil, nil, nil, err
	}
	if members, err = withCaller(!o.NotMember, o.Members); err != nil {
		return nil, nil, nil, err
	}
	own := caller
	if o.Owner != "" {
		if own, err = validateID("user", o.Owner); err != nil {
			return nil, nil, nil, err
		}
		owner = &own
		if !slices.Contains(admins, own) {
			admins = append(admins, own)
		}
	}
	if !slices.Contains(admins, own) {
		return nil, nil, nil, fmt.Errorf("sdk: group_create: %w: the admins must include the owner %q", ErrInvalidGroupOptions, own)
	}
	return admins, members, owner, nil
}

// GroupGet returns a group's metadata (GET groups/{id}). Phase:
// http:group_get.
func (s *SDK) GroupGet(ctx context.Context, groupID string) (*GroupResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	r, err := s.groupGet(ctx, groupID)
	if err != nil {
		return nil, err
	}
	return r.result(), nil
}

func (s *SDK) groupGet(ctx context.Context, groupID string) (*groupResp, error) {
	id, err := validateID("group", groupID)
	if err != nil {
		return nil, err
	}
	data, err := s.do(ctx, "group_get", http.MethodGet, "groups/"+iclEncode(id), "", nil)
	if err != nil {
		return nil, err
	}
	var r groupResp
	if err := decode("group_get", data, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// GroupList lists the groups the caller belongs to (GET groups). Phase:
// http:group_list.
func (s *SDK) GroupList(ctx context.Context) ([]*GroupResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	data, err := s.do(ctx, "group_list", http.MethodGet, "groups", "", nil)
	if err != nil {
		return nil, err
	}
	var r groupListResp
	if err := decode("group_list", data, &r); err != nil {
		return nil, err
	}
	out := make([]*GroupResult, len(r.Result))
	for i := range r.Result {
		out[i] = r.Result[i].result()
	}
	return out, nil
}

// GroupAddMembers adds users as members of a group the caller administers:
// GET groups/{id} and the users' keys (cached) at the same time, decrypt the
// group's private key, sign the group ID (Schnorr), a transform key per
// user, then POST groups/{id}/users. Users the service does not know are
// reported in Failed. Phases: http:group_get, http:user_key_list,
// crypto:decrypt, crypto:sign, crypto:transform_key, http:group_add_members.
func (s *SDK) GroupAddMembers(ctx context.Context, groupID string, userIDs []string) (*GroupAccessResult, error) {
	return s.groupAdd(ctx, groupID, userIDs, false)
}

// GroupAddAdmins adds users as admins of a group the caller administers,
// as GroupAddMembers but encrypting the group secret to each user (phase
// crypto:encrypt) and POSTing groups/{id}/admins (http:group_add_admins).
func (s *SDK) GroupAddAdmins(ctx context.Context, groupID string, userIDs []string) (*GroupAccessResult, error) {
	return s.groupAdd(ctx, groupID, userIDs, true)
}

func (s *SDK) groupAdd(ctx context.Context, groupID string, userIDs []string, admins bool) (*GroupAccessResult, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	id, err := validateID("group", groupID)
	if err != nil {
		return nil, err
	}
	if len(userIDs) == 0 {
		return nil, ErrEmptyGrants
	}
	users := make([]string, 0, len(userIDs))
	for _, u := range userIDs {
		v, err := validateID("user", u)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(users, v) {
			users = append(users, v)
		}
	}
	var (
		g       *groupResp
		keys    map[string]PublicKey
		unknown []string
	)
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() (err error) { g, err = s.groupGet(ectx, id); return err })
	eg.Go(func() (err error) { keys, unknown, err = s.userKeysFor(ectx, users, true); return err })
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	if g.EncryptedPrivateKey == nil {
		return nil, fmt.Errorf("sdk: group %q: %w", id, ErrNotGroupAdmin)
	}
	if err := g.EncryptedPrivateKey.check(); err != nil {
		return nil, &ProtocolError{Call: "group_get", Err: err}
	}
	secret, err := timed(ctx, "crypto:decrypt", func() ([]byte, error) {
		return s.c.rc.Decrypt(g.EncryptedPrivateKey, s.dc.DevicePrivateKey)
	})
	if err != nil {
		return nil, &CryptoError{Op: "decrypt group key", Err: err}
	}
	priv := derivePrivateKey(secret)
	rnd := s.rand()
	sig, err := timed(ctx, "crypto:sign", func() ([]byte, error) {
		return s.c.rc.SchnorrSign(rnd, priv, g.GroupMasterPublicKey, []byte(id))
	})
	if err != nil {
		return nil, &CryptoError{Op: "group signature", Err: err}
	}
	var found []string
	for _, u := range users {
		if _, ok := keys[u]; ok {
			found = append(found, u)
		}
	}
	res := &GroupAccessResult{}
	for _, u := range unknown {
		res.Failed = append(res.Failed, AccessFailure{ID: u, Type: "user", Reason: "User does not exist"})
	}
	var body []byte
	name := "group_add_members"
	path := "groups/" + iclEncode(id) + "/users"
	if admins {
		name = "group_add_admins"
		path = "groups/" + iclEncode(id) + "/admins"
		gas, err := timed(ctx, "crypto:encrypt", func() ([]groupAdmin, error) {
			return s.encryptToAdmins(rnd, secret, found, keys)
		})
		if err != nil {
			return nil, &CryptoError{Op: "encrypt group secret", Err: err}
		}
		body, err = marshal(groupAddAdminsReq{Admins: gas, Signature: sig})
		if err != nil {
			return nil, err
		}
	} else {
		gms, err := timed(ctx, "crypto:transform_key", func() ([]groupMember, error) {
			out := make([]groupMember, 0, len(found))
			for _, u := range found {
				tk, err := s.c.rc.GenerateTransformKey(rnd, priv, keys[u], s.dc.SigningPrivateKey)
				if err != nil {
					return nil, err
				}
				out = append(out, groupMember{UserID: u, TransformKey: tk, UserMasterPublicKey: keys[u]})
			}
			return out, nil
		})
		if err != nil {
			return nil, &CryptoError{Op: "member transform key", Err: err}
		}
		body, err = marshal(groupAddMembersReq{Users: gms, Signature: sig})
		if err != nil {
			return nil, err
		}
	}
	data, err := s.do(ctx, name, http.MethodPost, path, "", body)
	if err != nil {
		return nil, err
	}
	var r groupUserEditResp
	if err := decode(name, data, &r); err != nil {
		return nil, err
	}
	for _, ok := range r.SucceededIDs {
		res.Succeeded = append(res.Succeeded, ok.UserID)
	}
	for _, f := range r.FailedIDs {
		res.Failed = append(res.Failed, AccessFailure{ID: f.UserID, Type: "user", Reason: f.ErrorMessage})
	}
	return res, nil
}

// GroupDelete deletes a group the caller administers (DELETE groups/{id},
// body null) and returns its ID. Phase: http:group_delete.
func (s *SDK) GroupDelete(ctx context.Context, groupID string) (string, error) {
	ctx, cancel := s.c.opContext(ctx)
	defer cancel()
	id, err := validateID("group", groupID)
	if err != nil {
		return "", err
	}
	data, err := s.do(ctx, "group_delete", http.MethodDelete, "groups/"+iclEncode(id), "", []byte("null"))
	if err != nil {
		return "", err
	}
	var r struct {
		ID string `json:"id"`
	}
	if err := decode("group_delete", data, &r); err != nil {
		return "", err
	}
	return r.ID, nil
}
