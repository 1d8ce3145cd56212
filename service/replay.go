package service

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"
)

// replayCache remembers the device-signed, state-changing requests accepted within its window,
// so that one sent again is refused. Entries are keyed by a digest of the signature headers,
// method, signed path and body, and kept until their timestamp leaves the window, after which
// the request is refused for its age anyway; so the cache holds about rate × (window + future
// skew) entries of ~80 bytes.
type replayCache struct {
	window time.Duration
	shards [shardCount]replayShard
}

type replayShard struct {
	mu      sync.Mutex
	seen    map[[sha256.Size]byte]time.Time // digest → when the entry may go
	sweepAt time.Time
}

func newReplayCache(window time.Duration) *replayCache {
	c := &replayCache{window: window}
	for i := range c.shards {
		c.shards[i].seen = make(map[[sha256.Size]byte]time.Time)
	}
	return c
}

// add records key for a request dated ts and reports whether it was new.
func (c *replayCache) add(key [sha256.Size]byte, ts, now time.Time) bool {
	sh := &c.shards[key[0]%shardCount]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if now.After(sh.sweepAt) {
		for k, exp := range sh.seen {
			if now.After(exp) {
				delete(sh.seen, k)
			}
		}
		sh.sweepAt = now.Add(max(c.window/4, time.Second))
	}
	if exp, ok := sh.seen[key]; ok && !now.After(exp) {
		return false
	}
	sh.seen[key] = ts.Add(c.window)
	return true
}

// checkReplay refuses, when the replay cache is on, a state-changing device-signed request
// dated before the replay window or identical to one accepted before. Version 2 signatures
// cover the method, path and body; version 1 signatures do not, so those are in the key too.
func (s *Server) checkReplay(r *http.Request, body []byte, ts, now time.Time) error {
	if s.replay == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	if age := now.Sub(ts); age > s.replay.window {
		return authErrorf("request timestamp is %v old; with the replay cache on, a request that changes state must be under %v", age.Truncate(time.Millisecond), s.replay.window)
	}
	h := sha256.New()
	for _, part := range []string{r.Header.Get("Authorization"), r.Header.Get(headerRequestSig), r.Method, signedPath(r)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(body)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	if !s.replay.add(key, ts, now) {
		return authErrorf("request replayed: the same signed request was accepted before (replay window %v)", s.replay.window)
	}
	return nil
}
