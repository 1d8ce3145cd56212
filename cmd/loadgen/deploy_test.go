package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestK8sManifests checks that the Kubernetes example's workload is valid
// and that the shard Job's arguments are flags loadgen takes, by running
// them as a dry run.
func TestK8sManifests(t *testing.T) {
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	b, err := os.ReadFile("../../deploy/k8s/configmap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &cm); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The pod mounts the identity secret at /identity; here a folder of
	// stand-ins does (a dry run checks the files exist, not their content).
	idDir := filepath.Join(dir, "identity")
	if err := os.Mkdir(idDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, idDir, "ironcore-config.json", "{}")
	writeFile(t, idDir, "iak.pem", "")
	wl := writeFile(t, dir, "staging.yaml", strings.ReplaceAll(cm.Data["staging.yaml"], "/identity/", idDir+"/"))

	var job struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct {
						Args []string `yaml:"args"`
						Env  []struct{ Name, Value string }
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	b, err = os.ReadFile("../../deploy/k8s/job-shards.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &job); err != nil {
		t.Fatal(err)
	}
	c := job.Spec.Template.Spec.Containers[0]
	env := map[string]string{"JOB_COMPLETION_INDEX": "2"}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	// The manifest's START_AT is an example; run refuses one in the past.
	env["START_AT"] = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	ref := regexp.MustCompile(`\$\((\w+)\)`)
	var args []string
	for _, a := range c.Args {
		a = ref.ReplaceAllStringFunc(a, func(m string) string { return env[m[2:len(m)-1]] })
		a = strings.Replace(a, "/workload/staging.yaml", wl, 1)
		args = append(args, a)
	}
	args = append(args, "--dry-run")
	var out, errb strings.Builder
	st := newState()
	st.args, st.stdout, st.stderr = args, &out, &errb
	st.getenv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if code := execute(st); code != 0 {
		t.Fatalf("loadgen %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	// Shard 2 of 4 runs a quarter of 20/s.
	if !strings.Contains(out.String(), "5.0/s") {
		t.Errorf("dry run of shard 2/4 does not show 5/s:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join("../../deploy/k8s", "job-merge.yaml")); err != nil {
		t.Error(err)
	}
}
