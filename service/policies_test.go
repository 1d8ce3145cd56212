package service

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// policyAnswer is GET policies' answer as "type:id" lists, the found ones with their keys
// checked against the store.
func (e *env) policyAnswer(u *tuser, query string) (int, []string, []string) {
	e.t.Helper()
	status, b := e.v2(u, "GET", "policies"+query, nil)
	if status != 200 {
		errorBody(e.t, b)
		return status, nil, nil
	}
	var resp policyResp
	if err := json.Unmarshal(b, &resp); err != nil || resp.UsersAndGroups == nil || resp.InvalidUsersAndGroups == nil {
		e.t.Fatalf("policies%s: %s is not two lists: %v", query, b, err)
	}
	var found, invalid []string
	for _, ug := range resp.UsersAndGroups {
		if want := e.s.granteeKey(grantee{group: ug.Type == "group", id: ug.ID}); !want.equal(ug.MasterPublicKey) {
			e.t.Errorf("policies%s: %s %s has another key than the store's", query, ug.Type, ug.ID)
		}
		found = append(found, ug.Type+":"+ug.ID)
	}
	for _, ug := range resp.InvalidUsersAndGroups {
		invalid = append(invalid, ug.Type+":"+ug.ID)
	}
	slices.Sort(found)
	slices.Sort(invalid)
	return status, found, invalid
}

// TestPolicyDefault evaluates the default policy as ironoxide's doc_create_with_policy_grants
// does against the real service: the first matching rule applies, %USER% is the substituteId
// and %LOGGED_IN_USER% the caller, and IDs that exist come with their keys while the others are
// listed as invalid.
func TestPolicyDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	u := e.newUser("pol-u")
	e.newUser("pol-u2")
	e.createGroup(u, "data_recovery_pol-u")
	e.createGroup(u, "group_other_pol-u2")
	for _, tt := range []struct {
		query            string
		found, invalid   []string
		wantStatus       int
		wantErrorMessage string
	}{
		{"?category=PII&sensitivity=INTERNAL", []string{"group:data_recovery_pol-u", "user:pol-u"}, []string{"group:badgroupid_frompolicy", "user:baduserid_frompolicy"}, 200, ""},
		{"?category=HEALTH&sensitivity=RESTRICTED&dataSubject=PATIENT&substituteId=pol-u2",
			[]string{"group:data_recovery_pol-u", "group:group_other_pol-u2", "user:pol-u2"}, []string{"group:group_id_doctors"}, 200, ""},
		{"?category=HEALTH&sensitivity=RESTRICTED&dataSubject=PATIENT", []string{"group:data_recovery_pol-u"}, []string{"group:group_id_doctors"}, 200, ""},
		{"", []string{"group:data_recovery_pol-u"}, nil, 200, ""},
		{"?category=PII", []string{"group:data_recovery_pol-u"}, nil, 200, ""}, // rule 2 wants INTERNAL too
		{"?category=PII&sensitivity=INTERNAL&dataSubject=ANYONE", []string{"group:data_recovery_pol-u", "user:pol-u"}, []string{"group:badgroupid_frompolicy", "user:baduserid_frompolicy"}, 200, ""},
		{"?category=P%20I", nil, nil, 400, "category"},
		{"?sensitivity=", nil, nil, 400, "sensitivity"},
		{"?substituteId=a%20b", nil, nil, 400, "substituteId"},
	} {
		status, found, invalid := e.policyAnswer(u, tt.query)
		if status != tt.wantStatus || !slices.Equal(found, tt.found) || !slices.Equal(invalid, tt.invalid) {
			t.Errorf("policies%s: %d found %v invalid %v; want %d found %v invalid %v", tt.query, status, found, invalid, tt.wantStatus, tt.found, tt.invalid)
		}
	}
}

