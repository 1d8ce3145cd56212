package ops

import (
	"context"
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// phaseNames are the phases of one traced call: the whole call and its
// sub-phases /dns, /connect, /tls, /write (connection in hand to request
// written), /wait (request written to first response byte) and /read
// (first byte to the end of the body). An op builds them once, so tracing
// a request does not build strings.
type phaseNames struct {
	call, dns, connect, tls, write, wait, read string
}

func newPhaseNames(name string) phaseNames {
	return phaseNames{
		call: name, dns: name + "/dns", connect: name + "/connect", tls: name + "/tls",
		write: name + "/write", wait: name + "/wait", read: name + "/read",
	}
}

// phaseTrace turns one request's httptrace events into phases of the
// current op. httptrace hooks may run concurrently (dual-stack dials) and,
// for a dial, after the request is over, so the trace locks around its
// state.
//
// One worker may reuse a trace, and the context carrying it, for its next
// request once the trace is quiescent (see reset): then tracing a request
// allocates nothing.
type phaseTrace struct {
	names *phaseNames

	mu                     sync.Mutex
	it                     *loadgen.Iteration
	start, dns, connect    time.Time
	tlsT, wrote, firstByte time.Time
	gotConnAt              time.Time
	idleConn               bool // GotConn: an idle connection, handed over at once
}

// context returns ctx carrying t's hooks. The hooks are bound to t, not to
// one request: reset points them at the next one.
func (t *phaseTrace) context(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) { t.mark(&t.dns) },
		DNSDone:  func(httptrace.DNSDoneInfo) { t.phase(t.names.dns, &t.dns) },
		ConnectStart: func(string, string) {
			t.mark(&t.connect)
		},
		ConnectDone:       func(string, string, error) { t.phase(t.names.connect, &t.connect) },
		TLSHandshakeStart: func() { t.mark(&t.tlsT) },
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			t.phase(t.names.tls, &t.tlsT)
		},
		GotConn:              t.gotConn,
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.wroteRequest(time.Now()) },
		GotFirstResponseByte: func() { t.firstByteAt(time.Now()) },
	})
}

// reset points t at the next request, made in it. Only a quiescent trace
// may be reset: see quiescent.
func (t *phaseTrace) reset(it *loadgen.Iteration) {
	t.mu.Lock()
	t.it = it
	t.start, t.dns, t.connect, t.tlsT, t.wrote, t.firstByte, t.gotConnAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	t.idleConn = false
	t.mu.Unlock()
}

// quiescent reports whether no hook of the request just ended can still
// run, so the trace may be reset for another. That holds when the request
// got an idle connection at once (net/http then starts no dial, whose hooks
// could come late) and both the request-written and first-byte hooks have
// run (the last ones a request on an open connection calls). Otherwise the
// trace is dropped and the next request gets a new one.
func (t *phaseTrace) quiescent() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.idleConn && !t.wrote.IsZero() && !t.firstByte.IsZero()
}

func (t *phaseTrace) gotConn(info httptrace.GotConnInfo) {
	now := time.Now()
	t.mu.Lock()
	t.idleConn = info.WasIdle
	t.gotConnAt = now
	t.mu.Unlock()
}

// wroteRequest ends the write phase, from the connection in hand to the
// request written.
func (t *phaseTrace) wroteRequest(now time.Time) {
	t.mu.Lock()
	t.wrote = now
	got, it := t.gotConnAt, t.it
	t.mu.Unlock()
	if !got.IsZero() && it != nil {
		it.Phase(t.names.write, got, now)
	}
}

func (t *phaseTrace) begin() {
	now := time.Now()
	t.mu.Lock()
	t.start = now
	t.mu.Unlock()
}

func (t *phaseTrace) mark(at *time.Time) {
	now := time.Now()
	t.mu.Lock()
	*at = now
	t.mu.Unlock()
}

// detach cuts t from its iteration: hooks that still run (a dial
// finishing after its request ended) record nothing into a later op.
func (t *phaseTrace) detach() {
	t.mu.Lock()
	t.it = nil
	t.mu.Unlock()
}

// phase ends the phase whose start is *at, if it started.
func (t *phaseTrace) phase(name string, at *time.Time) {
	now := time.Now()
	t.mu.Lock()
	start := *at
	*at = time.Time{}
	it := t.it
	t.mu.Unlock()
	if !start.IsZero() && it != nil {
		it.Phase(name, start, now)
	}
}

func (t *phaseTrace) firstByteAt(now time.Time) {
	t.mu.Lock()
	t.firstByte = now
	wrote, it := t.wrote, t.it
	t.mu.Unlock()
	if !wrote.IsZero() && it != nil {
		it.Phase(t.names.wait, wrote, now)
	}
}

// end closes the whole call and its read phase.
func (t *phaseTrace) end() {
	now := time.Now()
	t.mu.Lock()
	fb, start, it := t.firstByte, t.start, t.it
	t.mu.Unlock()
	if !fb.IsZero() {
		it.Phase(t.names.read, fb, now)
	}
	it.Phase(t.names.call, start, now)
}
