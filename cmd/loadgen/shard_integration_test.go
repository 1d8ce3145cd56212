//go:build integration

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestIntegrationShardsMerge runs two shards of one workload against one
// `loadgen serve`, started together with --start-at, merges them, and checks
// the merge against rate × duration and the service's store.
func TestIntegrationShardsMerge(t *testing.T) {
	addr, state := startServe(t)
	dir := t.TempDir()

	wl := writeFile(t, dir, "sharded.yaml", fmt.Sprintf(`name: sharded
target: {url: "http://%s/api/1/", timeout: 30s}
identity: {config: %q, key_file: %q}
setup: {users: 4}
scenarios:
  - name: onboarding
    executor: constant-rate
    rate: 4/s
    duration: 5s
    steps: [{op: user_create}]
  - name: reads
    executor: constant-rate
    rate: 100/s
    duration: 5s
    steps: [{op: user_verify}]
`, addr, filepath.Join(state, "ironcore-config.json"), filepath.Join(state, "iak.pem")))

	startAt := time.Now().Add(8 * time.Second).UTC().Format(time.RFC3339)
	var shards []*exec.Cmd
	var outs []*syncBuffer
	var dirs []string
	for i := 0; i < 2; i++ {
		d := filepath.Join(dir, fmt.Sprintf("shard-%d", i))
		dirs = append(dirs, d)
		cmd, out := startRun(t, "run", wl, "--shard", fmt.Sprintf("%d/2", i), "--start-at", startAt, "--out", d, "-q")
		shards = append(shards, cmd)
		outs = append(outs, out)
	}
	for i, c := range shards {
		if err := c.Wait(); err != nil {
			t.Fatalf("shard %d: %v\n%s", i, err, outs[i].String())
		}
	}
	merged := filepath.Join(dir, "merged")
	if b, err := exec.Command(binary(t), append([]string{"merge", "--out", merged}, dirs...)...).CombinedOutput(); err != nil {
		t.Fatalf("merge: %v\n%s", err, b)
	}
	s := readSummary(t, merged)
	counts := map[string]int64{}
	for _, op := range s.Ops {
		counts[op.Scenario] += op.Count
		if op.Errors != 0 {
			t.Errorf("%s/%s: %d errors", op.Scenario, op.Op, op.Errors)
		}
	}
	for name, want := range map[string]float64{"onboarding": 4 * 5, "reads": 100 * 5} {
		got := float64(counts[name])
		if got < want*0.99 || got > want*1.01 {
			t.Errorf("merged %s count %v; want %v ±1%%", name, got, want)
		}
	}
	resp, err := http.Get("http://" + addr + "/admin/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Store struct {
			Users int64 `json:"users"`
		} `json:"store"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	// Every user either shard created is in the store once: 2+2 from
	// setup and one per user_create, none refused as a duplicate.
	if want := 4 + counts["onboarding"]; st.Store.Users != want {
		t.Errorf("service holds %d users; want %d (setup 4 + %d created)", st.Store.Users, want, counts["onboarding"])
	}
}
