package sdk

import (
	"errors"
	"strings"
	"testing"
)

func TestICLEncode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// ironoxide src/internal/rest.rs, url-encoding unit test.
		{`'=#.other|/$non@;safe'-:;id_`, `'%3D%23.other%7C%2F%24non%40%3Bsafe'-%3A%3Bid_`},
		{"plain-id_0.9", "plain-id_0.9"},
		{"!~*'()", "!~*'()"},
		{"a b", "a%20b"},
		{"alice,bob", "alice%2Cbob"},
		{"é", "%C3%A9"},
		{"\x00\x7f`^{}[]\\\"<>?&%", "%00%7F%60%5E%7B%7D%5B%5D%5C%22%3C%3E%3F%26%25"},
	}
	for _, tt := range tests {
		if got := iclEncode(tt.in); got != tt.want {
			t.Errorf("iclEncode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"abcABC012_.$#|@/:;=+'-", "abcABC012_.$#|@/:;=+'-", true}, // every allowed class
		{"  padded  ", "padded", true},
		{"", "", false},
		{"   ", "", false},
		{"has space", "", false},
		{"comma,no", "", false},
		{strings.Repeat("a", 100), strings.Repeat("a", 100), true},
		{strings.Repeat("a", 101), "", false},
	}
	for _, tt := range tests {
		got, err := validateID("user", tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("validateID(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err != nil && !errors.Is(err, ErrInvalidID) {
			t.Errorf("validateID(%q) = %v, not ErrInvalidID", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("validateID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
