package ops_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/results"
	"github.com/ironcorelabs/loadgen/sdk"
	"github.com/ironcorelabs/loadgen/service"
)

// startIronCore runs the reference service on loopback and returns the ops'
// shared state against it, with a small pool set up.
func startIronCore(t *testing.T, setup ops.SetupCounts) (*ops.IronCore, *service.Server) {
	t.Helper()
	svc, err := service.New(service.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); svc.Close() })
	base, err := svc.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := svc.Project()
	iss, err := sdk.NewIssuerFromKey(sdk.ProjectConfig{ProjectID: p.ID, SegmentID: p.Segment, IdentityAssertionKeyID: p.KeyID}, p.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sdk.New(sdk.Config{BaseURL: base, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ic, err := ops.NewIronCore(c, iss, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ic.Close)
	if err := ic.Setup(ctx, setup, 2, nil); err != nil {
		t.Fatal(err)
	}
	return ic, svc
}

type step struct {
	op   string
	args ops.Args
}

// runSteps runs steps as one iteration of worker 0 and checks each op
// succeeded with phases and a 2xx status.
func runSteps(t *testing.T, env *ops.Env, steps []step) {
	t.Helper()
	cat := ops.Default()
	it := &loadgen.Iteration{Worker: &loadgen.WorkerState{Scenario: "t", Values: map[string]any{}}, Vars: map[string]any{}}
	for _, s := range steps {
		e, ok := cat.Lookup(s.op)
		if !ok {
			t.Fatalf("no op %s in the catalog", s.op)
		}
		op, err := e.New(env, s.args)
		if err != nil {
			t.Fatalf("%s: %v", s.op, err)
		}
		it.BeginOp(time.Now())
		err = op.Do(context.Background(), it)
		phases, status := it.EndOp()
		if err != nil {
			t.Fatalf("%s: %v", s.op, err)
		}
		if status < 200 || status > 299 {
			t.Errorf("%s: final status %d", s.op, status)
		}
		http := false
		for _, p := range phases {
			if strings.HasPrefix(p.Name, "http:") && !strings.Contains(p.Name, "/") {
				http = true
			}
		}
		if !http {
			t.Errorf("%s reported no http phase: %v", s.op, phases)
		}
	}
}

func TestEveryIronCoreOp(t *testing.T) {
	ic, svc := startIronCore(t, ops.SetupCounts{Users: 4, Groups: 1, Documents: 1})
	env := &ops.Env{IronCore: ic}
	before := svc.Stats()
	t.Run("onboarding", func(t *testing.T) {
		runSteps(t, env, []step{
			{"user_create", nil}, {"user_verify", nil}, {"generate_device", nil}, {"initialize", nil},
			{"device_list", nil}, {"generate_device", nil}, {"device_delete", nil},
		})
	})
	t.Run("groups", func(t *testing.T) {
		runSteps(t, env, []step{
			{"group_create", ops.Args{"members": int64(1)}}, {"group_get", nil},
			{"group_add_members", ops.Args{"users": int64(1)}}, {"group_add_admins", ops.Args{"users": int64(1)}},
			{"group_list", nil},
		})
	})
	t.Run("documents", func(t *testing.T) {
		runSteps(t, env, []step{
			{"document_encrypt", ops.Args{"size": int64(4096), "groups": int64(1), "keep": true}}, {"document_decrypt", nil},
			{"document_decrypt", ops.Args{"as": "member"}}, // group → user → device
			{"document_update", ops.Args{"size": int64(100)}}, {"document_grant", ops.Args{"users": int64(2)}},
			{"document_revoke", nil}, {"document_list", nil},
		})
	})
	t.Run("from the pool", func(t *testing.T) {
		// Without earlier steps, ops act on what setup made.
		runSteps(t, env, []step{{"group_get", nil}, {"document_decrypt", nil}, {"document_decrypt", ops.Args{"as": "member"}},
			{"document_list", nil}, {"user_verify", nil}})
	})
	after := svc.Stats()
	if after.Users != before.Users+1 || after.Groups != before.Groups+1 || after.Documents != before.Documents+1 {
		t.Errorf("service store went from %+v to %+v; want one more user, group and document", before, after)
	}
	deleted, failed, err := ic.Teardown(context.Background())
	if failed > 0 || deleted < 2 {
		t.Errorf("teardown deleted %d, failed %d: %v; want the 2 groups deleted", deleted, failed, err)
	}
	if s := svc.Stats(); s.Groups != before.Groups-1 {
		t.Errorf("after teardown the service holds %d groups; want %d", s.Groups, before.Groups-1)
	}
}

func TestIronCoreOpErrors(t *testing.T) {
	ic, _ := startIronCore(t, ops.SetupCounts{})
	env := &ops.Env{IronCore: ic}
	cat := ops.Default()
	for _, name := range []string{"user_verify", "device_list", "group_get", "document_decrypt", "device_delete", "document_revoke"} {
		e, _ := cat.Lookup(name)
		op, err := e.New(env, nil)
		if err != nil {
			t.Fatal(err)
		}
		it := &loadgen.Iteration{Worker: &loadgen.WorkerState{}, Vars: map[string]any{}}
		it.BeginOp(time.Now())
		if err := op.Do(context.Background(), it); err == nil {
			t.Errorf("%s with an empty pool succeeded", name)
		}
	}
	// Without an IronCore target the SDK ops refuse to build.
	e, _ := cat.Lookup("document_encrypt")
	if _, err := e.New(&ops.Env{}, nil); err == nil || !strings.Contains(err.Error(), "IronCore target") {
		t.Errorf("document_encrypt without IronCore: %v", err)
	}
	if _, err := e.New(env, ops.Args{"users": int64(-1)}); err == nil {
		t.Error("negative users accepted")
	}
	d, _ := cat.Lookup("document_decrypt")
	if _, err := d.New(env, ops.Args{"as": "admin"}); err == nil {
		t.Error("document_decrypt as: admin accepted")
	}
}

func TestSaveLoadIdentities(t *testing.T) {
	ic, _ := startIronCore(t, ops.SetupCounts{Users: 2})
	path := filepath.Join(t.TempDir(), "ids.json")
	if err := ic.SaveIdentities(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("identities file mode %v, want 0600", fi.Mode().Perm())
	}
	ic2, err := ops.NewIronCore(ic.Client, ic.Issuer, 0)
	if err != nil {
		t.Fatal(err)
	}
	n, err := ic2.LoadIdentities(context.Background(), path)
	if err != nil || n != 2 {
		t.Fatalf("LoadIdentities = %d, %v; want 2", n, err)
	}
	defer ic2.Close()
	runSteps(t, &ops.Env{IronCore: ic2}, []step{{"document_encrypt", nil}, {"document_decrypt", nil}})
}

// TestDocumentRevokeWhatWasGranted wants document_revoke to revoke all that
// document_grant granted in the iteration: users and groups.
func TestDocumentRevokeWhatWasGranted(t *testing.T) {
	ic, _ := startIronCore(t, ops.SetupCounts{Users: 3, Groups: 1})
	env := &ops.Env{IronCore: ic}
	tests := []struct {
		name  string
		grant ops.Args
	}{
		{"users", ops.Args{"users": int64(1)}},
		{"groups", ops.Args{"users": int64(0), "groups": int64(1)}},
		{"users and groups", ops.Args{"users": int64(1), "groups": int64(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runSteps(t, env, []step{{"document_encrypt", nil}, {"document_grant", tt.grant}, {"document_revoke", nil}})
		})
	}
}

// TestTeardownAfterDeviceDelete wants teardown to skip a device that a
// device_delete step already deleted, not count it as a failure.
func TestTeardownAfterDeviceDelete(t *testing.T) {
	tests := []struct {
		name        string
		steps       []step
		wantDeleted int
	}{
		{"deleted in the run", []step{{"generate_device", nil}, {"device_delete", nil}}, 0},
		{"deleted by itself", []step{{"generate_device", nil}, {"initialize", nil}, {"device_delete", nil}}, 0},
		{"left for teardown", []step{{"generate_device", nil}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ic, _ := startIronCore(t, ops.SetupCounts{Users: 1})
			runSteps(t, &ops.Env{IronCore: ic}, tt.steps)
			deleted, failed, err := ic.Teardown(context.Background())
			if failed != 0 || deleted != tt.wantDeleted {
				t.Errorf("teardown deleted %d, failed %d (%v); want %d deleted, none failed", deleted, failed, err, tt.wantDeleted)
			}
		})
	}
}

// TestSaveIdentitiesMode wants the identities file 0600 (it holds device
// keys), also when it existed before with a looser mode.
func TestSaveIdentitiesMode(t *testing.T) {
	ic, _ := startIronCore(t, ops.SetupCounts{Users: 1})
	tests := []struct {
		name   string
		before os.FileMode // 0: no file before
	}{
		{"new file", 0},
		{"existing 0644 file", 0o644},
		{"existing 0666 file", 0o666},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ids.json")
			if tt.before != 0 {
				if err := os.WriteFile(path, []byte("old"), tt.before); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.before); err != nil {
					t.Fatal(err)
				}
			}
			if err := ic.SaveIdentities(path); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("identities file mode %v, want 0600", fi.Mode().Perm())
			}
		})
	}
}

