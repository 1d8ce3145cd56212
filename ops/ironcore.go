package ops

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ironcorelabs/loadgen/internal/capped"
	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/sdk"
)

// IronCore is what the SDK ops of one run share: the SDK client (its
// connections), the JWT issuer of the project's identity, names unique to
// the run and shard, and the pool of identities, groups and documents that
// setup made and steps with `keep` add to.
//
// An IronCore is safe for concurrent use.
type IronCore struct {
	Client *sdk.Client
	Issuer *sdk.Issuer
	// RunID is short and unique to the run; Shard is the shard index (0
	// when unsplit). Together they keep identity names of runs and shards
	// apart: lg-<run>-<shard>-<worker>-<n>.
	RunID string
	Shard int
	// Password is the default password of the users the run creates. It
	// is a secret: never logged.
	Password string

	n    atomic.Int64
	pool Pool
}

// NewIronCore returns an IronCore for a client and issuer, with a random run
// ID and password.
func NewIronCore(client *sdk.Client, iss *sdk.Issuer, shard int) (*IronCore, error) {
	var b [12]byte
	if _, err := crand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("ironcore: %w", err)
	}
	return &IronCore{
		Client:   client,
		Issuer:   iss,
		RunID:    hex.EncodeToString(b[:4]),
		Shard:    shard,
		Password: hex.EncodeToString(b[4:]),
	}, nil
}

// Pool returns the run's pool.
func (ic *IronCore) Pool() *Pool { return &ic.pool }

// userName returns a new user ID unique to the run, shard and worker.
func (ic *IronCore) userName(worker string) string {
	return fmt.Sprintf("lg-%s-%d-%s-%d", ic.RunID, ic.Shard, worker, ic.n.Add(1))
}

// Identity is one user with one device, initialized.
type Identity struct {
	UserID   string
	Password string
	Device   sdk.DeviceContext
	SDK      *sdk.SDK // nil until initialized
}

// groupRef is a group, an admin who can act on it, and who the run knows
// to be in it (so adding members picks users not already there).
type groupRef struct {
	ID    string
	Admin *Identity
	kept  bool // in the pool, for later iterations

	mu      sync.Mutex
	members map[string]bool
	admins  map[string]bool
}

func newGroupRef(id string, admin *Identity, members, admins []string) *groupRef {
	g := &groupRef{ID: id, Admin: admin, members: map[string]bool{admin.UserID: true}, admins: map[string]bool{admin.UserID: true}}
	g.add(members, false)
	g.add(admins, true)
	return g
}

// add notes users as members, or admins.
func (g *groupRef) add(users []string, admin bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, u := range users {
		if admin {
			g.admins[u] = true
		} else {
			g.members[u] = true
		}
	}
}

// claim picks up to n pool users who are not yet members (or admins, with
// admin set) and notes them as such in one step, so two workers adding to
// the same group never pick the same user. Lock order: group, then pool.
func (g *groupRef) claim(p *Pool, r *rand.Rand, n int, admin bool) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	set := g.members
	if admin {
		set = g.admins
	}
	ids := p.usersExcept(r, n, func(u string) bool { return set[u] })
	for _, u := range ids {
		set[u] = true
	}
	return ids
}

// release picks up to n users the run knows to be members (or admins,
// with admin set) of g, other than g.Admin, and forgets them as such in one
// step, so two workers removing from the same group never pick the same
// user.
func (g *groupRef) release(r *rand.Rand, n int, admin bool) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	set := g.members
	if admin {
		set = g.admins
	}
	var ids []string
	for u := range set {
		if u != g.Admin.UserID {
			ids = append(ids, u)
		}
	}
	slices.Sort(ids) // map order is not random enough to pick by
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	if len(ids) > n {
		ids = ids[:n]
	}
	for _, u := range ids {
		delete(set, u)
	}
	return ids
}

