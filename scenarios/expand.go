package scenarios

import (
	"fmt"
	"strings"
)

// expand replaces ${VAR} and ${VAR:-default} in s using lookup. $${ is an
// escape for a literal ${. A lone $ is kept as it is. An unset variable with
// no default, an empty or malformed name, and an unclosed ${ are errors.
// As in the shell, the default also replaces a variable set to "". Defaults
// are literal text: they are not expanded again.
func expand(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' { // $${ is a literal ${
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unclosed ${ in %q; write ${NAME} or ${NAME:-default}", s[i:])
		}
		ref := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(ref, ":-")
		if !validVarName(name) {
			return "", fmt.Errorf("${%s} is not a variable reference; names are letters, digits and _, not starting with a digit", ref)
		}
		v, ok := lookup(name)
		switch {
		case hasDef && v == "": // as in the shell: unset or empty
			b.WriteString(def)
		case ok:
			b.WriteString(v)
		default:
			return "", fmt.Errorf("variable %s is not set; set it in the environment, pass -e %s=VALUE, or write ${%s:-default}", name, name, name)
		}
		s = s[i+end+1:]
	}
}

// validVarName reports whether name is a shell-style variable name.
func validVarName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
