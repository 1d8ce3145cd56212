package sdk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// PolicyGrant labels data so that the service's policy decides who may
// decrypt it (ironoxide's PolicyGrant). Empty fields are left out of the
// query; the zero value asks for the policy's default rule.
type PolicyGrant struct {
	Category    string
	Sensitivity string
	DataSubject string
	// SubstituteUser replaces %USER% in the policy's rules.
	SubstituteUser string
}

// policyCacheMax is ironoxide's default PolicyCachingConfig.max_entries:
// a full cache is cleared before the next entry goes in.
const policyCacheMax = 128

// ErrPolicyNotFound reports a policy lookup the service answered with 404
// (ironoxide's PolicyDoesNotExist).
var ErrPolicyNotFound = errors.New("sdk: no policy defined")

var policyField = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// query checks the grant as ironoxide does and returns GET policies' query:
// category, sensitivity, dataSubject, substituteId, in that order.
func (p PolicyGrant) query() (PolicyGrant, string, error) {
	var std PolicyGrant
	var parts []string
	for _, f := range []struct {
		name string
		v    string
		out  *string
	}{
		{"category", p.Category, &std.Category},
		{"sensitivity", p.Sensitivity, &std.Sensitivity},
		{"dataSubject", p.DataSubject, &std.DataSubject},
	} {
		if f.v == "" {
			continue
		}
		t := strings.TrimSpace(f.v)
		if t == "" || len(t) > 100 || !policyField.MatchString(t) {
			return std, "", fmt.Errorf("sdk: policy %s %q: want 1 to 100 of A-Z a-z 0-9 _ -", f.name, f.v)
		}
		*f.out = t
		parts = append(parts, f.name+"="+iclEncode(t))
	}
	if p.SubstituteUser != "" {
		u, err := validateID("user", p.SubstituteUser)
		if err != nil {
			return std, "", err
		}
		std.SubstituteUser = u
		parts = append(parts, "substituteId="+iclEncode(u))
	}
	return std, strings.Join(parts, "&"), nil
}

// policyGrants evaluates a policy through the SDK's policy cache, as
// ironoxide's get_cached_policy_or: a cached answer makes no call;
// otherwise GET policies (phase http:policy_get), whose grantees with a
// usable key become grants and the rest failures, and an answer without
// failures is cached. A 404 is ErrPolicyNotFound.
func (s *SDK) policyGrants(ctx context.Context, p PolicyGrant) ([]grantee, []AccessFailure, error) {
	std, query, err := p.query()
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	cached, ok := s.policies[std]
	s.mu.Unlock()
	if ok {
		return cached, nil, nil
	}
	data, err := s.do(ctx, "policy_get", http.MethodGet, "policies", query, nil)
	if err != nil {
		var se *ServiceError
		if errors.As(err, &se) && se.Status == http.StatusNotFound {
			return nil, nil, fmt.Errorf("%w: %w", ErrPolicyNotFound, err)
		}
		return nil, nil, err
	}
	var r policyResp
	if err := decode("policy_get", data, &r); err != nil {
		return nil, nil, err
	}
	var (
		grants []grantee
		failed []AccessFailure
	)
	for _, u := range r.UsersAndGroups {
		who := UserOrGroup{Type: u.Type, ID: u.ID}
		switch {
		case u.MasterPublicKey == nil:
			failed = append(failed, AccessFailure{ID: u.ID, Type: u.Type, Reason: fmt.Sprintf("%s %s does not have associated public key", u.Type, u.ID)})
		case u.MasterPublicKey.check() != nil:
			failed = append(failed, AccessFailure{ID: u.ID, Type: u.Type, Reason: fmt.Sprintf("Error parsing %s public key", u.Type)})
		default:
			grants = append(grants, grantee{who, *u.MasterPublicKey})
		}
	}
	for _, u := range r.InvalidUsersAndGroups {
		failed = append(failed, AccessFailure{ID: u.ID, Type: u.Type, Reason: fmt.Sprintf("Policy refers to unknown %s '%s'", u.Type, u.ID)})
	}
	if len(failed) == 0 {
		s.mu.Lock()
		if len(s.policies) >= policyCacheMax {
			clear(s.policies)
		}
		s.policies[std] = grants
		s.mu.Unlock()
	}
	return grants, failed, nil
}

// ClearPolicyCache empties the SDK's policy cache and returns how many
// entries it held (ironoxide's clear_policy_cache).
func (s *SDK) ClearPolicyCache() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.policies)
	clear(s.policies)
	return n
}
