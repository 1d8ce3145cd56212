package ops

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops/internal/http1"
)

// Do sends the request once and drains the response. A plain-HTTP request
// to an IP address, on a client that adds nothing to it (no proxy for the
// target, no cookie jar, no redirect policy of its own, no compression),
// is exchanged directly on the worker's own kept-alive connection (package
// http1); any other goes through the client.
func (o *httpOp) Do(ctx context.Context, it *loadgen.Iteration) error {
	c := o.call(ctx, it)
	if o.direct != nil {
		return c.doDirect(ctx, o, it)
	}
	c.trace.reset(it)
	req := c.newRequest(o)
	if c.timer != nil {
		c.timer.Reset(o.timeout)
	}
	c.trace.begin()
	resp, err := o.client.Do(req)
	if err != nil {
		c.trace.end()
		timedOut := c.release(o, it)
		if timedOut {
			return fmt.Errorf("http %s %s: no response within the %s timeout: %w", o.method, o.url, o.timeout, context.DeadlineExceeded)
		}
		return fmt.Errorf("http %s %s: %w", o.method, o.url, err)
	}
	_, cerr := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c.trace.end()
	timedOut := c.release(o, it)
	it.SetStatus(resp.StatusCode)
	if cerr != nil {
		if timedOut {
			return fmt.Errorf("http %s %s: reading body: not done within the %s timeout: %w", o.method, o.url, o.timeout, context.DeadlineExceeded)
		}
		return fmt.Errorf("http %s %s: reading body: %w", o.method, o.url, cerr)
	}
	if !o.expected(resp.StatusCode) {
		return &StatusError{Method: o.method, URL: o.url, Status: resp.StatusCode}
	}
	return nil
}

// httpCall is what one worker reuses from one request of an op to the
// next. On the net/http path: the phase trace, the context that carries it
// with the worker's own cancel (which the timeout's timer calls) and the
// op's request bound to that context. On the direct path: the worker's
// http1.Client, its connection and all. It belongs to the worker's
// goroutine; the trace's hooks and the timer may run on others.
type httpCall struct {
	trace  phaseTrace
	done   <-chan struct{} // the Done channel of the context ctx derives from
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer   // calls cancel at the timeout; nil without one
	req    *http.Request // o.tmpl with ctx

	direct *http1.Client // nil on the net/http path
	it     *loadgen.Iteration
}

// httpCallsKey is the key of WorkerState.Values under which a worker keeps
// its httpCall of each http op.
const httpCallsKey = "ops.http"

// calls returns the worker's httpCalls, by op; nil without a WorkerState.
func calls(it *loadgen.Iteration) map[*httpOp]*httpCall {
	if it.Worker == nil {
		return nil
	}
	m, ok := it.Worker.Values[httpCallsKey].(map[*httpOp]*httpCall)
	if !ok {
		if it.Worker.Values == nil {
			it.Worker.Values = map[string]any{}
		}
		m = map[*httpOp]*httpCall{}
		it.Worker.Values[httpCallsKey] = m
	}
	return m
}

// call returns the worker's httpCall for o, making one if the worker has
// none, or has one for a context with another Done channel (a worker runs
// all its iterations under one context, so this happens only when a caller
// switches contexts; values of the new context other than its cancellation
// are not looked at). An iteration without a WorkerState (a test calling
// Do directly) gets a new one each time.
func (o *httpOp) call(ctx context.Context, it *loadgen.Iteration) *httpCall {
	m := calls(it)
	if c, ok := m[o]; ok {
		if c.done == ctx.Done() {
			return c
		}
		c.drop()
	}
	c := &httpCall{done: ctx.Done()}
	if o.direct != nil {
		// New checked the request when the op was built (newDirect).
		c.direct, _ = http1.New(o.direct.req, o.direct.opts)
	}
	c.trace.names = &o.names
	// The worker's own cancelable context: net/http hangs each request's
	// context on it, under its lock, rather than on the run's context,
	// whose lock every worker would share.
	cctx, cancel := context.WithCancelCause(c.trace.context(ctx))
	c.cancel = cancel
	if o.timeout > 0 {
		c.timer = time.AfterFunc(o.timeout, func() { cancel(context.DeadlineExceeded) })
		c.timer.Stop()
	}
	c.ctx = cctx
	c.req = o.tmpl.WithContext(cctx)
	if m != nil {
		m[o] = c
	}
	return c
}

// newRequest returns a copy of the op's request for one call. The copy is
// shallow: URL and headers are shared and read-only (but for a client with
// a cookie jar, which adds its cookies to the request's headers).
func (c *httpCall) newRequest(o *httpOp) *http.Request {
	req := new(http.Request)
	*req = *c.req
	if req.GetBody != nil {
		req.Body, _ = req.GetBody() // bytes.Reader bodies never fail
	}
	if o.client.Jar != nil {
		req.Header = req.Header.Clone()
	}
	return req
}

// release ends a request's use of c: it stops the timeout's timer and
// reports whether the timer had fired. If the timer fired, a hook of the
// request may still run or no worker keeps c, c is dropped (its context
// canceled) and the worker's next request gets a new one.
func (c *httpCall) release(o *httpOp, it *loadgen.Iteration) (timedOut bool) {
	if c.timer != nil {
		timedOut = !c.timer.Stop()
	}
	if !timedOut && c.trace.quiescent() {
		if m := calls(it); m != nil && m[o] == c {
			return false
		}
	}
	c.forget(o, it)
	return timedOut
}

// forget drops c and removes it from the worker's httpCalls, if there.
func (c *httpCall) forget(o *httpOp, it *loadgen.Iteration) {
	c.drop()
	if m := calls(it); m != nil && m[o] == c {
		delete(m, o)
	}
}

// drop ends c's use: it closes its direct connection, detaches the trace,
// stops the timer and cancels c's context, so the context no longer hangs
// on its parent.
func (c *httpCall) drop() {
	if c.direct != nil {
		c.direct.Close()
	}
	c.trace.detach()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.cancel(context.Canceled)
}
