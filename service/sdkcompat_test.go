package service_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/ironcorelabs/loadgen/sdk"
	"github.com/ironcorelabs/loadgen/service"
)

// TestWithSDK runs the project's SDK against the service: the two are written from the same
// spec by different hands, so this catches a misreading on either side. It uses only the
// public API of both, as the lead's embedding does.
func TestWithSDK(t *testing.T) {
	t.Parallel()
	p, err := service.NewProject(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := service.New(service.Config{Project: p})
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfgJSON, err := p.ConfigJSON()
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := p.PrivateKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	iss, err := sdk.NewIssuer(cfgJSON, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sdk.New(sdk.Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx := t.Context()

	device := func(id string) *sdk.SDK {
		t.Helper()
		if _, err := c.UserCreate(ctx, iss, id, "pw-"+id, sdk.UserCreateOptions{}); err != nil {
			t.Fatalf("UserCreate %s: %v", id, err)
		}
		if u, err := c.UserVerify(ctx, iss, id); err != nil || u == nil {
			t.Fatalf("UserVerify %s: %v %v", id, u, err)
		}
		dc, err := c.GenerateDevice(ctx, iss, id, "pw-"+id, sdk.DeviceOptions{Name: "laptop"})
		if err != nil {
			t.Fatalf("GenerateDevice %s: %v", id, err)
		}
		d, err := c.Initialize(ctx, dc)
		if err != nil {
			t.Fatalf("Initialize %s: %v", id, err)
		}
		t.Cleanup(d.Close)
		return d
	}
	alice, bob := device("sdk-alice"), device("sdk-bob")

	if devs, err := alice.DeviceList(ctx); err != nil || len(devs) != 1 {
		t.Errorf("DeviceList: %v %v", devs, err)
	}
	if _, err := c.GenerateDevice(ctx, iss, "sdk-alice", "pw-sdk-alice", sdk.DeviceOptions{}); err != nil {
		t.Fatalf("GenerateDevice (spare): %v", err)
	}
	if devs, err := alice.DeviceList(ctx); err != nil || len(devs) != 2 {
		t.Fatalf("DeviceList with the spare: %v %v", devs, err)
	} else if _, err := alice.DeviceDelete(ctx, devs[1].ID); err != nil {
		t.Errorf("DeviceDelete: %v", err)
	}
	g, err := alice.GroupCreate(ctx, sdk.GroupCreateOptions{ID: "sdk-group"})
	if err != nil {
		t.Fatalf("GroupCreate: %v", err)
	}
	if _, err := alice.GroupAddMembers(ctx, g.ID, []string{"sdk-bob"}); err != nil {
		t.Fatalf("GroupAddMembers: %v", err)
	}
	if _, err := alice.GroupAddAdmins(ctx, g.ID, []string{"sdk-bob"}); err != nil {
		t.Fatalf("GroupAddAdmins: %v", err)
	}
	if _, err := bob.GroupGet(ctx, g.ID); err != nil {
		t.Errorf("GroupGet as the new admin: %v", err)
	}
	if _, err := alice.GroupGet(ctx, g.ID); err != nil {
		t.Errorf("GroupGet: %v", err)
	}
	if _, err := alice.GroupList(ctx); err != nil {
		t.Errorf("GroupList: %v", err)
	}
	data := []byte("the quick brown fox")
	enc, err := alice.DocumentEncrypt(ctx, data, sdk.EncryptOptions{Groups: []string{g.ID}})
	if err != nil {
		t.Fatalf("DocumentEncrypt: %v", err)
	}
	for name, d := range map[string]*sdk.SDK{"alice": alice, "bob (through the group)": bob} {
		dec, err := d.DocumentDecrypt(ctx, enc.Encrypted)
		if err != nil {
			t.Fatalf("DocumentDecrypt as %s: %v", name, err)
		}
		if !bytes.Equal(dec.Plaintext, data) {
			t.Errorf("%s decrypted %q", name, dec.Plaintext)
		}
	}
	if _, err := alice.DocumentList(ctx); err != nil {
		t.Errorf("DocumentList: %v", err)
	}
	if _, err := alice.DocumentGrantAccess(ctx, enc.ID, []string{"sdk-bob"}, nil); err != nil {
		t.Errorf("DocumentGrantAccess: %v", err)
	}
	// Granting again an already-granted user succeeds and leaves its key alone.
	if res, err := alice.DocumentGrantAccess(ctx, enc.ID, []string{"sdk-bob"}, nil); err != nil || len(res.Succeeded) != 1 || len(res.Failed) != 0 {
		t.Errorf("DocumentGrantAccess again: %+v, %v; want sdk-bob succeeded", res, err)
	} else if dec, err := bob.DocumentDecrypt(ctx, enc.Encrypted); err != nil || !bytes.Equal(dec.Plaintext, data) {
		t.Errorf("DocumentDecrypt as bob after a second grant: %v", err)
	}
	if _, err := alice.DocumentRevokeAccess(ctx, enc.ID, []string{"sdk-bob"}, nil); err != nil {
		t.Errorf("DocumentRevokeAccess: %v", err)
	}
	if _, err := alice.DocumentUpdateName(ctx, enc.ID, "renamed"); err != nil {
		t.Errorf("DocumentUpdateName: %v", err)
	}
	if _, err := alice.DocumentUpdate(ctx, enc.ID, []byte("new text")); err != nil {
		t.Errorf("DocumentUpdate: %v", err)
	}
	if _, err := alice.GroupDelete(ctx, g.ID); err != nil {
		t.Errorf("GroupDelete: %v", err)
	}
}
