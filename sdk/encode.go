package sdk

import (
	"fmt"
	"regexp"
	"strings"
)

// iclUnreserved reports whether ironoxide leaves b unencoded in paths and
// query values: A-Z a-z 0-9 - _ . ! ~ * ' ( ).
func iclUnreserved(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	switch b {
	case '-', '_', '.', '!', '~', '*', '\'', '(', ')':
		return true
	}
	return false
}

// iclEncode percent-encodes s as ironoxide does for IDs in paths and query
// values (upper-case hex, UTF-8 bytes).
func iclEncode(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !iclUnreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if iclUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

var idPattern = regexp.MustCompile(`^[a-zA-Z0-9_.$#|@/:;=+'-]+$`)

// validateID checks a user, group or document ID as ironoxide does and
// returns it trimmed.
func validateID(kind, id string) (string, error) {
	t := strings.TrimSpace(id)
	if t == "" || len(t) > 100 || !idPattern.MatchString(t) {
		return "", fmt.Errorf("%w: %s id %q", ErrInvalidID, kind, id)
	}
	return t, nil
}

// validateName checks a group, document or device name as ironoxide's
// validate_name does and returns it trimmed: 1–100 bytes of UTF-8 after
// trimming (Rust's str::len counts bytes, not characters).
func validateName(kind, name string) (string, error) {
	t := strings.TrimSpace(name)
	if t == "" || len(t) > 100 {
		return "", fmt.Errorf("sdk: invalid %s name %q: want 1 to 100 bytes after trimming", kind, name)
	}
	return t, nil
}
