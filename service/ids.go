package service

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxIDLen is the longest user, group or document ID and name, in characters (spec §2.4).
const maxIDLen = 100

// validateID checks a user, group or document ID against the spec's rule (§2.4): 1 to 100 of
// the characters a-z A-Z 0-9 _ . $ # | @ / : ; = + ' -, and not "." or "..", which a URL path
// cannot carry (clients and servers resolve them as path segments, so such an ID would be
// created and then unreachable).
func validateID(id string) error {
	switch id {
	case "":
		return errors.New("empty")
	case ".", "..":
		return fmt.Errorf("%q is not allowed: it is a path segment of its own", id)
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("%d characters; want at most %d", len(id), maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.$#|@/:;=+'-", c) >= 0 {
			continue
		}
		return fmt.Errorf("character %q at %d is not allowed", c, i)
	}
	return nil
}

// validateName checks a group, document or device name: after trimming, 1 to 100 characters.
func validateName(name string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	if n == 0 || n > maxIDLen {
		return fmt.Errorf("%d characters after trimming; want 1..%d", n, maxIDLen)
	}
	return nil
}
