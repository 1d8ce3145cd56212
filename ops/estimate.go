package ops

import (
	"fmt"
	"time"

	"github.com/ironcorelabs/loadgen/sdk"
	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// Calibration is what the client-side crypto primitives of the SDK ops cost
// on this machine, one of each, measured by Calibrate. It feeds the
// estimate of client CPU that `run --dry-run` prints.
type Calibration struct {
	PBKDF2       time.Duration // the SDK's PBKDF2-HMAC-SHA256, 250,000 iterations
	KeyGen       time.Duration // a recrypt key pair
	Encrypt      time.Duration // recrypt encrypt (one grantee)
	Decrypt      time.Duration // recrypt decrypt of a once-transformed value
	TransformKey time.Duration
}

// Calibrate times each primitive once (PBKDF2) or a few times (recrypt)
// and keeps the fastest, a floor for what an op costs. It takes about as
// long as two PBKDF2 runs.
func Calibrate() (Calibration, error) {
	var c Calibration
	start := time.Now()
	if _, err := sdk.DeriveKey("calibration", make([]byte, 32)); err != nil {
		return c, fmt.Errorf("calibrate: %w", err)
	}
	c.PBKDF2 = time.Since(start)

	r := recrypt.New(nil)
	signer, err := r.GenerateEd25519KeyPair()
	if err != nil {
		return c, fmt.Errorf("calibrate: %w", err)
	}
	best := func(d *time.Duration, f func() error) error {
		for i := 0; i < 3; i++ {
			t := time.Now()
			if err := f(); err != nil {
				return fmt.Errorf("calibrate: %w", err)
			}
			if e := time.Since(t); *d == 0 || e < *d {
				*d = e
			}
		}
		return nil
	}
	var skA recrypt.PrivateKey
	var pkA, pkB recrypt.PublicKey
	var skB recrypt.PrivateKey
	if err := best(&c.KeyGen, func() (err error) { skA, pkA, err = r.GenerateKeyPair(); return err }); err != nil {
		return c, err
	}
	if skB, pkB, err = r.GenerateKeyPair(); err != nil {
		return c, fmt.Errorf("calibrate: %w", err)
	}
	pt, err := r.GeneratePlaintext()
	if err != nil {
		return c, fmt.Errorf("calibrate: %w", err)
	}
	var ev recrypt.EncryptedValue
	if err := best(&c.Encrypt, func() (err error) { ev, err = r.Encrypt(pt, pkA, signer); return err }); err != nil {
		return c, err
	}
	var tk recrypt.TransformKey
	if err := best(&c.TransformKey, func() (err error) { tk, err = r.GenerateTransformKey(skA, pkB, signer); return err }); err != nil {
		return c, err
	}
	moved, err := r.Transform(ev, tk, signer)
	if err != nil {
		return c, fmt.Errorf("calibrate: %w", err)
	}
	if err := best(&c.Decrypt, func() error { _, err := recrypt.Decrypt(moved, skB); return err }); err != nil {
		return c, err
	}
	return c, nil
}

// Estimate returns the client CPU one run of op with args costs, from the
// primitives the SDK does for it (its crypto:* phases); zero for ops with
// no heavy crypto. It is a floor: signing, JSON and HTTP come on top.
func (c Calibration) Estimate(op string, args Args) time.Duration {
	n := func(name string, def int) time.Duration { return time.Duration(argInt(args, name, def)) }
	switch op {
	case "user_create":
		return c.PBKDF2 + c.KeyGen
	case "generate_device":
		return c.PBKDF2 + c.KeyGen + c.TransformKey
	case "group_create":
		// A group key; its secret encrypted to each admin; a transform key
		// to each member (the caller is both).
		return c.KeyGen + (1+n("admins", 0))*c.Encrypt + (1+n("members", 0))*c.TransformKey
	case "group_add_members":
		return c.Decrypt + n("users", 1)*c.TransformKey
	case "group_add_admins":
		return c.Decrypt + n("users", 1)*c.Encrypt
	case "document_encrypt":
		// A new document key (about an encrypt's work), encrypted to the
		// caller and every grantee.
		return c.Encrypt + (1+n("users", 0)+n("groups", 0))*c.Encrypt
	case "document_decrypt", "document_update":
		return c.Decrypt
	case "document_grant":
		return c.Decrypt + (n("users", 1)+n("groups", 0))*c.Encrypt
	}
	return 0
}
