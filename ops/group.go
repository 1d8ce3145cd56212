package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/sdk"
)

// The builders of the group ops, and the fields only they have.

func membersField() Field {
	return countField("members", "other pool users to add as members, default 0")
}

func adminsField() Field {
	return countField("admins", "other pool users to add as admins, default 0")
}

func groupIDField() Field {
	return Field{Name: "id", Kind: String, Check: checkGroupID,
		Help: "the group's ID, where {user} stands for the acting user's ID (data_recovery_{user} is what the embedded service's default policy grants to); default: the service picks one"}
}

func checkGroupID(v any) error {
	if s, _ := v.(string); strings.TrimSpace(s) == "" {
		return errors.New("empty; omit it to let the service pick an ID")
	}
	return nil
}

func groupNameField() Field {
	return Field{Name: "name", Kind: String, Help: "the group's new name, default loadgen-<random>"}
}

func removeUsersField(what string) Field {
	return countField("users", "how many "+what+" the run added to the group to remove (never the admin acting), default 1")
}

func groupCreate(a Args) stepFunc {
	members, admins, keep := argInt(a, "members", 0), argInt(a, "admins", 0), argBool(a, "keep")
	id, needsRotation := argString(a, "id"), argBool(a, "needs_rotation")
	return actorOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, act *Identity) error {
		r := workerRand(it.Worker)
		opts := sdk.GroupCreateOptions{
			ID:            strings.ReplaceAll(id, "{user}", act.UserID),
			Members:       ic.pool.otherUsers(r, members, act.UserID),
			Admins:        ic.pool.otherUsers(r, admins, act.UserID),
			NeedsRotation: needsRotation,
		}
		g, err := act.SDK.GroupCreate(ctx, opts)
		if err != nil {
			return err
		}
		ref := newGroupRef(g.ID, act, opts.Members, opts.Admins)
		ref.kept = keep
		it.Vars[varGroup] = ref
		if keep {
			ic.pool.addGroup(ref, true)
		} else {
			ic.pool.noteGroup(ref)
		}
		return nil
	})
}

func groupGet(Args) stepFunc {
	return groupOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, g *groupRef) error {
		_, err := g.Admin.SDK.GroupGet(ctx, g.ID)
		return err
	})
}

func groupList(Args) stepFunc {
	return actorOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, a *Identity) error {
		_, err := a.SDK.GroupList(ctx)
		return err
	})
}

func groupAddMembers(a Args) stepFunc {
	n := argInt(a, "users", 1)
	return groupOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, g *groupRef) error {
		ids := g.claim(&ic.pool, workerRand(it.Worker), n, false)
		if len(ids) == 0 {
			return workloadErr("group_add_members: no pool users left who are not members; add setup.users")
		}
		res, err := g.Admin.SDK.GroupAddMembers(ctx, g.ID, ids)
		return accessErr("group_add_members", res, err)
	})
}

func groupAddAdmins(a Args) stepFunc {
	n := argInt(a, "users", 1)
	return groupOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, g *groupRef) error {
		ids := g.claim(&ic.pool, workerRand(it.Worker), n, true)
		if len(ids) == 0 {
			return workloadErr("group_add_admins: no pool users left who are not admins; add setup.users")
		}
		res, err := g.Admin.SDK.GroupAddAdmins(ctx, g.ID, ids)
		return accessErr("group_add_admins", res, err)
	})
}

func groupUpdateName(a Args) stepFunc {
	name := argString(a, "name")
	return groupOp(func(ctx context.Context, _ *IronCore, it *loadgen.Iteration, g *groupRef) error {
		n := name
		if n == "" {
			n = fmt.Sprintf("loadgen-%08x", workerRand(it.Worker).Uint32())
		}
		_, err := g.Admin.SDK.GroupUpdateName(ctx, g.ID, n)
		return err
	})
}

func groupRemoveMembers(a Args) stepFunc {
	n := argInt(a, "users", 1)
	return groupOp(func(ctx context.Context, _ *IronCore, it *loadgen.Iteration, g *groupRef) error {
		ids := g.release(workerRand(it.Worker), n, false)
		if len(ids) == 0 {
			return workloadErr("group_remove_members: the group has no members the run added but its admin; add group_add_members or group_create members: before it")
		}
		res, err := g.Admin.SDK.GroupRemoveMembers(ctx, g.ID, ids)
		return accessErr("group_remove_members", res, err)
	})
}

func groupRemoveAdmins(a Args) stepFunc {
	n := argInt(a, "users", 1)
	return groupOp(func(ctx context.Context, _ *IronCore, it *loadgen.Iteration, g *groupRef) error {
		ids := g.release(workerRand(it.Worker), n, true)
		if len(ids) == 0 {
			return workloadErr("group_remove_admins: the group has no admins the run added but the one acting; add group_add_admins or group_create admins: before it")
		}
		res, err := g.Admin.SDK.GroupRemoveAdmins(ctx, g.ID, ids)
		return accessErr("group_remove_admins", res, err)
	})
}

func groupRotatePrivateKey(Args) stepFunc {
	return groupOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, g *groupRef) error {
		_, err := g.Admin.SDK.GroupRotatePrivateKey(ctx, g.ID)
		return err
	})
}

// groupDelete deletes the group made earlier in the iteration: a pool
// group may hold documents other steps decrypt.
func groupDelete(Args) stepFunc {
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		g, ok := it.Vars[varGroup].(*groupRef)
		if !ok || g.kept {
			return workloadErr("group_delete deletes the group a group_create step (without keep) made earlier in the iteration; there is none")
		}
		if _, err := g.Admin.SDK.GroupDelete(ctx, g.ID); err != nil {
			return err
		}
		delete(it.Vars, varGroup)
		ic.pool.forgetGroup(g) // gone: not teardown's to delete
		return nil
	}
}
