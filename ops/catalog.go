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
	// Check, if not nil, checks a value of the field (of the Go type of its
	// kind) beyond its kind, saying what is wrong and what would be right.
	Check func(v any) error
}

// checkArgs runs each field's Check on its value in args, in the fields'
// order, and returns the first failure as a *FieldError.
func checkArgs(fields []Field, args Args) error {
	for _, f := range fields {
		v, ok := args[f.Name]
		if !ok || f.Check == nil {
			continue
		}
		if err := f.Check(v); err != nil {
			return &FieldError{Field: f.Name, Msg: err.Error()}
		}
	}
	return nil
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

// Default returns the catalog of every op loadgen knows: one line per op,
// its name, what it does, its builder and its fields (each field carries
// its own checks).
func Default() *Catalog {
	return NewCatalog(
		HTTPEntry(),
		// Users and devices (user.go).
		sdkEntry("user_create", "create a new, run-unique user (JWT; PBKDF2 and key generation on the client)", userCreate, passwordField(), needsRotationField("user")),
		sdkEntry("user_verify", "look up the acting user (JWT)", userVerify),
		sdkEntry("generate_device", "add a device to the acting user (JWT; PBKDF2, key generation, transform key, Schnorr signature)", generateDevice, passwordField()),
		sdkEntry("initialize", "initialize an SDK for the device made earlier in the iteration (users/current), with ironoxide's rotation check if asked", initialize, keepField(), rotationField()),
		sdkEntry("user_get_public_key", "look up other users' public keys (GET users?id=)", userGetPublicKey, publicKeyUsersField()),
		sdkEntry("user_rotate_private_key", "rotate the acting user's private key (PBKDF2, augmentation; the service updates every device's transform key); workers sharing a pool user may rotate it at once and conflict", userRotatePrivateKey),
		sdkEntry("user_change_password", "re-escrow the acting user's private key under its password (PBKDF2 twice; the password stays the same, as other steps need it)", userChangePassword),
		sdkEntry("device_list", "list the acting user's devices", deviceList),
		sdkEntry("device_delete", "delete the device generate_device made earlier in the iteration", deviceDelete),
		// Groups (group.go).
		sdkEntry("group_create", "create a group with the acting user as admin", groupCreate, membersField(), adminsField(), keepField(), groupIDField(), needsRotationField("group")),
		sdkEntry("group_get", "get a group (made earlier in the iteration, else one from the pool)", groupGet),
		sdkEntry("group_list", "list the acting user's groups", groupList),
		sdkEntry("group_add_members", "add pool users as members of a group", groupAddMembers, usersField("1")),
		sdkEntry("group_add_admins", "add pool users as admins of a group", groupAddAdmins, usersField("1")),
		sdkEntry("group_remove_members", "remove members the run added from a group", groupRemoveMembers, removeUsersField("members")),
		sdkEntry("group_remove_admins", "remove admins the run added from a group", groupRemoveAdmins, removeUsersField("admins")),
		sdkEntry("group_update_name", "rename a group", groupUpdateName, groupNameField()),
		sdkEntry("group_rotate_private_key", "rotate a group's private key as its admin (made earlier in the iteration, else one from the pool, where two workers may rotate one group at once and conflict; augmentation; the service updates every member's transform key)", groupRotatePrivateKey),
		sdkEntry("group_delete", "delete the group group_create made earlier in the iteration", groupDelete),
		// Documents (document.go, unmanaged.go).
		sdkEntry("document_encrypt", "encrypt a new managed document as the acting user", documentEncrypt, sizeField(), keepField(), encryptUsersField(), encryptGroupsField(), policyField()),
		sdkEntry("document_decrypt", "decrypt a document (made earlier in the iteration, else one from the pool)", documentDecrypt, asField()),
		sdkEntry("document_list", "list the documents the acting user can decrypt", documentList),
		sdkEntry("document_get_metadata", "get a document's metadata (made earlier in the iteration, else one from the pool)", documentGetMetadata),
		sdkEntry("document_update", "re-encrypt a document with new data under its key", documentUpdate, sizeField()),
		sdkEntry("document_update_name", "rename a document", documentUpdateName, docNameField()),
		sdkEntry("document_grant", "grant pool users access to a document", documentGrant, usersField("1"), grantGroupsField()),
		sdkEntry("document_revoke", "revoke the access a document_grant step gave earlier in the iteration", documentRevoke),
		sdkEntry("document_encrypt_unmanaged", "encrypt a new unmanaged document: the caller keeps it and its encrypted DEKs, the service keeps nothing", documentEncryptUnmanaged, sizeField(), keepField(), encryptUsersField(), encryptGroupsField(), policyField()),
		sdkEntry("document_decrypt_unmanaged", "decrypt an unmanaged document (made earlier in the iteration, else one from the pool): POST edeks/transform, then the client decrypts", documentDecryptUnmanaged),
	)
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
