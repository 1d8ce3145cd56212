package ops

import (
	"context"
	"fmt"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// The builders of the unmanaged document ops: the caller keeps the
// document and its encrypted DEKs; the service keeps neither.

// varUnmanaged is the key of Iteration.Vars under which
// document_encrypt_unmanaged passes on its *docRef.
const varUnmanaged = "ironcore.unmanaged"

func documentEncryptUnmanaged(a Args) stepFunc {
	n, keep := argSize(a, 1024), argBool(a, "keep")
	nu, ng, policy := argInt(a, "users", 0), argInt(a, "groups", 0), argPolicy(a)
	return actorOp(func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, act *Identity) error {
		r := workerRand(it.Worker)
		data := make([]byte, n)
		fill(r, data)
		opts := encryptOptions(ic, it, r, act, nu, ng, policy)
		res, err := act.SDK.DocumentEncryptUnmanaged(ctx, data, opts)
		if err != nil {
			return err
		}
		if len(res.Failed) > 0 {
			return fmt.Errorf("document_encrypt_unmanaged: %d grant(s) failed: %s", len(res.Failed), res.Failed[0].Reason)
		}
		d := newDocRef(ic, it, res.ID, res.Encrypted, act, opts.Groups)
		d.EncryptedDeks = res.EncryptedDeks
		it.Vars[varUnmanaged] = d
		if keep {
			ic.pool.addUnmanaged(d)
		}
		return nil
	})
}

// documentDecryptUnmanaged decrypts, as its owner, the unmanaged document
// made earlier in the iteration, else one from the pool.
func documentDecryptUnmanaged(Args) stepFunc {
	return func(ctx context.Context, ic *IronCore, it *loadgen.Iteration) error {
		d, ok := it.Vars[varUnmanaged].(*docRef)
		if !ok {
			if d = ic.pool.randomUnmanaged(workerRand(it.Worker)); d == nil {
				return workloadErr("document_decrypt_unmanaged: no unmanaged document: add a document_encrypt_unmanaged step before this one (keep: true shares it with later iterations)")
			}
		}
		_, err := d.Owner.SDK.DocumentDecryptUnmanaged(ctx, d.Encrypted, d.EncryptedDeks)
		return err
	}
}
