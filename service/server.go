package service

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// apiPrefix is where the IronCore routes are mounted (spec §1).
const apiPrefix = "/api/1/"

// DefaultClockSkew is the clock skew allowed when Config.ClockSkew is zero: how far a device
// signature's timestamp or a device-add timestamp may be behind the server's clock. The real
// service's window is not published (spec §3.2.5); five minutes is the common choice for signed
// requests.
const DefaultClockSkew = 5 * time.Minute

// DefaultFutureSkew is how far ahead of the server's clock a JWT's iat, a device signature's
// timestamp or a device-add timestamp may be when Config.FutureSkew is zero. It is well under
// the past windows (JWTLifetime, ClockSkew): a credential dated ahead would otherwise last the
// future window longer.
const DefaultFutureSkew = 30 * time.Second

// Defaults for the zero fields of Config's connection settings.
const (
	// DefaultBodyTimeout is how long a request body may take to arrive, from the end of its
	// headers, and an answer to leave, from its first byte. A 4 MiB body over loopback takes
	// milliseconds.
	DefaultBodyTimeout = 30 * time.Second
	// DefaultIdleTimeout is how long a keep-alive connection may wait for its next request. It
	// is longer than the 90 s after which Go's and reqwest's clients drop idle connections, so
	// a client never sends a request on a connection the service is closing.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxConns caps open connections: well under the usual file limit, well over what
	// a load test on one machine keeps open.
	DefaultMaxConns = 4096
)

// headerTimeout bounds how long a request's headers may take to arrive.
const headerTimeout = 10 * time.Second

// Config configures a Server. The zero value is a usable server: a freshly minted project, no
// faults, default limits and clock skew.
type Config struct {
	// Faults are injected per route; see Fault. They can be replaced later with SetFaults.
	Faults []Fault
	// Seed seeds the fault layer's random draws. Equal seeds give equal sequences of draws, in
	// the order requests reach the fault layer.
	Seed int64
	// Project is the project whose users the service serves. If nil, New mints one with
	// NewProject(crypto/rand.Reader); Server.Project returns it.
	Project *Project
	// IdentityKeys are further identity assertion public keys accepted for the project, for
	// example an RS256 key.
	IdentityKeys []IdentityKey
	// ClockSkew is how far behind the server's clock a signed request's timestamp may be; zero
	// means DefaultClockSkew.
	ClockSkew time.Duration
	// FutureSkew is how far ahead of the server's clock a JWT's iat or a signed request's
	// timestamp may be; zero means DefaultFutureSkew.
	FutureSkew time.Duration
	// ReplayWindow, when positive, turns on the replay cache for device-signed requests that
	// change state (any method but GET and HEAD): such a request must be dated within the
	// window, and one identical to a request accepted before is refused (401). Zero is off.
	ReplayWindow time.Duration
	// Limits bound the store; zero fields take defaults.
	Limits Limits
	// Now returns the current time; nil means time.Now. Tests set it to move the clock.
	Now func() time.Time
	// Policy is the project's data-labelling policy (GET policies, #28): nil means
	// DefaultPolicy(); a Policy with no rules means none, which the route answers with 404.
	Policy *Policy

	// BodyTimeout bounds how long a request body may take to arrive once its headers have,
	// and an answer to be written once it starts; zero means DefaultBodyTimeout. A late body
	// is answered 408 and its connection closed; so is the connection of an answer the client
	// does not read in time.
	BodyTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection may wait for its next request; zero
	// means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxConns caps the connections open at once; zero means DefaultMaxConns. At the cap, new
	// connections wait in the listen backlog until one closes.
	MaxConns int
}

// Server is the reference service. Its methods are safe for concurrent use.
type Server struct {
	mux     *http.ServeMux
	handler http.Handler
	counts  map[string]*atomic.Int64 // by route name; the map is fixed after New
	faults  atomic.Pointer[faultSet]
	busy    atomic.Int64 // nanoseconds in route handlers, faults not counted (BusyTime)
	rng     *lockedRand
	started atomic.Pointer[time.Time]
	done    chan struct{} // closed by Close

	project      *Project
	identityKeys map[uint32]crypto.PublicKey
	skew         time.Duration
	futureSkew   time.Duration
	replay       *replayCache // nil when off
	now          func() time.Time
	bodyTimeout  time.Duration
	idleTimeout  time.Duration
	maxConns     int
	store        *store
	policy       *Policy // read-only after New
	recrypt      *recrypt.Recrypt
	signer       recrypt.SigningKeypair // signs the values this service transforms

	mu        sync.Mutex
	httpSrv   *http.Server
	closeOnce sync.Once
	closeErr  error
	wg        sync.WaitGroup
}

