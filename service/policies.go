package service

import (
	_ "embed"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Policy is a project's data-labelling policy (spec §6.3 #28), in the JSON form of IronCore's
// admin console: the labels in use and rules mapping labels to the users and groups a document
// so labelled is encrypted to. Rules are tried in order and the first that matches applies; a
// rule matches when each label it names equals the request's (a label it leaves out matches
// anything). In user and group IDs, %USER% stands for the request's substituteId (an entry with
// %USER% is left out when there is none) and %LOGGED_IN_USER% for the caller.
type Policy struct {
	Categories    []string     `json:"categories,omitempty"`
	Sensitivities []string     `json:"sensitivities,omitempty"`
	DataSubjects  []string     `json:"dataSubjects,omitempty"`
	Rules         []PolicyRule `json:"rules"`
}

// PolicyRule is one rule of a Policy.
type PolicyRule struct {
	Category    string   `json:"category,omitempty"`
	Sensitivity string   `json:"sensitivity,omitempty"`
	DataSubject string   `json:"dataSubject,omitempty"`
	Users       []string `json:"users,omitempty"`
	Groups      []string `json:"groups,omitempty"`
}

// Tokens replaced in a rule's user and group IDs.
const (
	tokenUser         = "%USER%"
	tokenLoggedInUser = "%LOGGED_IN_USER%"
)

//go:embed policies.json
var defaultPolicyJSON []byte

// DefaultPolicy returns the policy a Server has when Config.Policy is nil: the one ironoxide's
// integration tests assume (tests/document_ops.rs, doc_create_with_policy_grants), so that
// labels HEALTH/RESTRICTED/PATIENT, PII/INTERNAL and none each pick a rule.
func DefaultPolicy() *Policy {
	p, err := ParsePolicy("policies.json", defaultPolicyJSON)
	if err != nil {
		panic("service: the embedded default policy is invalid: " + err.Error())
	}
	return p
}

// policyOf returns the policy a Server uses for Config.Policy p: DefaultPolicy() for nil, else a
// checked copy of p.
func policyOf(p *Policy) (*Policy, error) {
	if p == nil {
		return DefaultPolicy(), nil
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("service: policy: %w", err)
	}
	c := &Policy{Categories: slices.Clone(p.Categories), Sensitivities: slices.Clone(p.Sensitivities), DataSubjects: slices.Clone(p.DataSubjects)}
	for _, r := range p.Rules {
		r.Users, r.Groups = slices.Clone(r.Users), slices.Clone(r.Groups)
		c.Rules = append(c.Rules, r)
	}
	return c, nil
}

// policyField is a label's query parameter (spec §6.0 #28) and its list in a Policy.
type policyField struct {
	param, list string
}

var (
	fieldCategory    = policyField{"category", "categories"}
	fieldSensitivity = policyField{"sensitivity", "sensitivities"}
	fieldDataSubject = policyField{"dataSubject", "dataSubjects"}
)

// validateLabel checks a label: 1 to 100 of A-Z a-z 0-9 _ - (spec §2.4).
func validateLabel(v string) error {
	if v == "" || len(v) > maxIDLen {
		return fmt.Errorf("%d characters; want 1..%d", len(v), maxIDLen)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' {
			continue
		}
		return fmt.Errorf("character %q at %d is not allowed (want A-Z a-z 0-9 _ -)", c, i)
	}
	return nil
}

// policyError is a problem in a policy, at a JSON path such as "rules[1].category".
type policyError struct {
	path string
	err  error
}

func (e *policyError) Error() string { return e.path + ": " + e.err.Error() }

// validate checks every label and every rule; the error is a *policyError.
func (p *Policy) validate() error {
	for _, l := range []struct {
		f    policyField
		vals []string
	}{{fieldCategory, p.Categories}, {fieldSensitivity, p.Sensitivities}, {fieldDataSubject, p.DataSubjects}} {
		for i, v := range l.vals {
			if err := validateLabel(v); err != nil {
				return &policyError{fmt.Sprintf("%s[%d]", l.f.list, i), fmt.Errorf("%q: %w", v, err)}
			}
		}
	}
	for i, r := range p.Rules {
		at := func(f string) string { return fmt.Sprintf("rules[%d].%s", i, f) }
		for _, l := range []struct {
			f      policyField
			v      string
			listed []string
		}{{fieldCategory, r.Category, p.Categories}, {fieldSensitivity, r.Sensitivity, p.Sensitivities}, {fieldDataSubject, r.DataSubject, p.DataSubjects}} {
			if l.v != "" && !slices.Contains(l.listed, l.v) {
				return &policyError{at(l.f.param), fmt.Errorf("%q is not one of the policy's %s %q", l.v, l.f.list, l.listed)}
			}
		}
		for _, ids := range []struct {
			name string
			ids  []string
		}{{"users", r.Users}, {"groups", r.Groups}} {
			for j, id := range ids.ids {
				// With the tokens replaced by a one-character ID, the rest must be an ID.
				probe := strings.NewReplacer(tokenUser, "u", tokenLoggedInUser, "u").Replace(id)
				if err := validateID(probe); err != nil {
					return &policyError{fmt.Sprintf("rules[%d].%s[%d]", i, ids.name, j), fmt.Errorf("%q is not a user or group ID (with %s or %s): %w", id, tokenUser, tokenLoggedInUser, err)}
				}
			}
		}
	}
	return nil
}

