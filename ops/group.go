package ops

import (
	"context"
	"errors"

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

func groupCreate(a Args) stepFunc {
	members, admins, keep := argInt(a, "members", 0), argInt(a, "admins", 0), argBool(a, "keep")
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
			return errors.New("group_add_members: no pool users left who are not members; add setup.users")
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
			return errors.New("group_add_admins: no pool users left who are not admins; add setup.users")
		}
		res, err := g.Admin.SDK.GroupAddAdmins(ctx, g.ID, ids)
		return accessErr("group_add_admins", res, err)
	})
}
