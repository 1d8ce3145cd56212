package service

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// User status values (spec §5.5).
const (
	statusDisabled = 0
	statusEnabled  = 1
)

// Limits bound the in-memory store. A zero field takes its default (DefaultMaxUsers and so on).
// Negative limits are invalid. Reaching a limit makes creates answer 507 (StoreFullError).
type Limits struct {
	MaxUsers     int // users in the segment
	MaxDevices   int // devices over all users
	MaxGroups    int // groups
	MaxDocuments int // managed documents
}

// Defaults for zero fields of Limits. A document with one grant takes about 1 KiB, a device
// about 1.5 KiB.
const (
	DefaultMaxUsers     = 100_000
	DefaultMaxDevices   = 200_000
	DefaultMaxGroups    = 100_000
	DefaultMaxDocuments = 500_000
)

// withDefaults fills zero fields with the defaults.
func (l Limits) withDefaults() Limits {
	def := func(v, d int) int {
		if v == 0 {
			return d
		}
		return v
	}
	return Limits{
		MaxUsers:     def(l.MaxUsers, DefaultMaxUsers),
		MaxDevices:   def(l.MaxDevices, DefaultMaxDevices),
		MaxGroups:    def(l.MaxGroups, DefaultMaxGroups),
		MaxDocuments: def(l.MaxDocuments, DefaultMaxDocuments),
	}
}

// store holds one segment's users, devices, groups and documents in sharded maps. Each entity
// guards its mutable fields with its own mutex; no code holds two entity locks at once, so
// cross-entity indexes (a user's groups and documents) are updated one entity at a time.
type store struct {
	limits   Limits
	users    *shardMap[string, *user]
	devices  *shardMap[[signingKeySize]byte, *device]
	groups   *shardMap[string, *group]
	docs     *shardMap[string, *document]
	nUsers   atomic.Int64
	nDevices atomic.Int64
	nGroups  atomic.Int64
	nDocs    atomic.Int64
	deviceID atomic.Uint64
}

func newStore(l Limits) *store {
	return &store{
		limits:  l.withDefaults(),
		users:   newShardMap[string, *user](),
		devices: newShardMap[[signingKeySize]byte, *device](),
		groups:  newShardMap[string, *group](),
		docs:    newShardMap[string, *document](),
	}
}

// reserve takes one slot of n under limit, or reports the store full.
func reserve(n *atomic.Int64, limit int, what string) error {
	if n.Add(1) > int64(limit) {
		n.Add(-1)
		return &StoreFullError{What: what, Limit: limit}
	}
	return nil
}

// user is one account in the segment.
type user struct {
	id        string
	created   time.Time
	publicKey *publicKeyJSON    // master public key; key rotations (#10) keep it
	pubKey    recrypt.PublicKey // publicKey, decoded

	mu            sync.Mutex
	st            int
	updated       time.Time
	privateKey    []byte // EncryptedMasterKey, 92 bytes
	needsRotation bool
	keyID         uint64
	// aug is the service's augmentation of the user's key: the sum of the factors of every key
	// rotation, nil before the first. The private key the client holds plus aug is the private
	// key of publicKey (see rotation.go).
	aug     *recrypt.PrivateKey
	devices map[uint64]*device
	// groups and docs are indexes that may hold stale entries (left groups, revoked documents):
	// entries are added after the change they index and readers check them, so an index never
	// misses an entry for long and needs no lock beyond the user's.
	groups map[string]struct{} // groups where the user is or was admin or member
	docs   map[string]struct{} // documents created by or granted directly to the user
}

func (u *user) status() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.st
}

// pub returns the user's master public key (immutable once set).
func (u *user) pub() *publicKeyJSON { return u.publicKey }

// resp returns the user as a userResp.
func (u *user) resp(segment int64) userResp {
	u.mu.Lock()
	defer u.mu.Unlock()
	return userResp{ID: u.id, Status: u.st, SegmentID: segment, UserPrivateKey: u.privateKey,
		UserMasterPublicKey: u.publicKey, NeedsRotation: u.needsRotation}
}

// indexGroup adds or removes g from the user's groups.
func (u *user) indexGroup(g string, add bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if add {
		u.groups[g] = struct{}{}
	} else {
		delete(u.groups, g)
	}
}

// indexDoc adds or removes d from the user's documents.
func (u *user) indexDoc(d string, add bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if add {
		u.docs[d] = struct{}{}
	} else {
		delete(u.docs, d)
	}
}

// groupIDs returns the user's groups, sorted.
func (u *user) groupIDs() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return sortedKeys(u.groups)
}

// device is a user's device; it is immutable after creation.
type device struct {
	id           uint64
	userID       string
	name         *string
	created      time.Time
	signing      [signingKeySize]byte
	transformKey *recrypt.TransformKey // user master key → device key
}

func (d *device) resp(current bool) deviceResp {
	r := deviceResp{ID: d.id, Name: d.name, Created: d.created, Updated: d.created}
	if current {
		r.IsCurrentDevice = &current
	} else {
		f := false
		r.IsCurrentDevice = &f
	}
	return r
}

// group is a group with its escrowed secret per admin and a transform key per member.
type group struct {
	id        string
	created   time.Time
	publicKey *publicKeyJSON
	pubKey    recrypt.PublicKey // publicKey, decoded

	mu            sync.Mutex
	name          *string
	owner         string
	updated       time.Time
	keyID         uint64
	needsRotation bool
	aug           *recrypt.PrivateKey // as user.aug, for the group's key (#21)
	deleted       bool
	admins        map[string]*recrypt.EncryptedValue // user ID → group secret encrypted to the user
	members       map[string]*recrypt.TransformKey   // user ID → group key → user key
	docs          map[string]struct{}                // documents granted to the group
}

// grantee names a user or a group a document is shared with.
type grantee struct {
	group bool
	id    string
}

func (g grantee) json() userOrGroupJSON {
	if g.group {
		return userOrGroupJSON{Type: "group", ID: g.id}
	}
	return userOrGroupJSON{Type: "user", ID: g.id}
}

// document is a managed document's metadata and its encrypted keys (EDEKs), one per grantee.
type document struct {
	id      string
	creator string
	created time.Time

	mu      sync.Mutex
	name    *string
	updated time.Time
	grants  map[grantee]docGrant
}

// docGrant is a document's encrypted key (EDEK) for one grantee. A grant to a group also keeps
// the group it was made to: a later group of the same ID is another grantee.
type docGrant struct {
	edek  *recrypt.EncryptedValue
	group *group // nil for a user
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// user returns the user with ID id.
func (st *store) user(id string) (*user, bool) { return st.users.get(id) }

// deviceBySigningKey returns the device whose Ed25519 public key is pub.
func (st *store) deviceBySigningKey(pub []byte) (*device, bool) {
	if len(pub) != signingKeySize {
		return nil, false
	}
	return st.devices.get([signingKeySize]byte(pub))
}

// Stats counts what a Server's store holds.
type Stats struct {
	Users     int64 `json:"users"`
	Devices   int64 `json:"devices"`
	Groups    int64 `json:"groups"`
	Documents int64 `json:"documents"`
}

// Stats returns how many users, devices, groups and documents the store holds now.
func (s *Server) Stats() Stats {
	st := s.store
	return Stats{Users: st.nUsers.Load(), Devices: st.nDevices.Load(), Groups: st.nGroups.Load(), Documents: st.nDocs.Load()}
}