// docRef is a document and its owner.
type docRef struct {
	ID        string
	Encrypted []byte
	Owner     *Identity
	Groups    []*groupRef // groups the document was encrypted to
	// EncryptedDeks are an unmanaged document's EDEKs (the service keeps
	// none); nil for a managed document.
	EncryptedDeks []byte
}

// maxKept bounds what steps with keep add to the pool, so memory does not
// grow with run length: past it, new entries replace random old ones.
const maxKept = 10000

// Pool holds what setup made and what steps kept, for later iterations to
// draw from. It also remembers, for teardown, the groups and extra devices
// the run created.
type Pool struct {
	mu        sync.RWMutex
	users     []*Identity
	byID      map[string]*Identity
	groups    []*groupRef
	docs      []*docRef
	grpDocs   []*docRef // the docs encrypted to a group too
	unmanaged []*docRef
	made      []madeDevice
	madeGrp   []*groupRef
}

type madeDevice struct {
	owner *Identity
	id    uint64
}

func (p *Pool) addUser(id *Identity) {
	p.mu.Lock()
	if len(p.users) < maxKept {
		if p.byID == nil {
			p.byID = map[string]*Identity{}
		}
		p.byID[id.UserID] = id
	}
	p.users = addBounded(p.users, id)
	p.mu.Unlock()
}

// identity returns the pool user with ID id, or nil.
func (p *Pool) identity(id string) *Identity {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.byID[id]
}

// groupByID returns the pool group with ID id, or nil.
func (p *Pool) groupByID(id string) *groupRef {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, g := range p.groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// member returns an initialized pool identity, other than not, that is a
// known member of g; nil if there is none.
func (p *Pool) member(r *rand.Rand, g *groupRef, not string) *Identity {
	g.mu.Lock()
	ids := make([]string, 0, len(g.members))
	for u := range g.members {
		if u != not {
			ids = append(ids, u)
		}
	}
	g.mu.Unlock()
	for _, i := range r.Perm(len(ids)) {
		if id := p.identity(ids[i]); id != nil && id.SDK != nil {
			return id
		}
	}
	return nil
}

func (p *Pool) addGroup(g *groupRef, created bool) {
	p.mu.Lock()
	p.groups = addBounded(p.groups, g)
	if created && len(p.madeGrp) < 10*maxKept {
		p.madeGrp = append(p.madeGrp, g)
	}
	p.mu.Unlock()
}

// forgetGroup drops a group deleted during the run from the pool and from
// teardown's list.
func (p *Pool) forgetGroup(g *groupRef) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.groups = slices.DeleteFunc(p.groups, func(x *groupRef) bool { return x == g })
	p.madeGrp = slices.DeleteFunc(p.madeGrp, func(x *groupRef) bool { return x == g })
}

func (p *Pool) addUnmanaged(d *docRef) {
	p.mu.Lock()
	p.unmanaged = addBounded(p.unmanaged, d)
	p.mu.Unlock()
}

func (p *Pool) randomUnmanaged(r *rand.Rand) *docRef {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if len(p.unmanaged) == 0 {
		return nil
	}
	return p.unmanaged[r.IntN(len(p.unmanaged))]
}

func (p *Pool) noteGroup(g *groupRef) {
	p.mu.Lock()
	if len(p.madeGrp) < 10*maxKept {
		p.madeGrp = append(p.madeGrp, g)
	}
	p.mu.Unlock()
}

func (p *Pool) addDoc(d *docRef) {
	p.mu.Lock()
	p.docs = addBounded(p.docs, d)
	if len(d.Groups) > 0 {
		p.grpDocs = addBounded(p.grpDocs, d)
	}
	p.mu.Unlock()
}

func (p *Pool) noteDevice(owner *Identity, id uint64) {
	if id == 0 {
		return
	}
	p.mu.Lock()
	if len(p.made) < 10*maxKept {
		p.made = append(p.made, madeDevice{owner, id})
	}
	p.mu.Unlock()
}

