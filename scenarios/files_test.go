package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secretKey is a line of a PEM key (not a real one).
const secretKey = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgbFjjz3H9SR0f7Vcy"

// TestCheck checks that Check refuses what Load passes but a run cannot
// do, each at the field's position.
func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, make([]byte, MaxKeyFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	const tail = "\nscenarios: [{name: a, executor: constant-workers, workers: 1, duration: 1s, steps: [{op: http, url: /health}]}]\n"
	tests := []struct {
		name, src, want string // want: the first error, "" for none
	}{
		{"faults on a real target", "target:\n  url: http://127.0.0.1:9/api/1/\n  faults: [{route: '*', error_rate: 0.5}]" + tail,
			"w.yaml:3:11: target.faults: work only with target.url: embedded"},
		{"faults embedded", "target:\n  url: embedded\n  faults: [{route: '*', error_rate: 0.5}]" + tail, ""},
		{"missing identity config", "target: {url: http://127.0.0.1:9/api/1/}\nidentity: {config: /nonexistent/c.json, key_file: " + good + "}" + tail,
			`w.yaml:2:20: identity.config: "/nonexistent/c.json" does not exist`},
		{"key file a folder", "target: {url: http://127.0.0.1:9/api/1/}\nidentity: {config: " + good + ", key_file: " + dir + "}" + tail,
			"identity.key_file: \"" + dir + "\" is a folder; want a file"},
		{"ca file too large", "target: {url: http://127.0.0.1:9/api/1/, tls: {ca_file: " + big + "}}" + tail,
			"target.tls.ca_file: \"" + big + "\" is larger than 1MiB, the cap on this file"},
		{"setup.from missing", "target: {url: embedded}\nsetup: {from: /nonexistent/ids.json}" + tail,
			`w.yaml:2:15: setup.from: "/nonexistent/ids.json" does not exist`},
		// A key or config pasted where its path goes is a secret: never echoed.
		{"key pasted as key_file (PEM)", "target: {url: http://127.0.0.1:9/api/1/}\nidentity: {config: " + good + ", key_file: \"-----BEGIN PRIVATE KEY-----\\n" + secretKey + "\\n-----END PRIVATE KEY-----\"}" + tail,
			"identity.key_file: the value (118 bytes) looks like a key or config itself, not the name of its file (not shown: a secret)"},
		{"key pasted as key_file (a base64 line)", "target: {url: http://127.0.0.1:9/api/1/}\nidentity: {config: " + good + ", key_file: " + secretKey + "}" + tail,
			"identity.key_file: the value (64 bytes) looks like a key"},
		{"config pasted, over a name's length", "target: {url: http://127.0.0.1:9/api/1/}\nidentity: {key_file: " + good + ", config: '{\"projectId\": 1, \"k\": \"" + strings.Repeat(secretKey, 5) + "\"}'}" + tail,
			"identity.config: the value ("},
		{"empty identity (unset vars)", "target: {url: http://127.0.0.1:9/api/1/}\nidentity: {config: '', key_file: ''}" + tail, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, err := Parse("w.yaml", []byte(tc.src), LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = w.Check()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check passed; want %q", tc.want)
			}
			first, _, _ := strings.Cut(err.Error(), "\n")
			if !strings.Contains(first, tc.want) {
				t.Errorf("Check: %s\nwant it to contain %q", first, tc.want)
			}
			if strings.Contains(err.Error(), secretKey[:20]) {
				t.Errorf("Check's error shows the key: %v", err)
			}
			if len(Errors(err)) == 0 {
				t.Errorf("Check error %v holds no *Error", err)
			}
		})
	}
}
