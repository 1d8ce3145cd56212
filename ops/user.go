package ops

import (
	"context"
	"errors"
	"fmt"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/sdk"
)

// The builders of the user and device ops, and the fields only they have.

func needsRotationField(what string) Field {
	return Field{Name: "needs_rotation", Kind: Bool, Help: "mark the new " + what + "'s private key as needing rotation (initialize's rotation check and rotate then see it)"}
}

func rotationField() Field {
	return Field{Name: "rotation", Kind: String, Check: oneOf("none", "check", "rotate"),
		Help: "none (default: GET users/current), check (ironoxide's initialize_check_rotation: users/current and groups at once, noting the keys marked for rotation) or rotate (initialize_and_rotate: the check, then rotating the user's and its groups' marked keys with the user's password)"}
}

func publicKeyUsersField() Field {
	return countField("users", "how many other pool users' public keys to look up, default 1 (the acting user's own when the pool has no other)")
}

func userCreate(a Args) stepFunc {
	pw := argString(a, "password")
	opts := sdk.UserCreateOptions{NeedsRotation: argBool(a, "needs_rotation")}
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		id := &Identity{UserID: ic.userName(workerName(it)), Password: pw}
		if id.Password == "" {
			id.Password = ic.Password
		}
		if _, err := ic.Client.UserCreate(ctx, ic.Issuer, id.UserID, id.Password, opts); err != nil {
			return err
		}
		it.Vars[varUser] = id
		return nil
	}
}

func userVerify(Args) stepFunc {
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
}

func generateDevice(a Args) stepFunc {
	pw := argString(a, "password")
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		id := subjectUser(ic, it)
		if id == nil {
			return errNoIdentity
		}
		p := id.Password
		if pw != "" {
			p = pw
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
}

func initialize(a Args) stepFunc {
	keep, rotation := argBool(a, "keep"), argString(a, "rotation")
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		dc, ok := it.Vars[varDevice].(sdk.DeviceContext)
		id := subjectUser(ic, it)
		if !ok {
			if id == nil {
				return errNoIdentity
			}
			dc = id.Device
		}
		s, err := initializeSDK(ctx, ic, dc, id, rotation)
		if err != nil {
			return err
		}
		acting := &Identity{UserID: s.UserID(), Device: dc, SDK: s}
		if id != nil {
			acting.Password = id.Password
		}
		it.Vars[varSDK] = acting
		if keep {
			ic.pool.addUser(acting)
		} else {
			closeLater(it.Worker, s)
		}
		return nil
	}
}

func deviceList(Args) stepFunc {
	return actorOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, a *Identity) error {
		_, err := a.SDK.DeviceList(ctx)
		return err
	})
}

func deviceDelete(Args) stepFunc {
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		dc, ok := it.Vars[varDevice].(sdk.DeviceContext)
		if !ok {
			return workloadErr("device_delete deletes the device made by a generate_device step earlier in the iteration; there is none")
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
}

// initializeSDK initializes an SDK for dc as rotation says: without a
// rotation check, with one, or with the check and the rotations it calls
// for (with id's password).
func initializeSDK(ctx context.Context, ic *IronCore, dc sdk.DeviceContext, id *Identity, rotation string) (*sdk.SDK, error) {
	switch rotation {
	case "check":
		s, _, err := ic.Client.InitializeCheckRotation(ctx, dc)
		return s, err
	case "rotate":
		if id == nil || id.Password == "" {
			return nil, workloadErr("initialize rotation: rotate needs the user's password; the identity has none (setup.from without passwords?)")
		}
		s, _, err := ic.Client.InitializeAndRotate(ctx, dc, id.Password)
		return s, err
	}
	return ic.Client.Initialize(ctx, dc)
}

func userRotatePrivateKey(Args) stepFunc {
	return actorOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, a *Identity) error {
		if a.Password == "" {
			return workloadErr("user_rotate_private_key needs the user's password; the identity has none (setup.from without passwords?)")
		}
		_, err := a.SDK.UserRotatePrivateKey(ctx, a.Password)
		return err
	})
}

// userChangePassword re-escrows the acting user's private key under its
// password: the password stays the same, since a pool user is shared by
// workers whose later steps need the password they know.
func userChangePassword(Args) stepFunc {
	return actorOp(func(ctx context.Context, _ *IronCore, _ *loadgen.Iteration, a *Identity) error {
		if a.Password == "" {
			return workloadErr("user_change_password needs the user's password; the identity has none (setup.from without passwords?)")
		}
		_, err := a.SDK.UserChangePassword(ctx, a.Password, a.Password)
		return err
	})
}

func userGetPublicKey(a Args) stepFunc {
	n := argInt(a, "users", 1)
	return actorOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, act *Identity) error {
		ids := ic.pool.otherUsers(workerRand(it.Worker), n, act.UserID)
		if len(ids) == 0 {
			ids = []string{act.UserID}
		}
		keys, err := act.SDK.UserGetPublicKey(ctx, ids)
		if err != nil {
			return err
		}
		if len(keys) != len(ids) {
			return fmt.Errorf("user_get_public_key: %d of %d users have a public key", len(keys), len(ids))
		}
		return nil
	})
}
