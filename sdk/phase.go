package sdk

import (
	"context"
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"
)

// PhaseFunc receives one phase of an operation: the named interval [start,
// end). It may be called from several goroutines at once (an operation may
// run calls concurrently, and httptrace hooks run on the transport's
// goroutines), so it must be safe for concurrent use.
type PhaseFunc func(name string, start, end time.Time)

// RetryFunc receives one retry of an HTTP call: the call name, the retry's
// number (1 for the first retry), the status that caused it (0 for a
// transport error) and the time waited before it.
type RetryFunc func(call string, retry int, status int, wait time.Duration)

// StatusFunc receives the final HTTP status of each call an operation makes.
type StatusFunc func(call string, status int)

type phaseKey struct{}
type retryKey struct{}
type statusKey struct{}

// WithPhaseHook returns a context whose operations report their phases to f.
// Names are "crypto:<step>" for client-side cryptography (including
// "crypto:request_sig", the two Ed25519 signatures of a device-signed
// request before its first attempt), "http:<call>" for
// an HTTP call from the first request to the last byte of the final response
// (retries included), and "http:<call>/<part>" for the parts of each attempt:
// dns, connect, tls, wait (request written to first response byte), read
// (first byte to last) and retry_wait (backoff before a retry).
func WithPhaseHook(ctx context.Context, f PhaseFunc) context.Context {
	return context.WithValue(ctx, phaseKey{}, f)
}

// WithRetryHook returns a context whose HTTP calls report each retry to f.
func WithRetryHook(ctx context.Context, f RetryFunc) context.Context {
	return context.WithValue(ctx, retryKey{}, f)
}

// WithStatusHook returns a context whose HTTP calls report their final
// status to f.
func WithStatusHook(ctx context.Context, f StatusFunc) context.Context {
	return context.WithValue(ctx, statusKey{}, f)
}

func phaseHook(ctx context.Context) PhaseFunc {
	f, _ := ctx.Value(phaseKey{}).(PhaseFunc)
	return f
}

func retryHook(ctx context.Context) RetryFunc {
	f, _ := ctx.Value(retryKey{}).(RetryFunc)
	return f
}

func statusHook(ctx context.Context) StatusFunc {
	f, _ := ctx.Value(statusKey{}).(StatusFunc)
	return f
}

// timed runs fn as the phase name and reports it to ctx's hook.
func timed[T any](ctx context.Context, name string, fn func() (T, error)) (T, error) {
	f := phaseHook(ctx)
	if f == nil {
		return fn()
	}
	start := time.Now()
	v, err := fn()
	f(name, start, time.Now())
	return v, err
}

// timed2 is timed for functions with two results.
func timed2[T, U any](ctx context.Context, name string, fn func() (T, U, error)) (T, U, error) {
	f := phaseHook(ctx)
	if f == nil {
		return fn()
	}
	start := time.Now()
	v, w, err := fn()
	f(name, start, time.Now())
	return v, w, err
}

// attemptTrace records the sub-phases of one HTTP call's attempts. Its
// httptrace hooks may run concurrently, hence the mutex.
type attemptTrace struct {
	hook   PhaseFunc
	prefix string // "http:<call>/"

	mu        sync.Mutex
	dnsStart  time.Time
	connStart map[string]time.Time
	tlsStart  time.Time
	wrote     time.Time
	firstByte time.Time
}

func newAttemptTrace(hook PhaseFunc, call string) *attemptTrace {
	return &attemptTrace{hook: hook, prefix: "http:" + call + "/"}
}

func (a *attemptTrace) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) {
			a.mu.Lock()
			a.dnsStart = time.Now()
			a.mu.Unlock()
		},
		DNSDone: func(httptrace.DNSDoneInfo) {
			a.mu.Lock()
			s := a.dnsStart
			a.mu.Unlock()
			if !s.IsZero() {
				a.hook(a.prefix+"dns", s, time.Now())
			}
		},
		ConnectStart: func(network, addr string) {
			a.mu.Lock()
			if a.connStart == nil {
				a.connStart = make(map[string]time.Time, 1)
			}
			a.connStart[network+" "+addr] = time.Now()
			a.mu.Unlock()
		},
		ConnectDone: func(network, addr string, _ error) {
			a.mu.Lock()
			s, ok := a.connStart[network+" "+addr]
			delete(a.connStart, network+" "+addr)
			a.mu.Unlock()
			if ok {
				a.hook(a.prefix+"connect", s, time.Now())
			}
		},
		TLSHandshakeStart: func() {
			a.mu.Lock()
			a.tlsStart = time.Now()
			a.mu.Unlock()
		},
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			a.mu.Lock()
			s := a.tlsStart
			a.mu.Unlock()
			if !s.IsZero() {
				a.hook(a.prefix+"tls", s, time.Now())
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			a.mu.Lock()
			a.wrote = time.Now()
			a.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			now := time.Now()
			a.mu.Lock()
			a.firstByte = now
			w := a.wrote
			a.mu.Unlock()
			if !w.IsZero() {
				a.hook(a.prefix+"wait", w, now)
			}
		},
	}
}

// done reports the read sub-phase of the attempt that produced the final
// response, whose body has just been read, and resets for the next attempt.
func (a *attemptTrace) done(end time.Time) {
	a.mu.Lock()
	fb := a.firstByte
	a.firstByte, a.wrote, a.dnsStart, a.tlsStart = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	a.mu.Unlock()
	if !fb.IsZero() {
		a.hook(a.prefix+"read", fb, end)
	}
}

// reset forgets an attempt that is being retried, reporting the read of its
// discarded response up to now.
func (a *attemptTrace) reset(now time.Time) { a.done(now) }
