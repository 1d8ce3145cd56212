package ops

import (
	"fmt"
)

// The fields several ops share, each with its checks. A field only one op
// has is defined beside that op's builder.

func keepField() Field {
	return Field{Name: "keep", Kind: Bool, Help: "add what this step made to the run's pool, for later iterations to use"}
}

func passwordField() Field {
	return Field{Name: "password", Kind: String, Help: "the user's password (default: the run's random password)"}
}

// maxDocSize is the largest document size a step may ask for.
const maxDocSize = 64 << 20

func sizeField() Field {
	return Field{Name: "size", Kind: Size, Help: "document size, default 1KiB", Check: func(v any) error {
		if n, _ := v.(int64); n < 0 || n > maxDocSize {
			return fmt.Errorf("%d bytes; want 0 to 64MiB", n)
		}
		return nil
	}}
}

// usersField is the count of other pool users an op adds or grants to.
func usersField(def string) Field {
	return countField("users", "how many other pool users, default "+def)
}

// countField is a field counting pool users or groups: 0 or more.
func countField(name, help string) Field {
	return Field{Name: name, Kind: Int, Help: help, Check: nonNegative}
}

func nonNegative(v any) error {
	if n, _ := v.(int64); n < 0 {
		return fmt.Errorf("%d is negative; want 0 or more", n)
	}
	return nil
}

// oneOf is the check of a String field whose value must be one of want.
func oneOf(want ...string) func(any) error {
	return func(v any) error {
		s, _ := v.(string)
		for _, w := range want {
			if s == w {
				return nil
			}
		}
		msg := fmt.Sprintf("%q; want %s", s, want[0])
		for i, w := range want[1:] {
			if i == len(want)-2 {
				msg += " or " + w
			} else {
				msg += ", " + w
			}
		}
		return fmt.Errorf("%s", msg)
	}
}

func argInt(a Args, name string, def int) int {
	if v, ok := a[name].(int64); ok {
		return int(v)
	}
	return def
}

func argBool(a Args, name string) bool {
	v, _ := a[name].(bool)
	return v
}

func argString(a Args, name string) string {
	v, _ := a[name].(string)
	return v
}

func argSize(a Args, def int) int {
	if v, ok := a["size"].(int64); ok {
		return int(v)
	}
	return def
}
