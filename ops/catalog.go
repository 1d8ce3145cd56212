// Package ops is the op catalog: each workload op (a raw HTTP request, every
// IronCore SDK operation) as an engine Op, with the fields a workload step
// may give it.
package ops

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// FieldKind is the type of a step field's value, as the workload file gives it.
type FieldKind int

// The kinds a step field may have. scenarios converts each YAML value to the
// Go type named in the comment before handing it to New.
const (
	String     FieldKind = iota // string
	Int                         // int64
	Bool                        // bool
	Duration                    // time.Duration ("250ms")
	Size                        // int64 bytes ("4KiB")
	StringList                  // []string
	IntList                     // []int64
	StringMap                   // map[string]string
)

func (k FieldKind) String() string {
	switch k {
	case String:
		return "a string"
	case Int:
		return "an integer"
	case Bool:
		return "true or false"
	case Duration:
		return "a duration such as 250ms or 1m"
	case Size:
		return "a size such as 512, 4KiB or 1MiB"
	case StringList:
		return "a list of strings"
	case IntList:
		return "a list of integers"
	case StringMap:
		return "a map of strings to strings"
	}
	return fmt.Sprintf("FieldKind(%d)", int(k))
}

// Field describes one field a step of an op may have.
type Field struct {
	Name     string
	Kind     FieldKind
	Required bool
	Help     string // what it is, for errors and docs
}

// Args are a step's fields, converted to the Go types of their kinds.
type Args map[string]any

// FieldError is an error about one field of a step; scenarios adds the
// field's file:line.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %q: %s", e.Field, e.Msg) }

// Env is what ops need from the run: the target and a shared HTTP client.
type Env struct {
	// Target is the base URL every relative url resolves against.
	Target *url.URL
	// Client is the HTTP client for raw http ops (connections: shared).
	Client  *http.Client
	Timeout time.Duration
	// IronCore is what the SDK ops share; nil when the run has no
	// IronCore target (raw http ops only).
	IronCore *IronCore
}

// Entry is one op of the catalog.
type Entry struct {
	Name   string
	Help   string
	Fields []Field
	// New builds the op from its checked arguments. Errors about a field
	// are *FieldError.
	New func(env *Env, args Args) (loadgen.Op, error)
}

// Catalog maps op names to entries.
type Catalog struct {
	entries map[string]*Entry
}

// NewCatalog returns a catalog holding the given entries.
func NewCatalog(entries ...*Entry) *Catalog {
	c := &Catalog{entries: make(map[string]*Entry, len(entries))}
	for _, e := range entries {
		c.entries[e.Name] = e
	}
	return c
}

// Default returns the catalog of every op loadgen knows.
func Default() *Catalog {
	return NewCatalog(append([]*Entry{HTTPEntry()}, IronCoreEntries()...)...)
}

// Lookup returns the entry named name.
func (c *Catalog) Lookup(name string) (*Entry, bool) {
	e, ok := c.entries[name]
	return e, ok
}

// Names returns the op names, sorted.
func (c *Catalog) Names() []string {
	names := make([]string, 0, len(c.entries))
	for n := range c.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
