package sdk

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// userKeysFor returns the master public keys of ids (GET users?id=…, phase
// http:user_key_list) and the ids the service does not know. With cached set
// it answers from the SDK's public-key cache where it can and adds what it
// fetched, as ironoxide does for grants and member adds; group creation
// bypasses the cache. No ids, or only cached ones, make no call.
func (s *SDK) userKeysFor(ctx context.Context, ids []string, cached bool) (map[string]PublicKey, []string, error) {
	out := make(map[string]PublicKey, len(ids))
	var missing []string
	if cached {
		s.mu.Lock()
		for _, id := range ids {
			if k, ok := s.userKeys[id]; ok {
				out[id] = k
			} else if !slices.Contains(missing, id) {
				missing = append(missing, id)
			}
		}
		s.mu.Unlock()
	} else {
		for _, id := range ids {
			if !slices.Contains(missing, id) {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) == 0 {
		return out, nil, nil
	}
	data, err := s.do(ctx, "user_key_list", http.MethodGet, "users", "id="+iclEncode(strings.Join(missing, ",")), nil)
	if err != nil {
		return nil, nil, err
	}
	var r userKeyListResp
	if err := decode("user_key_list", data, &r); err != nil {
		return nil, nil, err
	}
	for _, u := range r.Result {
		if err := u.UserMasterPublicKey.check(); err != nil {
			return nil, nil, &ProtocolError{Call: "user_key_list", Err: err}
		}
		out[u.ID] = u.UserMasterPublicKey
	}
	if cached {
		s.mu.Lock()
		for _, u := range r.Result {
			s.userKeys[u.ID] = u.UserMasterPublicKey
		}
		s.mu.Unlock()
	}
	var unknown []string
	for _, id := range missing {
		if _, ok := out[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	return out, unknown, nil
}

// groupKeysFor returns the public keys of groups ids (GET groups?id=…,
// phase http:group_key_list), through the SDK's public-key cache, and the
// ids the service does not know.
func (s *SDK) groupKeysFor(ctx context.Context, ids []string) (map[string]PublicKey, []string, error) {
	out := make(map[string]PublicKey, len(ids))
	var missing []string
	s.mu.Lock()
	for _, id := range ids {
		if k, ok := s.groupKeys[id]; ok {
			out[id] = k
		} else if !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	s.mu.Unlock()
	if len(missing) == 0 {
		return out, nil, nil
	}
	data, err := s.do(ctx, "group_key_list", http.MethodGet, "groups", "id="+iclEncode(strings.Join(missing, ",")), nil)
	if err != nil {
		return nil, nil, err
	}
	var r groupListResp
	if err := decode("group_key_list", data, &r); err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	for _, g := range r.Result {
		if g.GroupMasterPublicKey.check() == nil {
			out[g.ID] = g.GroupMasterPublicKey
			s.groupKeys[g.ID] = g.GroupMasterPublicKey
		}
	}
	s.mu.Unlock()
	var unknown []string
	for _, id := range missing {
		if _, ok := out[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	return out, unknown, nil
}