// New returns a Server configured by cfg, or an error naming every invalid setting.
func New(cfg Config) (*Server, error) {
	s := &Server{
		mux:          http.NewServeMux(),
		counts:       make(map[string]*atomic.Int64),
		rng:          newLockedRand(cfg.Seed),
		done:         make(chan struct{}),
		project:      cfg.Project,
		identityKeys: make(map[uint32]crypto.PublicKey),
		skew:         cfg.ClockSkew,
		now:          cfg.Now,
		store:        newStore(cfg.Limits),
		futureSkew:   orDefault(cfg.FutureSkew, DefaultFutureSkew),
		bodyTimeout:  orDefault(cfg.BodyTimeout, DefaultBodyTimeout),
		idleTimeout:  orDefault(cfg.IdleTimeout, DefaultIdleTimeout),
		maxConns:     orDefault(cfg.MaxConns, DefaultMaxConns),
	}
	if s.skew == 0 {
		s.skew = DefaultClockSkew
	}
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	if cfg.ReplayWindow > 0 {
		s.replay = newReplayCache(cfg.ReplayWindow)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.project == nil {
		p, err := NewProject(rand.Reader)
		if err != nil {
			return nil, err
		}
		s.project = p
	}
	if s.project.Key == nil {
		return nil, errors.New("service: project has no identity assertion key")
	}
	s.identityKeys[s.project.KeyID] = &s.project.Key.PublicKey
	for _, k := range cfg.IdentityKeys {
		if err := checkIdentityKey(k); err != nil {
			return nil, fmt.Errorf("service: %w", err)
		}
		if _, dup := s.identityKeys[k.ID]; dup {
			return nil, fmt.Errorf("service: identity key %d given twice", k.ID)
		}
		s.identityKeys[k.ID] = k.PublicKey
	}
	policy, err := policyOf(cfg.Policy)
	if err != nil {
		return nil, err
	}
	s.policy = policy
	s.recrypt = recrypt.New(nil)
	signer, err := s.recrypt.GenerateEd25519KeyPair()
	if err != nil {
		return nil, fmt.Errorf("service: transform signing key: %w", err)
	}
	s.signer = signer
	now := time.Now()
	s.started.Store(&now)
	s.routes()
	s.handler = http.HandlerFunc(s.serveHTTP)
	if err := s.SetFaults(cfg.Faults); err != nil {
		return nil, err
	}
	return s, nil
}

// orDefault returns v, or def when v is zero.
func orDefault[T time.Duration | int](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// checkConfig reports every negative setting of cfg.
func checkConfig(cfg Config) error {
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"clock skew", cfg.ClockSkew}, {"future skew", cfg.FutureSkew}, {"replay window", cfg.ReplayWindow},
		{"body timeout", cfg.BodyTimeout}, {"idle timeout", cfg.IdleTimeout},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("service: %s %v is negative", d.name, d.v))
		}
	}
	if cfg.MaxConns < 0 {
		errs = append(errs, fmt.Errorf("service: max conns %d is negative", cfg.MaxConns))
	}
	l := cfg.Limits
	if l.MaxUsers < 0 || l.MaxDevices < 0 || l.MaxGroups < 0 || l.MaxDocuments < 0 {
		errs = append(errs, fmt.Errorf("service: limits %+v: negative", l))
	}
	return errors.Join(errs...)
}

// Project returns the project the server serves (minted by New if Config.Project was nil).
func (s *Server) Project() *Project { return s.project }

// handle mounts h as route name "METHOD /path", with path relative to the API prefix, under
// the request counter and the fault layer.
func (s *Server) handle(method, path string, h http.HandlerFunc) {
	name := method + " " + path
	s.mount(name, method+" "+strings.TrimSuffix(apiPrefix, "/")+path, s.withFaults(name, h))
}

