package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCopyWorkloadRedacts wants the run folder's copy of the workload free
// of literal secrets: passwords and the credentials of http steps' headers,
// while ${VAR}s and harmless values stay.
func TestCopyWorkloadRedacts(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		secret string // must not be in the copy
		keep   string // must be in the copy
	}{
		{"password", "steps: [{op: user_create, password: pw-literal-1}]\n", "pw-literal-1", "user_create"},
		{"password var", "steps: [{op: user_create, password: \"${PW}\"}]\n", "", "${PW}"},
		{"authorization", "steps: [{op: http, url: /x, headers: {Authorization: \"Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln\"}}]\n", "eyJhbGciOiJFUzI1NiJ9", "Authorization"},
		{"cookie", "steps: [{op: http, url: /x, headers: {Cookie: session=abc123secret}}]\n", "abc123secret", "Cookie"},
		{"api key", "steps: [{op: http, url: /x, headers: {X-Api-Key: k-9f8e7d}}]\n", "k-9f8e7d", "X-Api-Key"},
		{"header var", "steps: [{op: http, url: /x, headers: {Authorization: \"${TOKEN}\"}}]\n", "", "${TOKEN}"},
		{"target url password", "steps: [{op: http, url: /x}]\ntarget: {url: \"https://lg:pw-in-url-3@127.0.0.1:1/api/1/\"}\n", "pw-in-url-3", "https://lg:xxxxx@127.0.0.1:1/api/1/"},
		{"step url password", "steps: [{op: http, url: \"http://lg:pw-in-url-4@127.0.0.1:1/x\"}]\n", "pw-in-url-4", "127.0.0.1:1/x"},
		{"step url query token", "steps: [{op: http, url: \"/x?page=2&access_token=tok-in-query-5\"}]\n", "tok-in-query-5", "page=2"},
		{"step url api_key and password", "steps: [{op: http, url: \"http://lg:pw-6@127.0.0.1:1/x?api_key=key-in-query-7\"}]\n", "key-in-query-7", "lg:xxxxx@127.0.0.1:1/x?api_key=xxxxx"},
		{"plain header", "steps: [{op: http, url: /x, headers: {Accept: application/json}}]\n", "", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := writeFile(t, dir, "w.yaml", "name: x\nscenarios:\n  - name: a\n    "+tt.body)
			dst := filepath.Join(dir, "copy.yaml")
			sha, err := copyWorkload(src, dst)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(b); sha != hex.EncodeToString(sum[:]) {
				t.Errorf("copyWorkload returned sha256 %s; the copy's is %x", sha, sum)
			}
			if _, err := copyWorkload(src, dst); err == nil {
				t.Errorf("copyWorkload replaced an existing copy")
			}
			if tt.secret != "" && strings.Contains(string(b), tt.secret) {
				t.Errorf("the copy holds %q:\n%s", tt.secret, b)
			}
			if !strings.Contains(string(b), tt.keep) {
				t.Errorf("the copy lacks %q:\n%s", tt.keep, b)
			}
		})
	}
}