// match returns the first rule matching the labels ("" = not given), or nil.
func (p *Policy) match(category, sensitivity, dataSubject string) *PolicyRule {
	for i := range p.Rules {
		r := &p.Rules[i]
		if (r.Category == "" || r.Category == category) &&
			(r.Sensitivity == "" || r.Sensitivity == sensitivity) &&
			(r.DataSubject == "" || r.DataSubject == dataSubject) {
			return r
		}
	}
	return nil
}

// policyResp is the answer of GET policies (#28).
type policyResp struct {
	UsersAndGroups        []userOrGroupWithKeyJSON `json:"usersAndGroups"`
	InvalidUsersAndGroups []userOrGroupJSON        `json:"invalidUsersAndGroups"`
}

// policyQuery reads and checks the query of GET policies: the labels given ("" when not) and
// the substitute user ID.
func policyQuery(r *http.Request) (labels [3]string, substitute string, hasSubstitute bool, err error) {
	q := r.URL.Query()
	for i, f := range []policyField{fieldCategory, fieldSensitivity, fieldDataSubject} {
		if !q.Has(f.param) {
			continue
		}
		v := q.Get(f.param)
		if err := validateLabel(v); err != nil {
			return labels, "", false, badRequestf("%s %q: %v", f.param, v, err)
		}
		labels[i] = v
	}
	if hasSubstitute = q.Has("substituteId"); hasSubstitute {
		substitute = q.Get("substituteId")
		if err := validateID(substitute); err != nil {
			return labels, "", false, badRequestf("substituteId %q: %v", substitute, err)
		}
	}
	return labels, substitute, hasSubstitute, nil
}

// servePolicy is #28 GET policies: the users and groups of the first rule matching the labels
// in the query, split into those that exist (with their public keys) and those that do not. No
// policy, or one with no rules, answers 404, which the SDKs read as "no policy is defined"; no
// matching rule answers two empty lists.
func (s *Server) servePolicy(w http.ResponseWriter, r *http.Request, c *caller, _ []byte) error {
	if s.policy == nil || len(s.policy.Rules) == 0 {
		return notFoundf("no policy is defined")
	}
	labels, sub, hasSub, err := policyQuery(r)
	if err != nil {
		return err
	}
	resp := policyResp{UsersAndGroups: []userOrGroupWithKeyJSON{}, InvalidUsersAndGroups: []userOrGroupJSON{}}
	rule := s.policy.match(labels[0], labels[1], labels[2])
	if rule == nil {
		writeJSON(w, http.StatusOK, resp)
		return nil
	}
	seen := make(map[grantee]bool)
	for _, l := range []struct {
		group bool
		ids   []string
	}{{false, rule.Users}, {true, rule.Groups}} {
		for _, tmpl := range l.ids {
			if strings.Contains(tmpl, tokenUser) && !hasSub {
				continue
			}
			id := strings.NewReplacer(tokenUser, sub, tokenLoggedInUser, c.user.id).Replace(tmpl)
			gr := grantee{group: l.group, id: id}
			if seen[gr] || validateID(id) != nil {
				continue // a substitution too long to be an ID names no one
			}
			seen[gr] = true
			if pub := s.granteeKey(gr); pub != nil {
				ug := gr.json()
				resp.UsersAndGroups = append(resp.UsersAndGroups, userOrGroupWithKeyJSON{Type: ug.Type, ID: ug.ID, MasterPublicKey: pub})
			} else {
				resp.InvalidUsersAndGroups = append(resp.InvalidUsersAndGroups, gr.json())
			}
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// granteeKey returns the public key of user or group gr, or nil if there is none.
func (s *Server) granteeKey(gr grantee) *publicKeyJSON {
	if gr.group {
		if g, ok := s.store.groups.get(gr.id); ok {
			return g.publicKey
		}
		return nil
	}
	if u, ok := s.store.user(gr.id); ok {
		return u.pub()
	}
	return nil
}
