package sdk_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/ironcorelabs/loadgen/sdk"
	"github.com/ironcorelabs/loadgen/service"
)

// Rotation against concurrent edits: whatever interleaving the service
// sees, every answer is a success or a 4xx, and everyone the service says
// it added (a device, a member) still decrypts afterwards.

// noServerError fails t when err is a 5xx from the service.
func noServerError(t *testing.T, what string, err error) {
	t.Helper()
	var se *sdk.ServiceError
	if errors.As(err, &se) && se.Status >= http.StatusInternalServerError {
		t.Errorf("%s: %v (a 5xx)", what, err)
	} else if err != nil {
		t.Logf("%s: %v", what, err)
	}
}

func TestE2ERotationRaces(t *testing.T) {
	t.Parallel()
	e := newE2E(t, service.Config{})
	ctx := t.Context()
	a, _ := e.identity("race-a", sdk.UserCreateOptions{})
	b, _ := e.identity("race-b", sdk.UserCreateOptions{})
	data := []byte("a group document")
	if _, err := a.GroupCreate(ctx, sdk.GroupCreateOptions{ID: "race-g"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GroupAddAdmins(ctx, "race-g", []string{"race-b"}); err != nil {
		t.Fatal(err)
	}
	doc, err := a.DocumentEncrypt(ctx, data, sdk.EncryptOptions{Groups: []string{"race-g"}, NoSelfGrant: true})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	var members []*sdk.SDK
	var ids []string
	for i := range n {
		s, _ := e.identity(fmt.Sprintf("race-m%d", i), sdk.UserCreateOptions{})
		members = append(members, s)
		ids = append(ids, s.UserID())
	}

	// Two admins rotate at once while a third adds members one by one.
	var wg sync.WaitGroup
	var mu sync.Mutex
	added := map[string]bool{}
	for _, admin := range []*sdk.SDK{a, b} {
		wg.Go(func() {
			for range 2 {
				_, err := admin.GroupRotatePrivateKey(ctx, "race-g")
				noServerError(t, "rotation by "+admin.UserID(), err)
			}
		})
	}
	wg.Go(func() {
		for _, id := range ids {
			r, err := b.GroupAddMembers(ctx, "race-g", []string{id})
			noServerError(t, "add "+id, err)
			if err == nil && len(r.Succeeded) == 1 {
				mu.Lock()
				added[id] = true
				mu.Unlock()
			}
		}
	})
	wg.Wait()
	for i, m := range members {
		if !added[ids[i]] {
			continue
		}
		if got, err := m.DocumentDecrypt(ctx, doc.Encrypted); err != nil || !bytes.Equal(got.Plaintext, data) {
			t.Errorf("%s, added during the rotations, cannot decrypt: %v", ids[i], err)
		}
	}
	// Both admins still manage the group: add whoever is left.
	for _, admin := range []*sdk.SDK{a, b} {
		if _, err := admin.GroupRotatePrivateKey(ctx, "race-g"); err != nil {
			t.Errorf("rotation by %s after the races: %v", admin.UserID(), err)
		}
	}
}

func TestE2EUserRotationRaces(t *testing.T) {
	t.Parallel()
	e := newE2E(t, service.Config{})
	ctx := t.Context()
	const pw = "pw-race-u"
	u, _ := e.identity("race-u", sdk.UserCreateOptions{})
	data := []byte("written before the rotation")
	doc, err := u.DocumentEncrypt(ctx, data, sdk.EncryptOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// Devices added while the user's key rotates.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var devices []sdk.DeviceContext
	wg.Go(func() {
		for range 2 {
			_, err := u.UserRotatePrivateKey(ctx, pw)
			noServerError(t, "user rotation", err)
		}
	})
	wg.Go(func() {
		for range 3 {
			dc, err := e.c.GenerateDevice(ctx, e.iss, "race-u", pw, sdk.DeviceOptions{})
			noServerError(t, "device add", err)
			if err == nil {
				mu.Lock()
				devices = append(devices, dc)
				mu.Unlock()
			}
		}
	})
	wg.Wait()
	for i, dc := range devices {
		s, err := e.c.Initialize(ctx, dc)
		if err != nil {
			t.Fatalf("device %d: %v", i, err)
		}
		if got, err := s.DocumentDecrypt(ctx, doc.Encrypted); err != nil || !bytes.Equal(got.Plaintext, data) {
			t.Errorf("device %d, added during the rotations, cannot decrypt: %v", i, err)
		}
		s.Close()
	}
	if _, err := e.c.GenerateDevice(ctx, e.iss, "race-u", pw, sdk.DeviceOptions{}); err != nil {
		t.Errorf("a device after the rotations: %v", err)
	}
}