// forgetDevice drops a device deleted during the run from teardown's list.
func (p *Pool) forgetDevice(id uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, d := range p.made {
		if d.id == id {
			p.made = append(p.made[:i], p.made[i+1:]...)
			return
		}
	}
}

func addBounded[T any](s []T, v T) []T {
	if len(s) < maxKept {
		return append(s, v)
	}
	s[rand.IntN(len(s))] = v
	return s
}

// Counts returns how many users, groups and documents the pool holds.
func (p *Pool) Counts() (users, groups, docs int) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.users), len(p.groups), len(p.docs)
}

// user returns the worker's own identity: pool users are dealt to workers
// round robin.
func (p *Pool) user(worker int) *Identity {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if len(p.users) == 0 {
		return nil
	}
	return p.users[worker%len(p.users)]
}

// otherUsers returns up to n distinct pool users other than not.
func (p *Pool) otherUsers(r *rand.Rand, n int, not string) []string {
	return p.usersExcept(r, n, func(u string) bool { return u == not })
}

// usersExcept returns up to n distinct pool users for whom skip is false.
func (p *Pool) usersExcept(r *rand.Rand, n int, skip func(string) bool) []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []string
	if n <= 0 {
		return out
	}
	for _, i := range r.Perm(len(p.users)) {
		if skip(p.users[i].UserID) {
			continue
		}
		out = append(out, p.users[i].UserID)
		if len(out) == n {
			break
		}
	}
	return out
}

func (p *Pool) randomGroups(r *rand.Rand, n int) []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []string
	for _, i := range r.Perm(len(p.groups)) {
		if len(out) == n {
			break
		}
		out = append(out, p.groups[i].ID)
	}
	return out
}

func (p *Pool) randomGroup(r *rand.Rand) *groupRef {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if len(p.groups) == 0 {
		return nil
	}
	return p.groups[r.IntN(len(p.groups))]
}

// memberDoc returns a pool document encrypted to a group that has an
// initialized pool member other than the document's owner, and that
// member; nil, nil if the pool has none. It tries random documents
// encrypted to a group first, then looks at each of them.
func (p *Pool) memberDoc(r *rand.Rand) (*docRef, *Identity) {
	const tries = 16
	for range tries {
		p.mu.RLock()
		n := len(p.grpDocs)
		var d *docRef
		if n > 0 {
			d = p.grpDocs[r.IntN(n)]
		}
		p.mu.RUnlock()
		if d == nil {
			return nil, nil
		}
		if m := p.groupMember(r, d); m != nil {
			return d, m
		}
		if n == 1 {
			return nil, nil
		}
	}
	p.mu.RLock()
	docs := append([]*docRef(nil), p.grpDocs...)
	p.mu.RUnlock()
	for _, i := range r.Perm(len(docs)) {
		if m := p.groupMember(r, docs[i]); m != nil {
			return docs[i], m
		}
	}
	return nil, nil
}

// groupMember returns an initialized pool member, other than d's owner, of
// a random one of the groups d was encrypted to; nil if there is none.
func (p *Pool) groupMember(r *rand.Rand, d *docRef) *Identity {
	for _, i := range r.Perm(len(d.Groups)) {
		if m := p.member(r, d.Groups[i], d.Owner.UserID); m != nil {
			return m
		}
	}
	return nil
}

func (p *Pool) randomDoc(r *rand.Rand) *docRef {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if len(p.docs) == 0 {
		return nil
	}
	return p.docs[r.IntN(len(p.docs))]
}

// errNoIdentity says how to give an op an identity.
var errNoIdentity error = &workloadError{"no identity to act as: add `setup: {users: N}` to the workload, or user_create, generate_device and initialize steps before this one"}