// TestDecryptAsMemberPicksGroupDocuments wants document_decrypt as: member
// to pick from the pool only documents encrypted to a group with a member
// besides the owner, not the many kept documents encrypted to no group
// (configs/documents.yaml's mix failed a third of its member decrypts).
func TestDecryptAsMemberPicksGroupDocuments(t *testing.T) {
	ic, _ := startIronCore(t, ops.SetupCounts{Users: 3, Groups: 1, Documents: 1})
	env := &ops.Env{IronCore: ic}
	cat := ops.Default()
	build := func(name string, args ops.Args) loadgen.Op {
		e, _ := cat.Lookup(name)
		op, err := e.New(env, args)
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
	keep := build("document_encrypt", ops.Args{"keep": true})
	decrypt := build("document_decrypt", ops.Args{"as": "member"})
	w := &loadgen.WorkerState{Values: map[string]any{}}
	run := func(op loadgen.Op) error {
		it := &loadgen.Iteration{Worker: w, Vars: map[string]any{}}
		it.BeginOp(time.Now())
		err := op.Do(context.Background(), it)
		it.EndOp()
		return err
	}
	for range 10 {
		if err := run(keep); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, docs := ic.Pool().Counts(); docs != 11 {
		t.Fatalf("pool holds %d documents; want 11", docs)
	}
	for i := range 20 {
		if err := run(decrypt); err != nil {
			t.Fatalf("decrypt %d as member: %v", i, err)
		}
	}
}

// TestDecryptAsMemberWithoutGroupDocuments wants a clear error when the
// pool has documents but none a group member could decrypt.
func TestDecryptAsMemberWithoutGroupDocuments(t *testing.T) {
	ic, _ := startIronCore(t, ops.SetupCounts{Users: 2, Documents: 2})
	e, _ := ops.Default().Lookup("document_decrypt")
	op, err := e.New(&ops.Env{IronCore: ic}, ops.Args{"as": "member"})
	if err != nil {
		t.Fatal(err)
	}
	it := &loadgen.Iteration{Worker: &loadgen.WorkerState{}, Vars: map[string]any{}}
	it.BeginOp(time.Now())
	err = op.Do(context.Background(), it)
	if err == nil || !strings.Contains(err.Error(), "no pool document is encrypted to a group") {
		t.Errorf("err = %v; want one saying no pool document is encrypted to a group", err)
	}
}

// TestIssue14Ops runs each op issue #14 added against the reference
// service, passing on what earlier steps made.
func TestIssue14Ops(t *testing.T) {
	ic, svc := startIronCore(t, ops.SetupCounts{Users: 4, Groups: 1, Documents: 1})
	env := &ops.Env{IronCore: ic}
	t.Run("users", func(t *testing.T) {
		runSteps(t, env, []step{
			{"user_create", ops.Args{"needs_rotation": true}}, {"generate_device", nil},
			{"initialize", ops.Args{"rotation": "rotate"}}, // rotates the marked key
			{"initialize", ops.Args{"rotation": "check"}},
			{"user_rotate_private_key", nil}, {"user_change_password", nil},
			{"user_get_public_key", ops.Args{"users": int64(2)}},
			{"document_encrypt", nil}, {"document_decrypt", nil}, // the rotated key still decrypts
		})
	})
	t.Run("groups", func(t *testing.T) {
		runSteps(t, env, []step{
			{"group_create", ops.Args{"members": int64(2), "admins": int64(1), "needs_rotation": true}},
			{"group_update_name", ops.Args{"name": "renamed"}}, {"group_rotate_private_key", nil},
			{"document_encrypt", ops.Args{"groups": int64(1)}}, {"document_decrypt", ops.Args{"as": "member"}},
			{"group_remove_members", ops.Args{"users": int64(1)}}, {"group_remove_admins", nil},
			{"group_delete", nil},
		})
	})
	t.Run("documents", func(t *testing.T) {
		runSteps(t, env, []step{
			{"document_encrypt", nil}, {"document_get_metadata", nil}, {"document_update_name", nil},
			{"document_encrypt_unmanaged", ops.Args{"users": int64(1), "groups": int64(1), "keep": true}},
			{"document_decrypt_unmanaged", nil},
		})
		runSteps(t, env, []step{{"document_decrypt_unmanaged", nil}}) // from the pool
	})
	t.Run("policy", func(t *testing.T) {
		// The embedded default policy's default rule grants to
		// data_recovery_<the caller>.
		runSteps(t, env, []step{
			{"user_create", nil}, {"generate_device", nil}, {"initialize", nil},
			{"group_create", ops.Args{"id": "data_recovery_{user}"}},
			// Unmanaged first: the SDK caches the policy, and an unmanaged
			// encrypt to a cached policy makes no call.
			{"document_encrypt_unmanaged", ops.Args{"policy": map[string]string{}}},
			{"document_encrypt", ops.Args{"policy": map[string]string{}}},
			{"document_decrypt_unmanaged", nil},
		})
	})
	if _, failed, err := ic.Teardown(context.Background()); failed > 0 {
		t.Errorf("teardown: %d failed: %v (the deleted group should have left its list)", failed, err)
	}
	if s := svc.Stats(); s.Groups != 0 {
		t.Errorf("after teardown the service holds %d groups; want 0", s.Groups)
	}
}

// TestIssue14OpErrors wants the new ops to say what they miss.
func TestIssue14OpErrors(t *testing.T) {
	ic, _ := startIronCore(t, ops.SetupCounts{Users: 1, Groups: 1})
	env := &ops.Env{IronCore: ic}
	cat := ops.Default()
	tests := []struct {
		op   string
		args ops.Args
		want string
	}{
		{"group_delete", nil, "group_create step"},
		{"group_remove_members", nil, "no members the run added"},
		{"group_remove_admins", nil, "no admins the run added"},
		{"document_decrypt_unmanaged", nil, "no unmanaged document"},
	}
	for _, tt := range tests {
		e, _ := cat.Lookup(tt.op)
		op, err := e.New(env, tt.args)
		if err != nil {
			t.Fatal(err)
		}
		it := &loadgen.Iteration{Worker: &loadgen.WorkerState{}, Vars: map[string]any{}}
		it.BeginOp(time.Now())
		if err := op.Do(context.Background(), it); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one saying %q", tt.op, err, tt.want)
		}
	}
	e, _ := cat.Lookup("document_encrypt")
	for _, p := range []map[string]string{{"color": "red"}, {"category": "a b"}} {
		if _, err := e.New(env, ops.Args{"policy": p}); err == nil {
			t.Errorf("policy %v accepted", p)
		}
	}
}

// TestInitializeRotate wants initialize rotation: rotate to rotate a key
// the service marked (user_create needs_rotation), and then, with nothing
// marked, to rotate nothing.
func TestInitializeRotate(t *testing.T) {
	ic, _ := startIronCore(t, ops.SetupCounts{})
	env := &ops.Env{IronCore: ic}
	cat := ops.Default()
	it := &loadgen.Iteration{Worker: &loadgen.WorkerState{Values: map[string]any{}}, Vars: map[string]any{}}
	do := func(name string, args ops.Args) []string {
		t.Helper()
		e, _ := cat.Lookup(name)
		op, err := e.New(env, args)
		if err != nil {
			t.Fatal(err)
		}
		it.BeginOp(time.Now())
		err = op.Do(context.Background(), it)
		phases, _ := it.EndOp()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var names []string
		for _, p := range phases {
			names = append(names, p.Name)
		}
		return names
	}
	do("user_create", ops.Args{"needs_rotation": true})
	do("generate_device", nil)
	if got := do("initialize", ops.Args{"rotation": "rotate"}); !slices.Contains(got, "http:user_key_update") {
		t.Errorf("first initialize rotation: rotate: phases %v, want http:user_key_update", got)
	}
	if got := do("initialize", ops.Args{"rotation": "rotate"}); slices.Contains(got, "http:user_key_update") {
		t.Errorf("second initialize rotation: rotate rotated again: phases %v", got)
	}
}

// TestStepsTheRunCannotFeed runs steps that need what neither an earlier
// step nor the pool holds: each fails as loadgen's own workload error, not
// as the target's (class other).
func TestStepsTheRunCannotFeed(t *testing.T) {
	ic, _ := startIronCore(t, ops.SetupCounts{Users: 1})
	env := &ops.Env{IronCore: ic}
	cat := ops.Default()
	for _, tc := range []step{
		{"document_decrypt_unmanaged", nil},
		{"document_decrypt", nil},
		{"document_decrypt", ops.Args{"as": "member"}},
		{"document_get_metadata", nil},
	} {
		e, _ := cat.Lookup(tc.op)
		op, err := e.New(env, tc.args)
		if err != nil {
			t.Fatalf("%s: %v", tc.op, err)
		}
		it := &loadgen.Iteration{Worker: &loadgen.WorkerState{Scenario: "t", Values: map[string]any{}}, Vars: map[string]any{}}
		it.BeginOp(time.Now())
		err = op.Do(context.Background(), it)
		if got := results.Classify(err); got != results.ClassWorkload {
			t.Errorf("%s %v: error %v classed %q; want %q", tc.op, tc.args, err, got, results.ClassWorkload)
		}
	}
}
