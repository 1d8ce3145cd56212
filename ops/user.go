package ops

import (
	"context"
	"errors"
	"fmt"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/sdk"
)

// The builders of the user and device ops.

func userCreate(a Args) stepFunc {
	pw := argString(a, "password")
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
	keep := argBool(a, "keep")
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
}
