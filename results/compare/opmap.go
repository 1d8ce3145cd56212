package compare

import (
	"fmt"
	"strings"
	"unicode"
)

// Mapping maps the operation names of other tools to loadgen's op names.
// Names are matched without regard to case, '_', '-', '.', spaces and other
// punctuation, so "userCreate", "user_create" and "User Create" are one
// name. A name without a mapping is kept as it is. The zero Mapping maps
// nothing; a Mapping is not safe for concurrent Set.
type Mapping struct {
	m map[string]string
}

// ironoxideOps returns the ironoxide method names (Java and Scala
// camelCase, the Rust crate's snake_case and its SdkOperation variants,
// matched the same way) of each loadgen op.
func ironoxideOps() map[string][]string {
	return map[string][]string{
		"user_create":                {"userCreate"},
		"user_verify":                {"userVerify"},
		"user_update_status":         {"userUpdateStatus"},
		"user_disable_self":          {"userDisableSelf"},
		"user_get_public_key":        {"userGetPublicKey"},
		"user_change_password":       {"userChangePassword"},
		"user_rotate_private_key":    {"userRotatePrivateKey"},
		"generate_device":            {"generateNewDevice", "generateDevice", "userGenerateNewDevice"},
		"initialize":                 {"initialize", "initializeSdk", "ironSdkInitialize", "ironOxideInitialize", "initializeCheckRotation", "initializeSdkCheckRotation", "initializeAndRotate", "usersCurrent"},
		"rotate_all":                 {"rotateAll"},
		"device_list":                {"userListDevices", "deviceList", "listDevices"},
		"device_delete":              {"userDeleteDevice", "deviceDelete", "deleteDevice"},
		"group_create":               {"groupCreate"},
		"group_get":                  {"groupGetMetadata", "groupGet"},
		"group_list":                 {"groupList"},
		"group_update_name":          {"groupUpdateName"},
		"group_delete":               {"groupDelete"},
		"group_add_members":          {"groupAddMembers"},
		"group_add_admins":           {"groupAddAdmins"},
		"group_remove_members":       {"groupRemoveMembers"},
		"group_remove_admins":        {"groupRemoveAdmins"},
		"group_rotate_private_key":   {"groupRotatePrivateKey"},
		"document_encrypt":           {"documentEncrypt"},
		"document_decrypt":           {"documentDecrypt"},
		"document_list":              {"documentList"},
		"document_get_metadata":      {"documentGetMetadata"},
		"document_update":            {"documentUpdateBytes", "documentUpdate"},
		"document_update_name":       {"documentUpdateName"},
		"document_grant":             {"documentGrantAccess", "documentGrant"},
		"document_revoke":            {"documentRevokeAccess", "documentRevoke"},
		"document_encrypt_unmanaged": {"advancedDocumentEncryptUnmanaged", "documentEncryptUnmanaged"},
		"document_decrypt_unmanaged": {"advancedDocumentDecryptUnmanaged", "documentDecryptUnmanaged"},
		"document_grant_unmanaged":   {"documentGrantAccessUnmanaged", "advancedDocumentGrantAccessUnmanaged"},
		"http":                       {"http"},
	}
}

// DefaultMapping returns a Mapping that knows loadgen's op names and the
// ironoxide-java and ironoxide-scala (and ironoxide Rust) method names of
// the same operations.
func DefaultMapping() *Mapping {
	m := &Mapping{}
	for op, names := range ironoxideOps() {
		m.Set(op, op)
		for _, n := range names {
			m.Set(n, op)
		}
	}
	return m
}

// Set maps from to the op to. A later Set of the same name wins.
func (m *Mapping) Set(from, to string) {
	if m.m == nil {
		m.m = make(map[string]string)
	}
	m.m[normalizeName(from)] = to
}

// Parse adds a mapping written "from=to", as --map takes it.
func (m *Mapping) Parse(spec string) error {
	from, to, ok := strings.Cut(spec, "=")
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if !ok || from == "" || to == "" {
		return fmt.Errorf("compare: mapping %q is not NAME=OP", spec)
	}
	m.Set(from, to)
	return nil
}

// Op returns the op name of name: its mapping, or name itself.
func (m *Mapping) Op(name string) string {
	if m == nil {
		return name
	}
	if to, ok := m.m[normalizeName(name)]; ok {
		return to
	}
	return name
}

// normalizeName lower-cases name and drops everything but letters and
// digits.
func normalizeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