// NewIdentity creates a user with one device and initializes it, as one
// unmeasured unit of setup.
func (ic *IronCore) NewIdentity(ctx context.Context, name string) (*Identity, error) {
	id := &Identity{UserID: ic.userName(name), Password: ic.Password}
	if _, err := ic.Client.UserCreate(ctx, ic.Issuer, id.UserID, id.Password, sdk.UserCreateOptions{}); err != nil {
		return nil, fmt.Errorf("creating user: %w", err)
	}
	dc, err := ic.Client.GenerateDevice(ctx, ic.Issuer, id.UserID, id.Password, sdk.DeviceOptions{Name: "loadgen"})
	if err != nil {
		return nil, fmt.Errorf("adding a device to %s: %w", id.UserID, err)
	}
	id.Device = dc
	if id.SDK, err = ic.Client.Initialize(ctx, dc); err != nil {
		return nil, fmt.Errorf("initializing %s: %w", id.UserID, err)
	}
	return id, nil
}

// SetupCounts are the totals setup makes.
type SetupCounts struct{ Users, Groups, Documents int }

// Setup fills the pool: users (each with a device, initialized), then
// groups (each owned by a pool user, with up to two other members), then
// documents (each 1 KiB, owned by a pool user and encrypted to a pool group
// too, if there are groups). Work is spread over
// parallel goroutines; progress, if not nil, is called after each item.
// Nothing here is measured.
func (ic *IronCore) Setup(ctx context.Context, want SetupCounts, parallel int, progress func(kind string, done, total int)) error {
	if parallel < 1 {
		parallel = 1
	}
	run := func(kind string, total int, one func(ctx context.Context, i int, r *rand.Rand) error) error {
		if total <= 0 {
			return nil
		}
		var next, done atomic.Int64
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		var wg sync.WaitGroup
		for w := 0; w < parallel && w < total; w++ {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= total || ctx.Err() != nil {
						return
					}
					if err := one(ctx, i, r); err != nil {
						cancel(fmt.Errorf("setup %s %d of %d: %w", kind, i+1, total, err))
						return
					}
					d := int(done.Add(1))
					if progress != nil {
						progress(kind, d, total)
					}
				}
			})
		}
		wg.Wait()
		if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return ctx.Err()
	}
	if err := run("users", want.Users, func(ctx context.Context, i int, _ *rand.Rand) error {
		id, err := ic.NewIdentity(ctx, "setup")
		if err != nil {
			return err
		}
		ic.pool.addUser(id)
		return nil
	}); err != nil {
		return err
	}
	if (want.Groups > 0 || want.Documents > 0) && ic.pool.user(0) == nil {
		return errors.New("setup: groups and documents need users; add setup.users")
	}
	if err := run("groups", want.Groups, func(ctx context.Context, i int, r *rand.Rand) error {
		owner := ic.pool.user(i)
		members := ic.pool.otherUsers(r, 2, owner.UserID)
		g, err := owner.SDK.GroupCreate(ctx, sdk.GroupCreateOptions{Members: members})
		if err != nil {
			return err
		}
		ic.pool.addGroup(newGroupRef(g.ID, owner, members, nil), true)
		return nil
	}); err != nil {
		return err
	}
	return run("documents", want.Documents, func(ctx context.Context, i int, r *rand.Rand) error {
		owner := ic.pool.user(i)
		data := make([]byte, 1024)
		fill(r, data)
		// Encrypted to a pool group too, when there is one, so that
		// document_decrypt as: member has two transforms to make.
		var opts sdk.EncryptOptions
		g := ic.pool.randomGroup(r)
		if g != nil {
			opts.Groups = []string{g.ID}
		}
		res, err := owner.SDK.DocumentEncrypt(ctx, data, opts)
		if err != nil {
			return err
		}
		d := &docRef{ID: res.ID, Encrypted: res.Encrypted, Owner: owner}
		if g != nil {
			d.Groups = []*groupRef{g}
		}
		ic.pool.addDoc(d)
		return nil
	})
}

