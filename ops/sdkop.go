package ops

import (
	"context"
	"fmt"

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

// stepFunc is an SDK op's body; ctx carries the phase and status hooks.
type stepFunc func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error

// builder makes an SDK op's body from the step's checked arguments.
type builder func(Args) stepFunc

// sdkEntry makes a catalog entry whose op runs build's body, reporting the
// SDK's phases and final HTTP status to the iteration. Its New refuses an
// Env without an IronCore target, then checks each field.
func sdkEntry(name, help string, build builder, fields ...Field) *Entry {
	return &Entry{
		Name: name, Help: help, Fields: fields,
		New: func(env *Env, args Args) (loadgen.Op, error) {
			if env == nil || env.IronCore == nil {
				return nil, fmt.Errorf("%s needs an IronCore target: target.url: embedded, or a real target with identity: {config, key_file}", name)
			}
			if err := checkArgs(fields, args); err != nil {
				return nil, err
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

// actorOp is the body of an op that acts as the iteration's actor.
func actorOp(f func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, a *Identity) error) stepFunc {
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		a := actor(ic, it)
		if a == nil || a.SDK == nil {
			return errNoIdentity
		}
		return f(ctx, ic, it, a)
	}
}

// groupOp is the body of an op on a group: the one made earlier in the
// iteration, else one from the pool.
func groupOp(f func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, g *groupRef) error) stepFunc {
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		g, ok := it.Vars[varGroup].(*groupRef)
		if !ok {
			if g = ic.pool.randomGroup(workerRand(it.Worker)); g == nil {
				return workloadErr("no group: add a group_create step before this one, or setup.groups")
			}
		}
		return f(ctx, ic, it, g)
	}
}

// docOp is the body of an op on a document: the one made earlier in the
// iteration, else one from the pool.
func docOp(f func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, d *docRef) error) stepFunc {
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		d, ok := it.Vars[varDocument].(*docRef)
		if !ok {
			if d = ic.pool.randomDoc(workerRand(it.Worker)); d == nil {
				return workloadErr("no document: add a document_encrypt step before this one, or setup.documents")
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
