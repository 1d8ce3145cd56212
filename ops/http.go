package ops

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// HTTPEntry is the catalog entry of the raw http op: one request to the
// target, its status checked against expect_status.
func HTTPEntry() *Entry {
	return &Entry{
		Name: "http",
		Help: "one raw HTTP request to the target",
		Fields: []Field{
			{Name: "method", Kind: String, Help: "HTTP method, default GET"},
			{Name: "url", Kind: String, Required: true, Help: "path relative to target.url (\"health\", \"/health\") or an absolute URL on the target's host"},
			{Name: "headers", Kind: StringMap, Help: "request headers"},
			{Name: "body", Kind: String, Help: "request body"},
			{Name: "expect_status", Kind: IntList, Help: "statuses that count as success, default any 2xx"},
		},
		New: newHTTPOp,
	}
}

// httpOp is one configured request. It is shared by all workers and
// immutable after construction; each worker keeps its own reusable state
// for it (an httpCall) in its WorkerState.
type httpOp struct {
	client  *http.Client // the target's client without its Timeout
	timeout time.Duration
	method  string
	url     string
	header  http.Header
	body    []byte
	expect  []int64 // nil: any 2xx

	tmpl  *http.Request // the request every call copies
	names phaseNames
	key   string // this op's key in WorkerState.Values
}

func newHTTPOp(env *Env, args Args) (loadgen.Op, error) {
	if env == nil || env.Target == nil {
		return nil, fmt.Errorf("http op: no target")
	}
	client := env.Client
	if client == nil {
		client = NewHTTPClient(env.Timeout, false)
	}
	// The op enforces the client's Timeout itself, with one reusable timer
	// per worker, instead of the per-request deadline context http.Client
	// would make (a dozen allocations and a lock shared by every worker).
	c := *client
	c.Timeout = 0
	op := &httpOp{client: &c, timeout: client.Timeout, method: http.MethodGet, names: newPhaseNames("http:request")}
	op.key = fmt.Sprintf("ops.http:%p", op)
	if m, ok := args["method"].(string); ok && m != "" {
		if !validMethod(m) {
			return nil, &FieldError{Field: "method", Msg: fmt.Sprintf("%q is not an HTTP method; want GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", m)}
		}
		op.method = strings.ToUpper(m)
	}
	raw, _ := args["url"].(string)
	u, err := ResolveURL(env.Target, raw)
	if err != nil {
		return nil, &FieldError{Field: "url", Msg: err.Error()}
	}
	op.url = u.String()
	if h, ok := args["headers"].(map[string]string); ok && len(h) > 0 {
		op.header = make(http.Header, len(h))
		for k, v := range h {
			op.header.Set(k, v)
		}
	}
	if b, ok := args["body"].(string); ok {
		op.body = []byte(b)
	}
	if ex, ok := args["expect_status"].([]int64); ok {
		for _, s := range ex {
			if s < 100 || s > 599 {
				return nil, &FieldError{Field: "expect_status", Msg: fmt.Sprintf("%d is not an HTTP status; want 100..599", s)}
			}
		}
		op.expect = ex
	}
	var body io.Reader
	if op.body != nil {
		body = bytes.NewReader(op.body)
	}
	op.tmpl, err = http.NewRequest(op.method, op.url, body)
	if err != nil {
		return nil, &FieldError{Field: "url", Msg: err.Error()}
	}
	// Every request shares the header map, read-only: net/http copies a
	// request before it changes its headers (but for a cookie jar; see
	// newRequest). A non-nil map also spares http.Client a copy.
	op.tmpl.Header = make(http.Header, len(op.header))
	for k, v := range op.header {
		op.tmpl.Header[k] = v
	}
	// The Host header comes from the URL either way; an empty Host spares
	// http.Client a copy of the URL per request.
	op.tmpl.Host = ""
	return op, nil
}

