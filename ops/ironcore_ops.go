package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/sdk"
)

// Keys of Iteration.Vars by which steps of one iteration pass on what
// they made.
const (
	varUser     = "ironcore.user"     // *Identity (no SDK yet) from user_create
	varDevice   = "ironcore.device"   // sdk.DeviceContext from generate_device
	varSDK      = "ironcore.sdk"      // *Identity initialized in this iteration
	varGroup    = "ironcore.group"    // *groupRef from group_create
	varDocument = "ironcore.document" // *docRef from document_encrypt
	varGranted  = "ironcore.granted"  // granted: users and groups granted by document_grant
)

// granted is what a document_grant step granted, for document_revoke.
type granted struct{ users, groups []string }

// IronCoreEntries returns the catalog entries of every SDK operation.
func IronCoreEntries() []*Entry {
	keep := Field{Name: "keep", Kind: Bool, Help: "add what this step made to the run's pool, for later iterations to use"}
	password := Field{Name: "password", Kind: String, Help: "the user's password (default: the run's random password)"}
	size := Field{Name: "size", Kind: Size, Help: "document size, default 1KiB"}
	users := func(def string) Field {
		return Field{Name: "users", Kind: Int, Help: "how many other pool users, default " + def}
	}
	return []*Entry{
		sdkOp("user_create", "create a new, run-unique user (JWT; PBKDF2 and key generation on the client)", []Field{password},
			func(a Args) stepFunc {
				pw, _ := a["password"].(string)
				return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
					id := &Identity{UserID: ic.userName(workerName(it)), Password: pw}
					if id.Password == "" {
						id.Password = ic.Password
					}
					if _, err := ic.Client.UserCreate(ctx, ic.Issuer, id.UserID, id.Password, sdk.UserCreateOptions{}); err != nil {
						return err
					}
					it.Vars[varUser] = id
					return nil
				}
			}),
		sdkOp("user_verify", "look up the acting user (JWT)", nil,
			func(Args) stepFunc {
				return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
					id := subjectUser(ic, it)
					if id == nil {
						return errNoIdentity
					}
					u, err := ic.Client.UserVerify(ctx, ic.Issuer, id.UserID)
					if err != nil {
						return err
					}
					if u == nil {
						return fmt.Errorf("user_verify: %w", sdk.ErrUserNotFound)
					}
					return nil
				}
			}),
		sdkOp("generate_device", "add a device to the acting user (JWT; PBKDF2, key generation, transform key, Schnorr signature)",
			[]Field{password, {Name: "test_delay", Kind: Duration, Help: "for tests: sleep this long between http:user_verify and crypto:pbkdf2"}},
			func(a Args) stepFunc {
				pw, _ := a["password"].(string)
				delay, _ := a["test_delay"].(time.Duration)
				return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
					id := subjectUser(ic, it)
					if id == nil {
						return errNoIdentity
					}
					p := id.Password
					if pw != "" {
						p = pw
					}
					if delay > 0 {
						ctx = sdk.WithTestDelay(ctx, "generate_device", delay)
					}
					dc, err := ic.Client.GenerateDevice(ctx, ic.Issuer, id.UserID, p, sdk.DeviceOptions{Name: "loadgen"})
					if err != nil {
						return err
					}
					it.Vars[varDevice] = dc
					if _, fresh := it.Vars[varUser]; !fresh {
						ic.pool.noteDevice(id, dc.DeviceID) // a pool user's extra device: teardown deletes it
					}
					return nil
				}
			}),
		sdkOp("initialize", "initialize an SDK for the device made earlier in the iteration (users/current)", []Field{keep},
			func(a Args) stepFunc {
				k, _ := a["keep"].(bool)
				return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
					dc, ok := it.Vars[varDevice].(sdk.DeviceContext)
					id := subjectUser(ic, it)
					if !ok {
						if id == nil {
							return errNoIdentity
						}
						dc = id.Device
					}
					s, err := ic.Client.Initialize(ctx, dc)
					if err != nil {
						return err
					}
					acting := &Identity{UserID: s.UserID(), Device: dc, SDK: s}
					if id != nil {
						acting.Password = id.Password
					}
					it.Vars[varSDK] = acting
					if k {
						ic.pool.addUser(acting)
					} else {
						closeLater(it.Worker, s)
					}
					return nil
				}
			}),
		sdkOp("device_list", "list the acting user's devices", nil, fixed(actorOp(func(ctx context.Context, _ *IronCore, it *loadgen.Iteration, a *Identity) error {
			_, err := a.SDK.DeviceList(ctx)
			return err
		}))),
		sdkOp("device_delete", "delete the device generate_device made earlier in the iteration", nil,
			func(Args) stepFunc {
				return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
					dc, ok := it.Vars[varDevice].(sdk.DeviceContext)
					if !ok {
						return errors.New("device_delete deletes the device made by a generate_device step earlier in the iteration; there is none")
					}
					a := actor(ic, it)
					if a == nil {
						return errNoIdentity
					}
					if a.Device.DeviceID == dc.DeviceID && dc.DeviceID != 0 || a.Device.AccountID == dc.AccountID && string(a.Device.SigningPrivateKey) == string(dc.SigningPrivateKey) {
						_, err := a.SDK.DeviceDelete(ctx, 0)
						delete(it.Vars, varSDK)
						if err == nil {
							ic.pool.forgetDevice(dc.DeviceID)
						}
						return err
					}
					if dc.DeviceID == 0 {
						return errors.New("device_delete: the service did not say the new device's ID")
					}
					if _, err := a.SDK.DeviceDelete(ctx, dc.DeviceID); err != nil {
						return err
					}
					ic.pool.forgetDevice(dc.DeviceID) // gone: not teardown's to delete
					return nil
				}
			}),
		sdkOp("group_create", "create a group with the acting user as admin", []Field{
			{Name: "members", Kind: Int, Help: "other pool users to add as members, default 0"},
			{Name: "admins", Kind: Int, Help: "other pool users to add as admins, default 0"},
			keep,
		}, func(a Args) stepFunc {
			members, admins, k := argInt(a, "members", 0), argInt(a, "admins", 0), argBool(a, "keep")
			return actorOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, act *Identity) error {
				r := workerRand(it.Worker)
				opts := sdk.GroupCreateOptions{
					Members: ic.pool.otherUsers(r, members, act.UserID),
					Admins:  ic.pool.otherUsers(r, admins, act.UserID),
				}
				g, err := act.SDK.GroupCreate(ctx, opts)
				if err != nil {
					return err
				}
				ref := newGroupRef(g.ID, act, opts.Members, opts.Admins)
				it.Vars[varGroup] = ref
				if k {
					ic.pool.addGroup(ref, true)
				} else {
					ic.pool.noteGroup(ref)
				}
				return nil
			})
		}),
		sdkOp("group_get", "get a group (made earlier in the iteration, else one from the pool)", nil, fixed(groupOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, g *groupRef) error {
			_, err := g.Admin.SDK.GroupGet(ctx, g.ID)
			return err
		}))),
		sdkOp("group_list", "list the acting user's groups", nil, fixed(actorOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, a *Identity) error {
			_, err := a.SDK.GroupList(ctx)
			return err
		}))),
		sdkOp("group_add_members", "add pool users as members of a group", []Field{users("1")}, func(a Args) stepFunc {
			n := argInt(a, "users", 1)
			return groupOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, g *groupRef) error {
				ids := g.claim(&ic.pool, workerRand(it.Worker), n, false)
				if len(ids) == 0 {
					return errors.New("group_add_members: no pool users left who are not members; add setup.users")
				}
				res, err := g.Admin.SDK.GroupAddMembers(ctx, g.ID, ids)
				return accessErr("group_add_members", res, err)
			})
		}),
		sdkOp("group_add_admins", "add pool users as admins of a group", []Field{users("1")}, func(a Args) stepFunc {
			n := argInt(a, "users", 1)
			return groupOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, g *groupRef) error {
				ids := g.claim(&ic.pool, workerRand(it.Worker), n, true)
				if len(ids) == 0 {
					return errors.New("group_add_admins: no pool users left who are not admins; add setup.users")
				}
				res, err := g.Admin.SDK.GroupAddAdmins(ctx, g.ID, ids)
				return accessErr("group_add_admins", res, err)
			})
		}),
		sdkOp("document_encrypt", "encrypt a new managed document as the acting user", []Field{
			size, keep,
			{Name: "users", Kind: Int, Help: "other pool users to grant access to, default 0"},
			{Name: "groups", Kind: Int, Help: "pool groups to grant access to, default 0 (a group made earlier in the iteration counts)"},
		}, func(a Args) stepFunc {
			n, k := argSize(a, 1024), argBool(a, "keep")
			nu, ng := argInt(a, "users", 0), argInt(a, "groups", 0)
			return actorOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, act *Identity) error {
				r := workerRand(it.Worker)
				data := make([]byte, n)
				fill(r, data)
				opts := sdk.EncryptOptions{Users: ic.pool.otherUsers(r, nu, act.UserID)}
				if ng > 0 {
					if g, ok := it.Vars[varGroup].(*groupRef); ok {
						opts.Groups = append(opts.Groups, g.ID)
					}
					if more := ng - len(opts.Groups); more > 0 {
						opts.Groups = append(opts.Groups, ic.pool.randomGroups(r, more)...)
					}
				}
				res, err := act.SDK.DocumentEncrypt(ctx, data, opts)
				if err != nil {
					return err
				}
				if len(res.Failed) > 0 {
					return fmt.Errorf("document_encrypt: %d grant(s) failed: %s", len(res.Failed), res.Failed[0].Reason)
				}
				d := &docRef{ID: res.ID, Encrypted: res.Encrypted, Owner: act}
				for _, gid := range opts.Groups {
					if g, ok := it.Vars[varGroup].(*groupRef); ok && g.ID == gid {
						d.Groups = append(d.Groups, g)
					} else if g := ic.pool.groupByID(gid); g != nil {
						d.Groups = append(d.Groups, g)
					}
				}
				it.Vars[varDocument] = d
				if k {
					ic.pool.addDoc(d)
				}
				return nil
			})
		}),
		sdkOp("document_decrypt", "decrypt a document (made earlier in the iteration, else one from the pool)", []Field{
			{Name: "as", Kind: String, Help: "owner (default: one transform, user to device) or member (a member of a group the document was encrypted to: two transforms, group to user to device)"},
		}, func(a Args) stepFunc {
			asMember := a["as"] == "member"
			return docOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, d *docRef) error {
				reader := d.Owner
				if asMember {
					reader = nil
					r := workerRand(it.Worker)
					for _, i := range r.Perm(len(d.Groups)) {
						if reader = ic.pool.member(r, d.Groups[i], d.Owner.UserID); reader != nil {
							break
						}
					}
					if reader == nil {
						return errors.New("document_decrypt as member: the document was encrypted to no group with a pool member besides its owner; give document_encrypt groups: 1 and the group members")
					}
				}
				_, err := reader.SDK.DocumentDecrypt(ctx, d.Encrypted)
				return err
			})
		}),
		sdkOp("document_list", "list the documents the acting user can decrypt", nil, fixed(actorOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, a *Identity) error {
			_, err := a.SDK.DocumentList(ctx)
			return err
		}))),
		sdkOp("document_update", "re-encrypt a document with new data under its key", []Field{size}, func(a Args) stepFunc {
			n := argSize(a, 1024)
			return docOp(func(ctx context.Context, _ *IronCore, it *loadgen.Iteration, d *docRef) error {
				data := make([]byte, n)
				fill(workerRand(it.Worker), data)
				_, err := d.Owner.SDK.DocumentUpdate(ctx, d.ID, data)
				return err
			})
		}),
		sdkOp("document_grant", "grant pool users access to a document", []Field{
			users("1"),
			{Name: "groups", Kind: Int, Help: "pool groups to grant, default 0"},
		}, func(a Args) stepFunc {
			nu, ng := argInt(a, "users", 1), argInt(a, "groups", 0)
			return docOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, d *docRef) error {
				r := workerRand(it.Worker)
				us := ic.pool.otherUsers(r, nu, d.Owner.UserID)
				gs := ic.pool.randomGroups(r, ng)
				if len(us)+len(gs) == 0 {
					return errors.New("document_grant: nobody in the pool to grant to; add setup.users")
				}
				res, err := d.Owner.SDK.DocumentGrantAccess(ctx, d.ID, us, gs)
				if err := accessErr("document_grant", res, err); err != nil {
					return err
				}
				it.Vars[varGranted] = granted{users: us, groups: gs}
				return nil
			})
		}),
		sdkOp("document_revoke", "revoke the access a document_grant step gave earlier in the iteration", nil, fixed(docOp(func(ctx context.Context, _ *IronCore, it *loadgen.Iteration, d *docRef) error {
			g, _ := it.Vars[varGranted].(granted)
			if len(g.users)+len(g.groups) == 0 {
				return errors.New("document_revoke revokes what a document_grant step granted earlier in the iteration; there is none")
			}
			res, err := d.Owner.SDK.DocumentRevokeAccess(ctx, d.ID, g.users, g.groups)
			return accessErr("document_revoke", res, err)
		}))),
	}
}

