package service

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentClients runs several users at once through group and document operations
// touching shared entities, for the race detector, and checks the store's counts after.
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	const n = 4
	owner := e.newUser("shared-owner")
	g := e.createGroup(owner, "shared")
	users := make([]*tuser, n)
	for i := range users {
		users[i] = e.newUser(fmt.Sprintf("worker-%d", i))
	}
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			body := mustJSON(t, map[string]any{"users": []any{e.memberEntry(owner, u, g)}, "signature": e.groupSignature(g)})
			if status, b := e.v2(owner, "POST", "groups/shared/users", body); status != 200 {
				t.Errorf("add %s: %d %s", u.id, status, b)
			}
			for j := range 3 {
				id := fmt.Sprintf("doc-%d-%d", i, j)
				pt, err := e.rc.GeneratePlaintext()
				if err != nil {
					t.Error(err)
					return
				}
				if status, b := e.v2(u, "POST", "documents", e.docBody(u, id, pt, e.grant(u, "group", "shared", pt, g.pk))); status != 201 {
					t.Errorf("create %s: %d %s", id, status, b)
					return
				}
				if got, _ := e.decryptDocument(owner, id); !got.Equal(pt) {
					t.Errorf("owner decrypts %s: wrong plaintext", id)
				}
				if status, _ := e.v2(u, "GET", "documents", nil); status != 200 {
					t.Errorf("list as %s: %d", u.id, status)
				}
			}
		})
	}
	wg.Wait()
	if st := e.s.Stats(); st.Documents != n*3 || st.Groups != 1 || st.Users != n+1 {
		t.Errorf("stats %+v", st)
	}
	var list resultList[docListItem]
	_, b := e.v2(owner, "GET", "documents", nil)
	if err := json.Unmarshal(b, &list); err != nil || len(list.Result) != n*3 {
		t.Errorf("owner sees %d documents through the group, want %d (%v)", len(list.Result), n*3, err)
	}
}
