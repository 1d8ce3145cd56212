package ops

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestGroupClaimIsAtomic has many workers add members to one group at once:
// no user is handed out twice, and the owner never.
func TestGroupClaimIsAtomic(t *testing.T) {
	var p Pool
	for i := 0; i < 200; i++ {
		p.addUser(&Identity{UserID: fmt.Sprintf("u%d", i)})
	}
	owner := &Identity{UserID: "u0"}
	g := newGroupRef("g", owner, nil, nil)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		r := rand.New(rand.NewPCG(uint64(w), 1))
		wg.Go(func() {
			for {
				ids := g.claim(&p, r, 3, false)
				if len(ids) == 0 {
					return
				}
				mu.Lock()
				for _, id := range ids {
					seen[id]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 199 {
		t.Errorf("%d users claimed, want the 199 who are not the owner", len(seen))
	}
	for id, n := range seen {
		if n != 1 || id == "u0" {
			t.Errorf("%s claimed %d times", id, n)
		}
	}
}