// Teardown deletes what the run made where the API allows: the groups it
// created and the devices it added to pool users. Users cannot be deleted
// through the API. It returns how many deletions failed, with the first error.
func (ic *IronCore) Teardown(ctx context.Context) (deleted, failed int, err error) {
	ic.pool.mu.Lock()
	groups, devices := ic.pool.madeGrp, ic.pool.made
	ic.pool.madeGrp, ic.pool.made = nil, nil
	ic.pool.mu.Unlock()
	note := func(e error) {
		if e == nil {
			deleted++
			return
		}
		failed++
		if err == nil {
			err = e
		}
	}
	for _, g := range groups {
		_, e := g.Admin.SDK.GroupDelete(ctx, g.ID)
		note(e)
	}
	for _, d := range devices {
		if d.owner.SDK == nil {
			continue
		}
		_, e := d.owner.SDK.DeviceDelete(ctx, d.id)
		note(e)
	}
	return deleted, failed, err
}

// savedIdentity is one identity in an identities file.
type savedIdentity struct {
	UserID   string            `json:"userId"`
	Password string            `json:"password,omitempty"`
	Device   sdk.DeviceContext `json:"device"`
}

// SaveIdentities writes the pool's users to path (mode 0600: the file holds
// device keys and passwords), for a later run's setup.from.
func (ic *IronCore) SaveIdentities(path string) error {
	ic.pool.mu.RLock()
	out := make([]savedIdentity, 0, len(ic.pool.users))
	for _, u := range ic.pool.users {
		out = append(out, savedIdentity{UserID: u.UserID, Password: u.Password, Device: u.Device})
	}
	ic.pool.mu.RUnlock()
	b, err := json.MarshalIndent(map[string]any{"identities": out}, "", " ")
	if err != nil {
		return fmt.Errorf("saving identities: %w", err)
	}
	// os.WriteFile's mode applies only to a new file: an existing one is
	// made 0600 before the keys go in.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("saving identities: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("saving identities %s: %w", path, err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("saving identities %s: %w", path, err)
	}
	return nil
}

// MaxIdentitiesSize caps the identities file LoadIdentities reads (a few
// KiB per identity).
const MaxIdentitiesSize = 256 << 20

// LoadIdentities initializes the identities saved in path and adds them to
// the pool, skipping user creation and PBKDF2. It returns how many it added.
func (ic *IronCore) LoadIdentities(ctx context.Context, path string) (int, error) {
	b, err := capped.ReadFile(path, MaxIdentitiesSize, "an identities file")
	if err != nil {
		return 0, fmt.Errorf("setup.from: %w", err)
	}
	var f struct {
		Identities []savedIdentity `json:"identities"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return 0, fmt.Errorf("setup.from %s: not an identities file: %w", path, err)
	}
	for i, s := range f.Identities {
		id := &Identity{UserID: s.UserID, Password: s.Password, Device: s.Device}
		if id.SDK, err = ic.Client.Initialize(ctx, s.Device); err != nil {
			return i, fmt.Errorf("setup.from %s: identity %d (%s): %w", path, i, s.UserID, err)
		}
		ic.pool.addUser(id)
	}
	return len(f.Identities), nil
}

// Close closes the pool's SDKs.
func (ic *IronCore) Close() {
	ic.pool.mu.Lock()
	defer ic.pool.mu.Unlock()
	for _, u := range ic.pool.users {
		if u.SDK != nil {
			u.SDK.Close()
		}
	}
}

// fill writes pseudo-random bytes into b (document contents need not be
// secret, only not trivially compressible).
func fill(r *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}

// workerRand returns the worker's own random source.
func workerRand(w *loadgen.WorkerState) *rand.Rand {
	if w == nil {
		return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if r, ok := w.Values["rand"].(*rand.Rand); ok {
		return r
	}
	r := rand.New(rand.NewPCG(uint64(w.Index), rand.Uint64()))
	if w.Values == nil {
		w.Values = map[string]any{}
	}
	w.Values["rand"] = r
	return r
}
