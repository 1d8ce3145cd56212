package ops

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestCatalogFieldChecks wants each field's check to refuse a bad value
// with a *FieldError naming that field and what would be right, and to
// let a good value through to the op's builder.
func TestCatalogFieldChecks(t *testing.T) {
	target, _ := url.Parse("http://127.0.0.1:1/api/1/")
	env := &Env{Target: target, IronCore: &IronCore{}}
	tests := []struct {
		op    string
		args  Args
		field string // "": no error
		want  string
	}{
		{"http", Args{"url": "x", "method": "FETCH"}, "method", "want GET, POST"},
		{"http", Args{"url": "x", "method": "post"}, "", ""},
		{"http", Args{"url": "x", "expect_status": []int64{200, 99}}, "expect_status", "want 100..599"},
		{"http", Args{"url": "x", "expect_status": []int64{200, 600}}, "expect_status", "want 100..599"},
		{"http", Args{"url": "x", "expect_status": []int64{100, 599}}, "", ""},
		{"http", Args{"url": "x", "headers": map[string]string{"X-A": "b\r\nX-Evil: 1"}}, "headers", "holds a line break"},
		{"http", Args{"url": "x", "headers": map[string]string{"X-A": "b\x00"}}, "headers", "control character"},
		{"http", Args{"url": "x", "headers": map[string]string{"X A": "b"}}, "headers", "not a header name"},
		{"http", Args{"url": "x", "headers": map[string]string{"X-A": "b\tc", "Accept": "*/*"}}, "", ""},
		{"group_create", Args{"members": int64(-1)}, "members", "want 0 or more"},
		{"group_create", Args{"admins": int64(-2)}, "admins", "want 0 or more"},
		{"group_create", Args{"members": int64(0), "admins": int64(3)}, "", ""},
		{"group_add_members", Args{"users": int64(-1)}, "users", "want 0 or more"},
		{"group_add_admins", Args{"users": int64(-1)}, "users", "want 0 or more"},
		{"document_encrypt", Args{"users": int64(-1)}, "users", "want 0 or more"},
		{"document_encrypt", Args{"groups": int64(-1)}, "groups", "want 0 or more"},
		{"document_encrypt", Args{"size": int64(-1)}, "size", "want 0 to 64MiB"},
		{"document_encrypt", Args{"size": int64(64<<20 + 1)}, "size", "want 0 to 64MiB"},
		{"document_encrypt", Args{"size": int64(64 << 20)}, "", ""},
		{"document_update", Args{"size": int64(-5)}, "size", "want 0 to 64MiB"},
		{"document_decrypt", Args{"as": "admin"}, "as", `"admin"; want owner or member`},
		{"document_decrypt", Args{"as": "member"}, "", ""},
		{"document_grant", Args{"groups": int64(-1)}, "groups", "want 0 or more"},
	}
	cat := Default()
	for _, tt := range tests {
		e, ok := cat.Lookup(tt.op)
		if !ok {
			t.Fatalf("no op %s", tt.op)
		}
		_, err := e.New(env, tt.args)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s %v: %v", tt.op, tt.args, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(fe.Msg, tt.want) {
			t.Errorf("%s %v: err = %v; want a FieldError on %s saying %q", tt.op, tt.args, err, tt.field, tt.want)
		}
	}
}

// TestCatalogEntries wants every op of the catalog to have help, a builder
// and helpful, distinct fields.
func TestCatalogEntries(t *testing.T) {
	cat := Default()
	for _, name := range cat.Names() {
		e, _ := cat.Lookup(name)
		if e.Name != name || e.Help == "" || e.New == nil {
			t.Errorf("op %s: name %q, help %q, New set %v", name, e.Name, e.Help, e.New != nil)
		}
		seen := map[string]bool{}
		for _, f := range e.Fields {
			if f.Help == "" || seen[f.Name] {
				t.Errorf("op %s: field %q has no help or is repeated", name, f.Name)
			}
			seen[f.Name] = true
		}
	}
}
