package ops

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"

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

// policyKeys are the keys of the policy field, each with the PolicyGrant
// field it sets.
var policyKeys = []string{"category", "sensitivity", "data_subject", "substitute_user"}

var policyLabel = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

func policyField() Field {
	return Field{Name: "policy", Kind: StringMap, Check: checkPolicy,
		Help: "also grant to whom the service's policy names for these labels: {category, sensitivity, data_subject, substitute_user}, each optional ({} asks for the policy's default rule); GET policies through the SDK's policy cache"}
}

func checkPolicy(v any) error {
	m, _ := v.(map[string]string)
	for k, val := range m {
		if !slices.Contains(policyKeys, k) {
			return fmt.Errorf("unknown key %q; want category, sensitivity, data_subject or substitute_user", k)
		}
		if k != "substitute_user" && !policyLabel.MatchString(val) {
			return fmt.Errorf("%s %q: want 1 to 100 of A-Z a-z 0-9 _ -", k, val)
		}
	}
	return nil
}

// argPolicy is the policy field as a PolicyGrant; nil without one.
func argPolicy(a Args) *sdk.PolicyGrant {
	m, ok := a["policy"].(map[string]string)
	if !ok {
		return nil
	}
	return &sdk.PolicyGrant{Category: m["category"], Sensitivity: m["sensitivity"], DataSubject: m["data_subject"], SubstituteUser: m["substitute_user"]}
}

func docNameField() Field {
	return Field{Name: "name", Kind: String, Help: "the document's new name, default loadgen-<random>"}
}

// encryptOptions are the grants of an encrypt step: nu other pool users,
// ng groups (the iteration's group first), the policy.
func encryptOptions(ic *IronCore, it *loadgen.Iteration, r *rand.Rand, act *Identity, nu, ng int, policy *sdk.PolicyGrant) sdk.EncryptOptions {
	opts := sdk.EncryptOptions{Users: ic.pool.otherUsers(r, nu, act.UserID), Policy: policy}
	if ng > 0 {
		if g, ok := it.Vars[varGroup].(*groupRef); ok {
			opts.Groups = append(opts.Groups, g.ID)
		}
		if more := ng - len(opts.Groups); more > 0 {
			opts.Groups = append(opts.Groups, ic.pool.randomGroups(r, more)...)
		}
	}
	return opts
}

// newDocRef is the document an encrypt step made, with the groups it was
// encrypted to that the run knows.
func newDocRef(ic *IronCore, it *loadgen.Iteration, id string, encrypted []byte, owner *Identity, groups []string) *docRef {
	d := &docRef{ID: id, Encrypted: encrypted, Owner: owner}
	for _, gid := range groups {
		if g, ok := it.Vars[varGroup].(*groupRef); ok && g.ID == gid {
			d.Groups = append(d.Groups, g)
		} else if g := ic.pool.groupByID(gid); g != nil {
			d.Groups = append(d.Groups, g)
		}
	}
	return d
}

func documentEncrypt(a Args) stepFunc {
	return encryptStep("document_encrypt", a, func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, act *Identity, data []byte, opts sdk.EncryptOptions, keep bool) ([]sdk.AccessFailure, error) {
		res, err := act.SDK.DocumentEncrypt(ctx, data, opts)
		if err != nil {
			return nil, err
		}
		if len(res.Failed) > 0 {
			return res.Failed, nil
		}
		d := newDocRef(ic, it, res.ID, res.Encrypted, act, opts.Groups)
		it.Vars[varDocument] = d
		if keep {
			ic.pool.addDoc(d)
		}
		return nil, nil
	})
}

// encryptFunc encrypts data as act with opts and keeps what it made (in
// the iteration, and in the pool with keep), returning the grants that
// failed.
type encryptFunc func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, act *Identity, data []byte, opts sdk.EncryptOptions, keep bool) ([]sdk.AccessFailure, error)

// encryptStep is the step of an encrypting op (document_encrypt and its
// unmanaged twin): size random bytes, to the users, groups and policy its
// fields name; a grant that failed fails the step.
func encryptStep(op string, a Args, encrypt encryptFunc) stepFunc {
	n, keep := argSize(a, 1024), argBool(a, "keep")
	nu, ng, policy := argInt(a, "users", 0), argInt(a, "groups", 0), argPolicy(a)
	return actorOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, act *Identity) error {
		r := workerRand(it.Worker)
		data := make([]byte, n)
		fill(r, data)
		failed, err := encrypt(ctx, ic, it, act, data, encryptOptions(ic, it, r, act, nu, ng, policy), keep)
		if err != nil {
			return err
		}
		if len(failed) > 0 {
			return fmt.Errorf("%s: %d grant(s) failed: %s", op, len(failed), failed[0].Reason)
		}
		return nil
	})
}

func documentGetMetadata(Args) stepFunc {
	return docOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, d *docRef) error {
		_, err := d.Owner.SDK.DocumentGetMetadata(ctx, d.ID)
		return err
	})
}

func documentUpdateName(a Args) stepFunc {
	name := argString(a, "name")
	return docOp(func(ctx context.Context, _ *IronCore, it *loadgen.Iteration, d *docRef) error {
		n := name
		if n == "" {
			n = fmt.Sprintf("loadgen-%08x", workerRand(it.Worker).Uint32())
		}
		_, err := d.Owner.SDK.DocumentUpdateName(ctx, d.ID, n)
		return err
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
			return workloadErr("document_decrypt as member: the document made earlier in the iteration was encrypted to no group with a pool member besides its owner; give document_encrypt groups: 1 and the group members")
		}
	default:
		if d, reader = ic.pool.memberDoc(r); d == nil {
			return workloadErr("document_decrypt as member: no pool document is encrypted to a group with a pool member besides its owner; add setup.groups and setup.documents, or document_encrypt steps with groups: 1 and keep: true")
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
			return workloadErr("document_grant: nobody in the pool to grant to; add setup.users")
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
			return workloadErr("document_revoke revokes what a document_grant step granted earlier in the iteration; there is none")
		}
		res, err := d.Owner.SDK.DocumentRevokeAccess(ctx, d.ID, g.users, g.groups)
		return accessErr("document_revoke", res, err)
	})
}
