package service

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// faultSet is an immutable, validated list of faults with their matchers. A Server swaps whole
// sets atomically, so a request sees either the old list or the new one.
type faultSet struct {
	faults []Fault
	match  []faultMatcher
	setAt  time.Time // stall windows count from the later of this and Start
}

// faultMatcher selects requests for one fault.
type faultMatcher struct {
	all    bool   // "*"
	route  string // a route name, "METHOD /pattern"
	method string // with path: a concrete request
	path   string
}

func newFaultSet(faults []Fault, isRoute func(string) bool) *faultSet {
	fs := &faultSet{faults: append([]Fault(nil), faults...), setAt: time.Now()}
	for _, f := range fs.faults {
		var m faultMatcher
		switch {
		case f.Route == "*":
			m.all = true
		case isRoute(f.Route):
			m.route = f.Route
		default:
			m.method, m.path, _ = splitRoute(f.Route)
		}
		fs.match = append(fs.match, m)
	}
	return fs
}

// matches reports whether m selects a request on route name with method and API-relative path.
func (m *faultMatcher) matches(route, method, path string) bool {
	switch {
	case m.all:
		return true
	case m.route != "":
		return m.route == route
	default:
		return m.method == method && m.path == path
	}
}

// lockedRand is a seeded generator safe for concurrent use.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(seed int64) *lockedRand {
	return &lockedRand{r: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))}
}

// Float64 returns a uniform value in [0,1).
func (l *lockedRand) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

// NormFloat64 returns a standard normal value.
func (l *lockedRand) NormFloat64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.NormFloat64()
}

// withFaults wraps h, the handler of route, with the fault layer.
func (s *Server) withFaults(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs := s.faults.Load()
		if fs == nil || len(fs.faults) == 0 {
			s.serveTimed(h, w, r)
			return
		}
		path := apiPath(r.URL.Path)
		for i := range fs.faults {
			if !fs.match[i].matches(route, r.Method, path) {
				continue
			}
			if !s.applyFault(w, r, &fs.faults[i], fs.setAt) {
				return
			}
		}
		s.serveTimed(h, w, r)
	})
}

// serveTimed runs h and adds the time it took to BusyTime.
func (s *Server) serveTimed(h http.Handler, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer func() { s.busy.Add(int64(time.Since(start))) }()
	h.ServeHTTP(w, r)
}

// BusyTime returns the time the route handlers have spent on requests so
// far, injected faults not included. Served in-process (loadgen's embedded
// target) it stands for the CPU the service takes from the load generator:
// its handlers verify signatures and transform keys.
func (s *Server) BusyTime() time.Duration { return time.Duration(s.busy.Load()) }

// applyFault applies f to one request. It reports whether the request should go on to its
// handler; false means f answered it (or the request or server ended while it was held).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, setAt time.Time) bool {
	ctx := r.Context()
	if f.Stall > 0 {
		ref := s.startTime()
		if setAt.After(ref) {
			ref = setAt
		}
		since := time.Since(ref)
		if since >= f.StallAfter && since < f.StallAfter+f.Stall {
			if !s.sleep(ctx, f.StallAfter+f.Stall-since) {
				return false
			}
		}
	}
	if f.Latency != nil {
		if d := f.Latency.sample(s.rng.Float64, s.rng.NormFloat64); d > 0 && !s.sleep(ctx, d) {
			return false
		}
	}
	if f.Reset > 0 && s.rng.Float64() < f.Reset {
		resetConn(w)
		return false
	}
	if f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate {
		if f.RetryAfter > 0 {
			secs := (f.RetryAfter + time.Second - 1) / time.Second
			w.Header().Set("Retry-After", strconv.FormatInt(int64(secs), 10))
		}
		status := f.status()
		writeErrors(w, status, apiError{Message: "injected fault: " + http.StatusText(status), Code: codeInjectedFault})
		return false
	}
	return true
}

// sleep waits for d, or until ctx is done or the server closes; it reports whether d elapsed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// resetConn closes the request's connection abruptly so the client sees a reset. On HTTP/2,
// where the connection cannot be taken over, it aborts the stream instead.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
		_ = tc.SetLinger(0) // the RST is the point; a failure here still closes the connection
	}
	_ = conn.Close()
}

// apiPath strips the API prefix from an URL path, so "/api/1/users" becomes "/users".
func apiPath(p string) string {
	if rest, ok := strings.CutPrefix(p, apiPrefix); ok {
		return "/" + rest
	}
	return p
}