func validMethod(m string) bool {
	switch strings.ToUpper(m) {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// ResolveURL resolves ref against the target base URL. A relative ref
// ("health", "/health") is taken relative to the base's path; an absolute
// ref must be on the target's scheme and host (a load test never strays to
// another host).
func ResolveURL(base *url.URL, ref string) (*url.URL, error) {
	if ref == "" {
		return nil, fmt.Errorf("empty url; want a path such as /health or an absolute URL on %s", base.Host)
	}
	r, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", ref, err)
	}
	if r.IsAbs() {
		if r.Host != base.Host || r.Scheme != base.Scheme {
			return nil, fmt.Errorf("%q is not on the target %s://%s; a step may only call the target's host", ref, base.Scheme, base.Host)
		}
		return r, nil
	}
	if r.Host != "" {
		return nil, fmt.Errorf("%q names a host; use a path, or an absolute URL on %s", ref, base.Host)
	}
	// "/health" and "health" both mean base path + health, so a target of
	// http://host/api/1/ keeps its prefix.
	rel := *r
	rel.Path = strings.TrimPrefix(r.Path, "/")
	return base.ResolveReference(&rel), nil
}

// Do sends the request once and drains the response.
func (o *httpOp) Do(ctx context.Context, it *loadgen.Iteration) error {
	c := o.call(ctx, it)
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
// next: the phase trace, the context that carries it with the worker's own
// cancel (which the timeout's timer calls) and the op's request bound to
// that context. It belongs to the worker's goroutine; the trace's hooks and the
// timer may run on others.
type httpCall struct {
	trace  phaseTrace
	parent context.Context // what ctx derives from
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer   // calls cancel at the timeout; nil without one
	req    *http.Request // o.tmpl with ctx
}

// call returns the worker's httpCall for o, making one if the worker has
// none, or none for ctx. An iteration without a WorkerState (a test calling
// Do directly) gets a new one each time.
func (o *httpOp) call(ctx context.Context, it *loadgen.Iteration) *httpCall {
	var vals map[string]any
	if it.Worker != nil {
		vals = it.Worker.Values
	}
	if c, ok := vals[o.key].(*httpCall); ok {
		if sameContext(c.parent, ctx) {
			return c
		}
		c.drop()
	}
	c := &httpCall{parent: ctx}
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
	if vals != nil {
		vals[o.key] = c
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
	kept := it.Worker != nil && it.Worker.Values[o.key] == c
	if kept && !timedOut && c.trace.quiescent() {
		return false
	}
	c.drop()
	if kept {
		delete(it.Worker.Values, o.key)
	}
	return timedOut
}

// drop ends c's use: it detaches the trace, stops the timer and cancels
// c's context, so the context no longer hangs on its parent.
func (c *httpCall) drop() {
	c.trace.detach()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.cancel(context.Canceled)
}

// sameContext reports whether a and b are the same context, without
// panicking on a context type that is not comparable.
func sameContext(a, b context.Context) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta != nil && ta.Comparable() && a == b
}

func (o *httpOp) expected(code int) bool {
	if o.expect == nil {
		return code >= 200 && code < 300
	}
	for _, s := range o.expect {
		if int64(code) == s {
			return true
		}
	}
	return false
}

// StatusError is an HTTP response whose status was not expected.
type StatusError struct {
	Method, URL string
	Status      int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("http %s %s: unexpected status %d", e.Method, e.URL, e.Status)
}

// HTTPStatus returns the response status.
func (e *StatusError) HTTPStatus() int { return e.Status }

// NewHTTPClient returns a client on a transport tuned for load: keep-alive
// with enough idle connections per host for many workers, no response
// compression, and timeout as the whole-request limit (0 = none). With
// insecure, TLS certificates are not verified.
func NewHTTPClient(timeout time.Duration, insecure bool) *http.Client {
	t := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   10000,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		ForceAttemptHTTP2:     true,
	}
	if insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &http.Client{Transport: t, Timeout: timeout}
}
