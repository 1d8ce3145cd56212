package service

import (
	"hash/maphash"
	"sync"
)

// shardCount is the number of shards of every shardMap; a power of two.
const shardCount = 64

// shardMap is a map split into shards, each behind its own lock, so that unrelated keys do not
// contend. It is safe for concurrent use.
type shardMap[K comparable, V any] struct {
	seed   maphash.Seed
	shards [shardCount]shard[K, V]
}

type shard[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

func newShardMap[K comparable, V any]() *shardMap[K, V] {
	sm := &shardMap[K, V]{seed: maphash.MakeSeed()}
	for i := range sm.shards {
		sm.shards[i].m = make(map[K]V)
	}
	return sm
}

func (sm *shardMap[K, V]) shard(k K) *shard[K, V] {
	return &sm.shards[maphash.Comparable(sm.seed, k)&(shardCount-1)]
}

// get returns the value stored under k.
func (sm *shardMap[K, V]) get(k K) (V, bool) {
	sh := sm.shard(k)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	v, ok := sh.m[k]
	return v, ok
}

// insert stores v under k unless k is present; it reports whether it stored v.
func (sm *shardMap[K, V]) insert(k K, v V) bool {
	sh := sm.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[k]; ok {
		return false
	}
	sh.m[k] = v
	return true
}

// remove deletes k and reports whether it was present.
func (sm *shardMap[K, V]) remove(k K) bool {
	sh := sm.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	_, ok := sh.m[k]
	delete(sh.m, k)
	return ok
}