// mount registers pattern on the mux, counting requests under route name.
func (s *Server) mount(name, pattern string, h http.Handler) {
	c, ok := s.counts[name]
	if !ok {
		c = new(atomic.Int64)
		s.counts[name] = c
	}
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.Add(1)
		h.ServeHTTP(w, r)
	}))
}

// Handler returns the server's HTTP handler, for mounting in another server or in
// httptest.NewServer. Stalls started through it end when the request ends or Close is called.
func (s *Server) Handler() http.Handler { return s.handler }

// Requests returns how many requests have arrived on each route so far, by route name,
// counted before any fault is applied. Routes with no requests are included with zero.
func (s *Server) Requests() map[string]int64 {
	m := make(map[string]int64, len(s.counts))
	for name, c := range s.counts {
		m[name] = c.Load()
	}
	return m
}

// Count returns how many requests have arrived on route (a name from Routes); zero for an
// unknown route.
func (s *Server) Count(route string) int64 {
	if c, ok := s.counts[route]; ok {
		return c.Load()
	}
	return 0
}

// SetFaults validates faults and, if they are all valid, replaces the server's faults with
// them; requests already past the fault layer are not affected. On error the old faults stay.
func (s *Server) SetFaults(faults []Fault) error {
	if err := ValidateFaults(faults, s.knownRoute); err != nil {
		return fmt.Errorf("service: invalid faults: %w", err)
	}
	s.faults.Store(newFaultSet(faults, s.isRoute))
	return nil
}

// Faults returns a copy of the faults in force.
func (s *Server) Faults() []Fault {
	fs := s.faults.Load()
	if fs == nil {
		return nil
	}
	return append([]Fault(nil), fs.faults...)
}

// isRoute reports whether name is a route name.
func (s *Server) isRoute(name string) bool {
	_, ok := s.counts[name]
	return ok
}

// knownRoute reports whether a fault route "method path" names a route or a concrete path that
// some route serves.
func (s *Server) knownRoute(method, path string) bool {
	if s.isRoute(method + " " + path) {
		return true
	}
	for _, p := range []string{strings.TrimSuffix(apiPrefix, "/") + path, path} {
		r, err := http.NewRequest(method, "http://127.0.0.1"+p, nil)
		if err != nil {
			continue
		}
		if _, pattern := s.mux.Handler(r); pattern != "" {
			return true
		}
	}
	return false
}

// startTime is when stall windows are measured from: Start, or New if never started.
func (s *Server) startTime() time.Time { return *s.started.Load() }

// Start listens on addr (for example "127.0.0.1:0") and serves until ctx is done or Close is
// called. It returns the API base URL, such as "http://127.0.0.1:41234/api/1/". A Server can be
// started once.
func (s *Server) Start(ctx context.Context, addr string) (baseURL string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return "", errors.New("service: start: server is closed")
	default:
	}
	if s.httpSrv != nil {
		return "", errors.New("service: start: already started")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("service: start: %w", err)
	}
	ln = newLimitListener(ln, s.maxConns)
	now := time.Now()
	s.started.Store(&now)
	// No ReadTimeout: it would also cancel the context of a request held by a fault longer
	// than the timeout. The front handler puts a deadline on the body instead.
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: headerTimeout, IdleTimeout: s.idleTimeout}
	s.httpSrv = srv
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(ln) // returns ErrServerClosed after Close; other errors end serving the same way
	}()
	go func() {
		defer s.wg.Done()
		select {
		case <-ctx.Done():
			s.shutdown()
		case <-s.done:
		}
	}()
	return "http://" + ln.Addr().String() + apiPrefix, nil
}

// Close stops the server: held requests are released, the listener and connections are
// closed, and Close returns once every goroutine Start began has ended. It is safe to call more
// than once and after ctx given to Start is done.
func (s *Server) Close() error {
	s.shutdown()
	s.wg.Wait()
	return s.closeErr
}

// shutdown closes done and stops the HTTP server, once.
func (s *Server) shutdown() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.mu.Lock()
		srv := s.httpSrv
		s.mu.Unlock()
		if srv == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			s.closeErr = errors.Join(fmt.Errorf("service: close: %w", err), srv.Close())
		}
	})
}
