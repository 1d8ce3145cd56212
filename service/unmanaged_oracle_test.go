package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	ro "github.com/ironcorelabs/loadgen/internal/recryptoracle"
	"github.com/ironcorelabs/loadgen/sdk"
)

// TestOracleEdeksTransform judges POST edeks/transform (#29, unmanaged documents) by the real
// recrypt-rs: the SDK encrypts an unmanaged document to A and to the group (B is a member); the
// service's answer to the EncryptedDeks protobuf, as A's device (one hop) and as B's (group →
// user → device, two hops), decrypts in the oracle with that device's key to a DEK whose derived
// key opens the SDK's document; another device's key does not.
func TestOracleEdeksTransform(t *testing.T) {
	f := newOracleFlow(t)
	o := f.o
	data := []byte("unmanaged: the caller keeps the EDEKs")
	un, err := f.a.sdk.DocumentEncryptUnmanaged(t.Context(), data, sdk.EncryptOptions{Groups: []string{f.groupID}})
	if err != nil {
		t.Fatalf("DocumentEncryptUnmanaged: %v", err)
	}
	for _, c := range []struct {
		u, other *oracleIdentity
		via      string
		hops     int
	}{{f.a, f.b, "user:" + f.a.id, 1}, {f.b, f.a, "group:" + f.groupID, 2}} {
		f.e.clock.Set(time.Now())
		status, b := f.e.v2(c.u.tu, "POST", "edeks/transform", un.EncryptedDeks)
		var resp edekTransformResp
		if status != 200 || json.Unmarshal(b, &resp) != nil || resp.EncryptedSymmetricKey == nil {
			t.Fatalf("edeks/transform as %s: %d %s", c.u.id, status, b)
		}
		if got := resp.UserOrGroup.Type + ":" + resp.UserOrGroup.ID; got != c.via || len(resp.EncryptedSymmetricKey.TransformBlocks) != c.hops {
			t.Errorf("edeks/transform as %s: via %s with %d blocks, want %s with %d", c.u.id, got, len(resp.EncryptedSymmetricKey.TransformBlocks), c.via, c.hops)
		}
		ev := oracleValue(resp.EncryptedSymmetricKey)
		dek, err := o.Decrypt(ev, c.u.dc.DevicePrivateKey)
		if err != nil {
			t.Fatalf("recrypt decrypt as %s: %v", c.u.id, err)
		}
		key, err := o.DeriveSymmetricKey(dek)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := openDocument(t, un.Encrypted, key); err != nil || !bytes.Equal(got, data) {
			t.Errorf("the DEK recrypt decrypted as %s does not open the document: %v", c.u.id, err)
		}
		var oe *ro.Error
		if _, err := o.Decrypt(ev, c.other.dc.DevicePrivateKey); !errors.As(err, &oe) || oe.Kind != "binding" {
			t.Errorf("recrypt decrypt of %s's answer with %s's device key: %v, want a binding error", c.u.id, c.other.id, err)
		}
	}
}
