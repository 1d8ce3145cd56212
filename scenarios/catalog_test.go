package scenarios

import (
	"context"
	"fmt"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
)

// testOp is what the test catalog's New returns: the op's name and the
// arguments it was built with.
type testOp struct {
	name string
	args ops.Args
}

func (o *testOp) Do(context.Context, *loadgen.Iteration) error { return nil }

// newTestOp is the New of every test entry. An Int field "i" below 0 is
// refused with an *ops.FieldError, to test its positioning.
func newTestOp(name string) func(*ops.Env, ops.Args) (loadgen.Op, error) {
	return func(env *ops.Env, args ops.Args) (loadgen.Op, error) {
		if i, ok := args["i"].(int64); ok && i < 0 {
			return nil, &ops.FieldError{Field: "i", Msg: fmt.Sprintf("%d is below 0", i)}
		}
		if _, ok := args["fail"]; ok {
			return nil, fmt.Errorf("%s: refused", name)
		}
		return &testOp{name: name, args: args}, nil
	}
}

// testCatalog holds the ops the testdata workloads use, and "kitchen",
// which has a field of every ops.FieldKind.
func testCatalog() *ops.Catalog {
	entry := func(name string, fields ...ops.Field) *ops.Entry {
		return &ops.Entry{Name: name, Fields: fields, New: newTestOp(name)}
	}
	return ops.NewCatalog(
		entry("user_create"),
		entry("generate_device"),
		entry("document_encrypt", ops.Field{Name: "size", Kind: ops.Size}),
		entry("document_decrypt"),
		entry("http",
			ops.Field{Name: "method", Kind: ops.String},
			ops.Field{Name: "url", Kind: ops.String, Required: true, Help: "path relative to target.url"},
			ops.Field{Name: "headers", Kind: ops.StringMap},
			ops.Field{Name: "body", Kind: ops.String},
			ops.Field{Name: "expect_status", Kind: ops.IntList},
		),
		entry("kitchen",
			ops.Field{Name: "s", Kind: ops.String, Required: true},
			ops.Field{Name: "i", Kind: ops.Int},
			ops.Field{Name: "b", Kind: ops.Bool},
			ops.Field{Name: "d", Kind: ops.Duration},
			ops.Field{Name: "z", Kind: ops.Size},
			ops.Field{Name: "sl", Kind: ops.StringList},
			ops.Field{Name: "il", Kind: ops.IntList},
			ops.Field{Name: "sm", Kind: ops.StringMap},
			ops.Field{Name: "fail", Kind: ops.Bool},
		),
	)
}
