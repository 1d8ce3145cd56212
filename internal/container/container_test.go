// Package container checks the Dockerfile and the binary it builds. No
// Docker engine runs here, so the image build itself is not exercised: the
// Dockerfile is parsed with buildkit's parser, the binary is built with the
// Dockerfile's flags, inspected with debug/elf, and run as an unprivileged
// user from a read-only directory.
package container

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

const root = "../.."

type instruction struct {
	cmd   string
	args  []string
	flags []string
	raw   string
}

func parseDockerfile(t *testing.T) []instruction {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("parsing Dockerfile: %v", err)
	}
	var out []instruction
	for _, n := range res.AST.Children {
		in := instruction{cmd: strings.ToUpper(n.Value), flags: n.Flags, raw: n.Original}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
		}
		out = append(out, in)
	}
	return out
}

func TestDockerfile(t *testing.T) {
	ins := parseDockerfile(t)
	var stages []int // index of each FROM
	for i, in := range ins {
		if in.cmd == "FROM" {
			stages = append(stages, i)
		}
	}
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d FROM", len(stages))
	}
	final := ins[stages[len(stages)-1]:]
	var user, entry, build string
	copiesBinary := false
	for _, in := range ins {
		if in.cmd == "RUN" && strings.Contains(in.raw, "go build") {
			build = in.raw
		}
	}
	for _, in := range final {
		switch in.cmd {
		case "USER":
			user = in.args[0]
		case "ENTRYPOINT":
			entry = strings.Join(in.args, " ")
			if !strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(in.raw, "ENTRYPOINT")), "[") {
				t.Errorf("ENTRYPOINT %q is not in exec form", in.raw)
			}
		case "COPY":
			for _, f := range in.flags {
				if strings.HasPrefix(f, "--from=") && strings.Contains(in.raw, "loadgen") {
					copiesBinary = true
				}
			}
		}
	}
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "0:") {
		t.Errorf("final stage USER = %q; want a non-root user", user)
	}
	if entry != "loadgen" {
		t.Errorf("ENTRYPOINT = %q; want [\"loadgen\"]", entry)
	}
	if !copiesBinary {
		t.Error("final stage does not COPY --from the build stage")
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "./cmd/loadgen"} {
		if !strings.Contains(build, want) {
			t.Errorf("build step %q lacks %s", build, want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, ".dockerignore")); err != nil {
		t.Error(err)
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildStatic builds the binary the way the Dockerfile does, once per test
// binary.
func buildStatic(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "loadgen-static")
		if err != nil {
			buildErr = err
			return
		}
		bin := filepath.Join(dir, "loadgen")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=test", "-o", bin, "./cmd/loadgen")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		builtBin = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestStaticBinary(t *testing.T) {
	bin := buildStatic(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("binary has an ELF interpreter; want a static binary")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 {
		t.Errorf("binary needs shared libraries %v", libs)
	}
}

func TestRunsUnprivilegedReadOnly(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to an unprivileged user")
	}
	bin := buildStatic(t)
	// t.TempDir's parent is 0700; the unprivileged user needs a way in.
	base, err := os.MkdirTemp("", "loadgen-container")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "ro"), 0o755); os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	// The binary and workload in a read-only directory, as mounted in the image.
	var data []byte
	ro := filepath.Join(base, "ro")
	os.Mkdir(ro, 0o755)
	data, err = os.ReadFile(filepath.Join(root, "configs", "http-smoke.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	small := strings.Replace(strings.Replace(string(data), "duration: 5s", "duration: 1s", 1), "rate: 50/s", "rate: 20/s", 1)
	os.WriteFile(filepath.Join(ro, "smoke.yaml"), []byte(small), 0o444)
	roBin := filepath.Join(ro, "loadgen")
	b, _ := os.ReadFile(bin)
	os.WriteFile(roBin, b, 0o555)
	os.Chmod(ro, 0o555)
	// The run-folder volume, owned by the unprivileged user.
	const uid, gid = 65534, 65534
	runs := filepath.Join(base, "runs")
	os.Mkdir(runs, 0o755)
	if err := os.Chown(runs, uid, gid); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(runs, "smoke")
	cmd := exec.Command(roBin, "run", "smoke.yaml", "--out", out, "-q")
	cmd.Dir = ro
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run as uid %d: %v\n%s", uid, err, b)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Fatal(err)
	}
	// It wrote nothing but its run folder.
	entries, _ := os.ReadDir(ro)
	if len(entries) != 2 {
		t.Errorf("the read-only directory changed: %v", entries)
	}
	entries, _ = os.ReadDir(runs)
	if len(entries) != 1 {
		t.Errorf("runs/ holds %d entries, want only the run folder", len(entries))
	}
}
