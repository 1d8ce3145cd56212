package ops

import (
	"context"
	"errors"
	"fmt"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/sdk"
)

// The builders of the document ops, and the fields only they have.

// granted is what a document_grant step granted, for document_revoke.
type granted struct{ users, groups []string }

func encryptUsersField() Field {
	return countField("users", "other pool users to grant access to, default 0")
}

func encryptGroupsField() Field {
	return countField("groups", "pool groups to grant access to, default 0 (a group made earlier in the iteration counts)")
}

func grantGroupsField() Field {
	return countField("groups", "pool groups to grant, default 0")
}

func asField() Field {
	return Field{Name: "as", Kind: String, Check: oneOf("owner", "member"),
		Help: "owner (default: one transform, user to device) or member (a member of a group the document was encrypted to: two transforms, group to user to device)"}
}

func documentEncrypt(a Args) stepFunc {
	n, keep := argSize(a, 1024), argBool(a, "keep")
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
		if keep {
			ic.pool.addDoc(d)
		}
		return nil
	})
}

func documentDecrypt(a Args) stepFunc {
	if a["as"] == "member" {
		return decryptAsMember
	}
	return docOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, d *docRef) error {
		_, err := d.Owner.SDK.DocumentDecrypt(ctx, d.Encrypted)
		return err
	})
}

// decryptAsMember decrypts, as a member of a group it was encrypted to
// (two transforms: group to user to device), the document made earlier in
// the iteration, else a pool document that has such a member: documents
// encrypted to no group, or to groups of their owner alone, are not picked.
func decryptAsMember(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
	r := workerRand(it.Worker)
	var reader *Identity
	d, made := it.Vars[varDocument].(*docRef)
	switch {
	case made:
		if reader = ic.pool.groupMember(r, d); reader == nil {
			return errors.New("document_decrypt as member: the document made earlier in the iteration was encrypted to no group with a pool member besides its owner; give document_encrypt groups: 1 and the group members")
		}
	default:
		if d, reader = ic.pool.memberDoc(r); d == nil {
			return errors.New("document_decrypt as member: no pool document is encrypted to a group with a pool member besides its owner; add setup.groups and setup.documents, or document_encrypt steps with groups: 1 and keep: true")
		}
	}
	_, err := reader.SDK.DocumentDecrypt(ctx, d.Encrypted)
	return err
}

func documentList(Args) stepFunc {
	return actorOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, a *Identity) error {
		_, err := a.SDK.DocumentList(ctx)
		return err
	})
}

func documentUpdate(a Args) stepFunc {
	n := argSize(a, 1024)
	return docOp(func(ctx context.Context, _ *IronCore, it *loadgen.Iteration, d *docRef) error {
		data := make([]byte, n)
		fill(workerRand(it.Worker), data)
		_, err := d.Owner.SDK.DocumentUpdate(ctx, d.ID, data)
		return err
	})
}

func documentGrant(a Args) stepFunc {
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
}

func documentRevoke(Args) stepFunc {
	return docOp(func(ctx context.Context, _ *IronCore, it *loadgen.Iteration, d *docRef) error {
		g, _ := it.Vars[varGranted].(granted)
		if len(g.users)+len(g.groups) == 0 {
			return errors.New("document_revoke revokes what a document_grant step granted earlier in the iteration; there is none")
		}
		res, err := d.Owner.SDK.DocumentRevokeAccess(ctx, d.ID, g.users, g.groups)
		return accessErr("document_revoke", res, err)
	})
}
