package scenarios

import (
	"errors"
	"fmt"
	"strings"
)

// Error is one problem in a workload file, at a position. Field is the path
// of the offending field (scenarios[0].rate) and may be empty for problems of
// the document as a whole. Col is 0 when the YAML parser gives no column.
type Error struct {
	File      string
	Line, Col int
	Field     string
	Msg       string
}

// Error formats the problem as file:line:col: field: msg, leaving out the
// column and the field when they are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	fmt.Fprintf(&b, ":%d", e.Line)
	if e.Col > 0 {
		fmt.Fprintf(&b, ":%d", e.Col)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors returns every *Error joined in err (by errors.Join, as Load, Parse
// and Compile return them), in order. It returns nil if there are none.
func Errors(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok {
			out = append(out, e)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		walk(errors.Unwrap(err))
	}
	walk(err)
	return out
}
