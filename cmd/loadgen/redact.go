package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ironcorelabs/loadgen/internal/capped"
	"github.com/ironcorelabs/loadgen/scenarios"
)

// copyWorkload copies the workload file into the run folder, with the value
// of every `password:` field and of every credential header of an http
// step (Authorization, Cookie, API keys, tokens) written out literally
// replaced by a marker, and the password and credential query parameters
// (?token=, ?api_key=, ...) of every `url:` masked (a ${VAR} stays as it
// is: it holds no secret). The copy keeps what
// `loadgen report` and `loadgen merge` need: scenarios and thresholds.
//
// It returns the SHA-256 (hex) of what it wrote, and never replaces a file:
// a run folder's workload.yaml is the one that run ran.
func copyWorkload(src, dst string) (string, error) {
	b, err := capped.ReadFile(src, scenarios.MaxFileSize, "a workload file")
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err == nil && redactPasswords(&doc) {
		if out, err := yaml.Marshal(&doc); err == nil {
			b = out
		}
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(dst)
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(dst)
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// redactPasswords replaces literal password values in n and reports whether
// it changed anything.
func redactPasswords(n *yaml.Node) bool {
	changed := false
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "password" && redactScalar(v) {
				changed = true
			}
			// A URL's password (target.url, an http step's url), and its
			// query's credentials (?token=, ?api_key=, ...).
			if k.Value == "url" && v.Kind == yaml.ScalarNode && redactURL(v) {
				changed = true
			}
			// An http step's credentials: Authorization, cookies, API
			// keys and tokens written out in its headers.
			if k.Value == "headers" && v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					if sensitiveHeader(v.Content[j].Value) && redactScalar(v.Content[j+1]) {
						changed = true
					}
				}
			}
		}
	}
	for _, c := range n.Content {
		if redactPasswords(c) {
			changed = true
		}
	}
	return changed
}

// redactURL masks the password and the credential query parameters of a
// literal URL in v, and reports whether it did.
func redactURL(v *yaml.Node) bool {
	u, err := url.Parse(v.Value)
	if err != nil {
		return false
	}
	changed := false
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
		changed = true
	}
	q, masked := u.Query(), false
	for name, vals := range q {
		if sensitiveHeader(name) {
			for i := range vals {
				vals[i] = "xxxxx"
			}
			masked = true
		}
	}
	if masked {
		u.RawQuery = q.Encode()
		changed = true
	}
	if changed {
		v.Value = u.String()
	}
	return changed
}

// redactScalar replaces a literal scalar value (not a ${VAR}) with a
// marker and reports whether it did.
func redactScalar(v *yaml.Node) bool {
	if v.Kind != yaml.ScalarNode || strings.HasPrefix(strings.TrimSpace(v.Value), "${") {
		return false
	}
	v.Value, v.Style, v.Tag = "redacted-by-loadgen", 0, "!!str"
	return true
}

// sensitiveHeader reports whether an HTTP header of this name carries a
// credential.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	for _, s := range []string{"token", "secret", "password", "api-key", "apikey", "api_key", "auth"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