// stepFunc is an SDK op's body; ctx carries the phase and status hooks.
type stepFunc func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error

// sdkOp makes a catalog entry whose op reports the SDK's phases and final
// HTTP status to the iteration.
func sdkOp(name, help string, fields []Field, build func(Args) stepFunc) *Entry {
	return &Entry{
		Name: name, Help: help, Fields: fields,
		New: func(env *Env, args Args) (loadgen.Op, error) {
			if env == nil || env.IronCore == nil {
				return nil, fmt.Errorf("%s needs an IronCore target: target.url: embedded, or a real target with identity: {config, key_file}", name)
			}
			for _, f := range []string{"members", "admins", "users", "groups"} {
				if v, ok := args[f].(int64); ok && v < 0 {
					return nil, &FieldError{Field: f, Msg: fmt.Sprintf("%d is negative; want 0 or more", v)}
				}
			}
			if v, ok := args["as"].(string); ok && v != "owner" && v != "member" {
				return nil, &FieldError{Field: "as", Msg: fmt.Sprintf("%q; want owner or member", v)}
			}
			if v, ok := args["size"].(int64); ok && (v < 0 || v > 64<<20) {
				return nil, &FieldError{Field: "size", Msg: fmt.Sprintf("%d bytes; want 0 to 64MiB", v)}
			}
			body := build(args)
			ic := env.IronCore
			return loadgen.OpFunc(func(ctx context.Context, it *loadgen.Iteration) error {
				if it.Vars == nil {
					it.Vars = map[string]any{}
				}
				ctx = sdk.WithPhaseHook(ctx, it.Phase)
				ctx = sdk.WithStatusHook(ctx, func(_ string, status int) { it.SetStatus(status) })
				return body(ctx, ic, it)
			}), nil
		},
	}
}

