package ops

import (
	"context"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/sdk"
)

// The builders of the unmanaged document ops: the caller keeps the
// document and its encrypted DEKs; the service keeps neither.

// varUnmanaged is the key of Iteration.Vars under which
// document_encrypt_unmanaged passes on its *docRef.
const varUnmanaged = "ironcore.unmanaged"

func documentEncryptUnmanaged(a Args) stepFunc {
	return encryptStep("document_encrypt_unmanaged", a, func(ctx context.Context, ic *IronCore, it *loadgen.Iteration, act *Identity, data []byte, opts sdk.EncryptOptions, keep bool) ([]sdk.AccessFailure, error) {
		res, err := act.SDK.DocumentEncryptUnmanaged(ctx, data, opts)
		if err != nil {
			return nil, err
		}
		if len(res.Failed) > 0 {
			return res.Failed, nil
		}
		d := newDocRef(ic, it, res.ID, res.Encrypted, act, opts.Groups)
		d.EncryptedDeks = res.EncryptedDeks
		it.Vars[varUnmanaged] = d
		if keep {
			ic.pool.addUnmanaged(d)
		}
		return nil, nil
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