// TestPolicyNoneAndNoMatch: a policy with no rules is none (404, ironoxide's
// PolicyDoesNotExist); a policy whose rules do not match answers two empty lists.
func TestPolicyNoneAndNoMatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Policy: &Policy{}})
	u := e.newUser("pn-u")
	if status, b := e.v2(u, "GET", "policies?category=PII", nil); status != 404 {
		t.Errorf("no policy: %d %s, want 404", status, b)
	}
	p := &Policy{Categories: []string{"A"}, Rules: []PolicyRule{{Category: "A", Users: []string{"%LOGGED_IN_USER%"}}}}
	e2 := newEnv(t, Config{Policy: p})
	u2 := e2.newUser("pn-u2")
	p.Rules[0].Users[0] = "changed-after-New" // the server keeps its own copy
	if status, found, invalid := e2.policyAnswer(u2, "?category=B"); status != 200 || len(found)+len(invalid) != 0 {
		t.Errorf("no matching rule: %d %v %v, want 200 and nothing", status, found, invalid)
	}
	if status, found, _ := e2.policyAnswer(u2, "?category=A"); status != 200 || !slices.Equal(found, []string{"user:pn-u2"}) {
		t.Errorf("matching rule: %d %v, want the caller", status, found)
	}
	if _, err := New(Config{Policy: &Policy{Rules: []PolicyRule{{Category: "A"}}}}); err == nil || !strings.Contains(err.Error(), "rules[0].category") {
		t.Errorf("New with a rule naming an undeclared category: %v", err)
	}
}

// TestParsePolicy: the default file parses; bad files are refused naming file:line:col and the
// field.
func TestParsePolicy(t *testing.T) {
	t.Parallel()
	if p := DefaultPolicy(); len(p.Rules) != 3 || p.Rules[0].Category != "HEALTH" || !slices.Equal(p.Rules[2].Groups, []string{"data_recovery_%LOGGED_IN_USER%"}) {
		t.Errorf("default policy: %+v", p)
	}
	for _, tt := range []struct {
		name, data, want string
	}{
		{"syntax", "{\n  \"rules\": [\n    {\"users\": [\"a\",]}\n  ]\n}", "p.json:3:20: invalid character ']'"},
		{"unknown field", "{\"rules\": [],\n \"rule\": []}", `p.json:2:`},
		{"type", "{\"rules\": [{\"users\": \"a\"}]}", `p.json:1:22: rules.users: string where an array is wanted`},
		{"undeclared label", "{\n \"categories\": [\"A\"],\n \"rules\": [{\"category\": \"A\"},\n           {\"category\": \"B\"}]\n}", `p.json:4:25: rules[1].category: "B" is not one of the policy's categories ["A"]`},
		{"bad label", "{\"sensitivities\": [\"OK\", \"not ok\"], \"rules\": []}", `p.json:1:26: sensitivities[1]: "not ok"`},
		{"bad ID", "{\"rules\": [{\"groups\": [\"g\", \"g %USER%\"]}]}", `p.json:1:29: rules[0].groups[1]: "g %USER%" is not a user or group ID`},
		{"empty", "", "p.json:1:1: empty file"},
		{"trailing", "{\"rules\": []} {}", "p.json:1:15: data after the policy object"},
	} {
		_, err := ParsePolicy("p.json", []byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
	if _, err := LoadPolicy(t.TempDir() + "/missing.json"); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("LoadPolicy of a missing file: %v", err)
	}
}

// FuzzParsePolicy: any input is parsed or refused with a positioned error, never a panic; what
// parses is a valid policy, and its error positions are within the input.
func FuzzParsePolicy(f *testing.F) {
	f.Add(defaultPolicyJSON)
	f.Add([]byte("{\n \"categories\": [\"A\"],\n \"rules\": [{\"category\": \"B\"}]\n}"))
	f.Add([]byte(`{"rules": [{"users": ["%USER%x", 5]}]}`))
	f.Add([]byte(`{"rules": [{"groups": ["\"quoted\\\""]}]} x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("f.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "service: policy: f.json") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if err := p.validate(); err != nil {
			t.Fatalf("parsed policy does not validate: %v", err)
		}
		if _, err := policyOf(p); err != nil {
			t.Fatalf("policyOf: %v", err)
		}
	})
}