// subjectUser is the user an op acts for: the one made earlier in the
// iteration, else the worker's pool identity.
func subjectUser(ic *IronCore, it *loadgen.Iteration) *Identity {
	if a, ok := it.Vars[varSDK].(*Identity); ok {
		return a
	}
	if u, ok := it.Vars[varUser].(*Identity); ok {
		return u
	}
	return ic.pool.user(workerIndex(it))
}

// actor is the initialized identity an op acts as: the SDK initialized
// earlier in the iteration, else the worker's pool identity.
func actor(ic *IronCore, it *loadgen.Iteration) *Identity {
	if a, ok := it.Vars[varSDK].(*Identity); ok {
		return a
	}
	return ic.pool.user(workerIndex(it))
}

// fixed is the builder of an op without fields.
func fixed(f stepFunc) func(Args) stepFunc { return func(Args) stepFunc { return f } }

func actorOp(f func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, a *Identity) error) stepFunc {
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		a := actor(ic, it)
		if a == nil || a.SDK == nil {
			return errNoIdentity
		}
		return f(ctx, ic, it, a)
	}
}

func groupOp(f func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, g *groupRef) error) stepFunc {
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		g, ok := it.Vars[varGroup].(*groupRef)
		if !ok {
			if g = ic.pool.randomGroup(workerRand(it.Worker)); g == nil {
				return errors.New("no group: add a group_create step before this one, or setup.groups")
			}
		}
		return f(ctx, ic, it, g)
	}
}

