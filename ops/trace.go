package ops

import (
	"context"
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// phaseTrace turns one request's httptrace events into phases of the
// current op: name (the whole call) and name/dns, /connect, /tls, /wait
// (request written to first response byte) and /read (first byte to the
// end of the body). httptrace hooks may run concurrently (dual-stack dials),
// so the trace locks around its state.
type phaseTrace struct {
	it   *loadgen.Iteration
	name string

	mu                         sync.Mutex
	start, dns, connect, tlsT  time.Time
	wrote, firstByte           time.Time
	dnsName, connName, tlsName string
	waitName, readName         string
}

func newPhaseTrace(it *loadgen.Iteration, name string) *phaseTrace {
	return &phaseTrace{
		it: it, name: name,
		dnsName: name + "/dns", connName: name + "/connect", tlsName: name + "/tls",
		waitName: name + "/wait", readName: name + "/read",
	}
}

func (t *phaseTrace) context(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) { t.mark(&t.dns) },
		DNSDone:  func(httptrace.DNSDoneInfo) { t.phase(t.dnsName, &t.dns) },
		ConnectStart: func(string, string) {
			t.mark(&t.connect)
		},
		ConnectDone:       func(string, string, error) { t.phase(t.connName, &t.connect) },
		TLSHandshakeStart: func() { t.mark(&t.tlsT) },
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			t.phase(t.tlsName, &t.tlsT)
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.mark(&t.wrote) },
		GotFirstResponseByte: func() { t.firstByteAt(time.Now()) },
	})
}

func (t *phaseTrace) begin() { t.start = time.Now() }

func (t *phaseTrace) mark(at *time.Time) {
	now := time.Now()
	t.mu.Lock()
	*at = now
	t.mu.Unlock()
}

// phase ends the phase whose start is *at, if it started.
func (t *phaseTrace) phase(name string, at *time.Time) {
	now := time.Now()
	t.mu.Lock()
	start := *at
	*at = time.Time{}
	t.mu.Unlock()
	if !start.IsZero() {
		t.it.Phase(name, start, now)
	}
}

func (t *phaseTrace) firstByteAt(now time.Time) {
	t.mu.Lock()
	t.firstByte = now
	wrote := t.wrote
	t.mu.Unlock()
	if !wrote.IsZero() {
		t.it.Phase(t.waitName, wrote, now)
	}
}

// end closes the whole call and its read phase.
func (t *phaseTrace) end() {
	now := time.Now()
	t.mu.Lock()
	fb := t.firstByte
	t.mu.Unlock()
	if !fb.IsZero() {
		t.it.Phase(t.readName, fb, now)
	}
	t.it.Phase(t.name, t.start, now)
}