func docOp(f func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, d *docRef) error) stepFunc {
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		d, ok := it.Vars[varDocument].(*docRef)
		if !ok {
			if d = ic.pool.randomDoc(workerRand(it.Worker)); d == nil {
				return errors.New("no document: add a document_encrypt step before this one, or setup.documents")
			}
		}
		return f(ctx, ic, it, d)
	}
}

// accessErr turns partial failures of an access change into an error.
func accessErr(op string, res any, err error) error {
	if err != nil {
		return err
	}
	var failed []sdk.AccessFailure
	switch r := res.(type) {
	case *sdk.AccessResult:
		failed = r.Failed
	case *sdk.GroupAccessResult:
		failed = r.Failed
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s: %d of the changes failed, first %s %s: %s", op, len(failed), failed[0].Type, failed[0].ID, failed[0].Reason)
	}
	return nil
}

// closeLater keeps the SDK a worker initialized last and closes the one
// before it, so per-identity connections do not pile up.
func closeLater(w *loadgen.WorkerState, s *sdk.SDK) {
	if w == nil {
		return
	}
	if w.Values == nil {
		w.Values = map[string]any{}
	}
	if prev, ok := w.Values["ironcore.last_sdk"].(*sdk.SDK); ok {
		prev.Close()
	}
	w.Values["ironcore.last_sdk"] = s
}

func workerIndex(it *loadgen.Iteration) int {
	if it.Worker == nil {
		return 0
	}
	return it.Worker.Index
}

func workerName(it *loadgen.Iteration) string {
	if it.Worker == nil {
		return "w0"
	}
	return fmt.Sprintf("w%d", it.Worker.Index)
}

func argInt(a Args, name string, def int) int {
	if v, ok := a[name].(int64); ok {
		return int(v)
	}
	return def
}

func argBool(a Args, name string) bool {
	v, _ := a[name].(bool)
	return v
}

func argSize(a Args, def int) int {
	if v, ok := a["size"].(int64); ok {
		return int(v)
	}
	return def
}
