package ops

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// HTTPEntry is the catalog entry of the raw http op: one request to the
// target, its status checked against expect_status.
func HTTPEntry() *Entry {
	fields := []Field{
		{Name: "method", Kind: String, Help: "HTTP method, default GET", Check: checkMethod},
		{Name: "url", Kind: String, Required: true, Help: "path relative to target.url (\"health\", \"/health\") or an absolute URL on the target's host"},
		{Name: "headers", Kind: StringMap, Help: "request headers"},
		{Name: "body", Kind: String, Help: "request body"},
		{Name: "expect_status", Kind: IntList, Help: "statuses that count as success, default any 2xx", Check: checkStatuses},
	}
	return &Entry{
		Name:   "http",
		Help:   "one raw HTTP request to the target",
		Fields: fields,
		New: func(env *Env, args Args) (loadgen.Op, error) {
			if env == nil || env.Target == nil {
				return nil, fmt.Errorf("http op: no target")
			}
			if err := checkArgs(fields, args); err != nil {
				return nil, err
			}
			return newHTTPOp(env, args)
		},
	}
}

// checkMethod is the check of the http op's method field.
func checkMethod(v any) error {
	if m, _ := v.(string); m != "" && !validMethod(m) {
		return fmt.Errorf("%q is not an HTTP method; want GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", m)
	}
	return nil
}

// checkStatuses is the check of the http op's expect_status field.
func checkStatuses(v any) error {
	ss, _ := v.([]int64)
	for _, s := range ss {
		if s < 100 || s > 599 {
			return fmt.Errorf("%d is not an HTTP status; want 100..599", s)
		}
	}
	return nil
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

	target *url.URL // redirects must stay on its scheme and host

	tmpl  *http.Request // the request every call copies
	names phaseNames
	key   string // this op's key in WorkerState.Values

	// direct is the op's HTTP/1.1 exchange on a worker's own connection,
	// nil when the request must go through net/http (see newDirect).
	direct *direct
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
		op.method = strings.ToUpper(m) // checkMethod checked it
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
		op.expect = ex // checkStatuses checked them
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
	op.direct = newDirect(op, u)
	// Redirects are followed only on the target (after newDirect, which
	// leaves a client's own redirect policy to net/http): a load test
	// never strays to another host, nor takes the step's headers there.
	op.target = env.Target
	op.client.CheckRedirect = onTargetRedirects(env.Target, op.client.CheckRedirect)
	return op, nil
}

// onTargetRedirects returns a redirect policy that refuses a redirect off
// the target's scheme and host, then applies next (nil: net/http's
// default, at most 10 redirects).
func onTargetRedirects(target *url.URL, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if err := checkOnTarget(target, req.URL); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// checkOnTarget refuses a redirect to u unless u is on the target's scheme
// and host (ResolveURL's rule for a step's url).
func checkOnTarget(target, u *url.URL) error {
	if target == nil || (u.Scheme == target.Scheme && u.Host == target.Host) {
		return nil
	}
	return fmt.Errorf("redirect to %s refused: not on the target %s://%s; a step may only call the target's host", u.Redacted(), target.Scheme, target.Host)
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

// Do sends the request once and drains the response. A plain-HTTP request
// to an IP address, on a client that adds nothing to it (no proxy for the
// target, no cookie jar, no redirect policy but the default, no
// compression), is exchanged directly on the worker's own kept-alive
// connection (see direct); any other goes through the client.
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

	// The direct path's connection, its reader, and the stop of the
	// context.AfterFunc that unblocks it when the worker's context ends.
	conn      net.Conn
	br        *bufio.Reader
	stopAfter func() bool
	lastUsed  time.Time // when conn last finished a response
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
	c.closeConn()
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

// direct is an http op's request exchanged straight on a worker's own
// connection, the way wrk does: the request's bytes are built once, written
// with one write(2), and the response is parsed from the connection's
// buffered reader on the worker's goroutine. net/http would hand each
// request to two goroutines of its own and allocate some forty times; this
// path does neither, and is what makes a loopback load test cost the
// generator less CPU than the target.
//
// It keeps net/http's behaviour where an op can tell: the same request
// bytes in the same order, the client's Timeout for the whole exchange,
// Content-Length, chunked and read-to-close bodies, 1xx responses skipped,
// redirects followed (the first hop here, the rest by the client, which
// allows ten more), and a kept-alive connection that the target closed
// redialed with the request sent again, for a request net/http would send
// again. A request it would not gets a connection used within the last
// directMaxIdle, else a new one: net/http's read loop notices a closed idle
// connection at once; this path notices only when it writes.
type direct struct {
	addr       string // host:port to dial
	req        []byte // the whole request: line, headers, body
	head       bool   // HEAD: responses have no body
	replayable bool   // net/http would send it again on a closed connection
	dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	// maxIdle is how long a connection may have been idle and still carry
	// a request that is not replayable (see exchange).
	maxIdle time.Duration
}

// directMaxIdle is direct.maxIdle: well under the shortest idle timeout
// common servers use (Node.js: 5 s).
const directMaxIdle = time.Second

// newDirect returns o's direct path, or nil if the request needs what only
// net/http does: TLS, a proxy, DNS (a host name), cookies, a redirect
// policy, compression, a cap on connections, or headers that change how the
// exchange runs.
func newDirect(o *httpOp, u *url.URL) *direct {
	c := o.client
	if u.Scheme != "http" || u.User != nil || net.ParseIP(u.Hostname()) == nil || c.Jar != nil || c.CheckRedirect != nil {
		return nil
	}
	var t *http.Transport
	switch rt := c.Transport.(type) {
	case nil:
		t, _ = http.DefaultTransport.(*http.Transport)
	case *http.Transport:
		t = rt
	}
	if t == nil || !t.DisableCompression || t.DisableKeepAlives || t.MaxConnsPerHost != 0 || t.Dial != nil || t.OnProxyConnectResponse != nil ||
		t.ResponseHeaderTimeout != 0 || t.MaxResponseHeaderBytes != 0 || t.GetProxyConnectHeader != nil {
		return nil
	}
	if t.Proxy != nil {
		if p, err := t.Proxy(o.tmpl); err != nil || p != nil {
			return nil
		}
	}
	for k, vs := range o.header {
		switch k {
		case "Host", "Connection", "Expect", "Transfer-Encoding", "Content-Length", "Te", "Trailer", "Upgrade", "Proxy-Connection":
			return nil
		}
		// net/http refuses what is not a valid field; let it say so.
		if !validFieldName(k) {
			return nil
		}
		for _, v := range vs {
			if !validFieldValue(v) {
				return nil
			}
		}
	}
	d := &direct{
		addr:       u.Host,
		head:       o.method == http.MethodHead,
		replayable: o.method == http.MethodGet || o.method == http.MethodHead || o.method == http.MethodOptions,
		dial:       t.DialContext,
		maxIdle:    directMaxIdle,
	}
	if u.Port() == "" {
		d.addr = net.JoinHostPort(u.Hostname(), "80")
	}
	if d.dial == nil {
		d.dial = (&net.Dialer{}).DialContext
	}
	if o.header.Get("Idempotency-Key") != "" || o.header.Get("X-Idempotency-Key") != "" {
		d.replayable = true
	}
	// The request as net/http writes it (Request.write, transferWriter):
	// request line, Host, User-Agent, Content-Length, the other headers
	// sorted.
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", o.method, u.RequestURI(), u.Host)
	ua := "Go-http-client/1.1"
	if _, ok := o.header["User-Agent"]; ok {
		ua = o.header.Get("User-Agent")
	}
	if ua != "" {
		fmt.Fprintf(&b, "User-Agent: %s\r\n", ua)
	}
	switch {
	case len(o.body) > 0:
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(o.body))
	case o.method == http.MethodPost || o.method == http.MethodPut || o.method == http.MethodPatch:
		b.WriteString("Content-Length: 0\r\n")
	}
	if err := o.header.WriteSubset(&b, map[string]bool{"User-Agent": true}); err != nil {
		return nil
	}
	b.WriteString("\r\n")
	b.Write(o.body)
	d.req = b.Bytes()
	return d
}

// errProtocol marks a response the direct path cannot parse as HTTP/1.x.
var errProtocol = errors.New("malformed HTTP response")

// doDirect runs the op on the direct path.
func (c *httpCall) doDirect(ctx context.Context, o *httpOp, it *loadgen.Iteration) error {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		c.keepDirect(o, it, false)
		return fmt.Errorf("http %s %s: %w", o.method, o.url, err)
	}
	var deadline time.Time
	if o.timeout > 0 {
		deadline = start.Add(o.timeout)
	}
	status, loc, end, err := c.exchange(ctx, o, it, start, deadline)
	followed := err == nil && loc != ""
	if followed {
		status, err = c.follow(o, it, status, loc)
	}
	if followed || err != nil {
		end = time.Now()
	}
	it.Phase(o.names.call, start, end)
	if status != 0 {
		it.SetStatus(status)
	}
	// A redirect ran through net/http, whose hooks may run late: start
	// afresh then, as after an error.
	c.keepDirect(o, it, err == nil && !followed)
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("http %s %s: %w", o.method, o.url, ctx.Err())
		case errors.Is(err, os.ErrDeadlineExceeded) && status == 0:
			return fmt.Errorf("http %s %s: no response within the %s timeout: %w", o.method, o.url, o.timeout, context.DeadlineExceeded)
		case errors.Is(err, os.ErrDeadlineExceeded):
			return fmt.Errorf("http %s %s: reading body: not done within the %s timeout: %w", o.method, o.url, o.timeout, context.DeadlineExceeded)
		case status != 0:
			return fmt.Errorf("http %s %s: reading body: %w", o.method, o.url, err)
		}
		return fmt.Errorf("http %s %s: %w", o.method, o.url, err)
	}
	if !o.expected(status) {
		return &StatusError{Method: o.method, URL: o.url, Status: status}
	}
	return nil
}

// keepDirect keeps c, connection and all, for the worker's next request
// if ok and a worker keeps it; otherwise it drops c.
func (c *httpCall) keepDirect(o *httpOp, it *loadgen.Iteration, ok bool) {
	kept := it.Worker != nil && it.Worker.Values[o.key] == c
	if ok && kept {
		return
	}
	c.drop()
	if kept {
		delete(it.Worker.Values, o.key)
	}
}

// exchange writes the request on the worker's connection (dialing one if
// it has none) and reads the response, body and all. If a kept-alive
// connection turns out closed before any byte of a response, it dials
// again and sends the request once more, as net/http does. loc is the
// Location of a redirect the client would follow, "" otherwise; end is
// when the response was read. start is when the op started: on a
// kept-alive connection, the request is written right after it, so start
// stands for that moment too (one clock reading fewer).
func (c *httpCall) exchange(ctx context.Context, o *httpOp, it *loadgen.Iteration, start, deadline time.Time) (status int, loc string, end time.Time, err error) {
	for attempt := 0; ; attempt++ {
		// net/http notices at once when a target closes an idle
		// connection (its read loop is always reading); this path notices
		// only by writing to it, and then may send the request again only
		// if it is replayable. So a request that is not replayable takes a
		// connection only fresh from use, and a new one otherwise.
		if c.conn != nil && !o.direct.replayable && start.Sub(c.lastUsed) > o.direct.maxIdle {
			c.closeConn()
		}
		reused := c.conn != nil
		if !reused {
			if err := c.dial(ctx, o, it, deadline); err != nil {
				return 0, "", time.Time{}, err
			}
		}
		if err := c.conn.SetDeadline(deadline); err != nil {
			return 0, "", time.Time{}, err
		}
		if err := ctx.Err(); err != nil { // after SetDeadline: see dial
			return 0, "", time.Time{}, err
		}
		wrote := start
		if !reused || attempt > 0 {
			wrote = time.Now()
		}
		_, err := c.conn.Write(o.direct.req)
		var fb time.Time
		// net/http sends a request again on a new connection if writing it
		// to a kept-alive one failed, or if the target closed that one
		// before answering and the request is replayable.
		retry := true
		if err == nil {
			_, err = c.br.Peek(1)
			fb = time.Now()
			retry = o.direct.replayable
		}
		if err != nil {
			c.closeConn()
			if reused && attempt == 0 && retry && ctx.Err() == nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			return 0, "", time.Time{}, err
		}
		it.Phase(o.names.wait, wrote, fb)
		status, loc, keep, err := c.readResponse(o)
		end := time.Now()
		it.Phase(o.names.read, fb, end)
		c.lastUsed = end
		if err != nil || !keep {
			c.closeConn()
		}
		return status, loc, end, err
	}
}

// dial opens the worker's connection, recording the connect phase, and
// arranges for the end of ctx to unblock it: a deadline in the past fails
// any read or write in progress, and exchange checks ctx after setting
// each request's deadline, so a cancellation is never overwritten unseen.
func (c *httpCall) dial(ctx context.Context, o *httpOp, it *loadgen.Iteration, deadline time.Time) error {
	dctx := ctx
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		dctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	t0 := time.Now()
	conn, err := o.direct.dial(dctx, "tcp", o.direct.addr)
	it.Phase(o.names.connect, t0, time.Now())
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return os.ErrDeadlineExceeded
		}
		return err
	}
	c.conn = conn
	if c.br == nil {
		c.br = bufio.NewReaderSize(conn, 4096)
	} else {
		c.br.Reset(conn)
	}
	c.stopAfter = context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	return nil
}

// closeConn closes the worker's connection, if any.
func (c *httpCall) closeConn() {
	if c.conn == nil {
		return
	}
	if c.stopAfter != nil {
		c.stopAfter()
		c.stopAfter = nil
	}
	c.conn.Close()
	c.conn = nil
}

// readResponse reads one response from c.br, skipping 1xx ones, and
// discards its body. keep reports whether the connection may carry another
// request.
func (c *httpCall) readResponse(o *httpOp) (status int, loc string, keep bool, err error) {
	br := c.br
	for {
		line, err := readLine(br)
		if err != nil {
			return 0, "", false, err
		}
		// "HTTP/1.1 200 OK"
		if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
			return 0, "", false, fmt.Errorf("%w: status line %q", errProtocol, line)
		}
		keep = line[7] != '0' // HTTP/1.0 closes unless it says keep-alive
		status = 0
		for _, d := range line[9:12] {
			if d < '0' || d > '9' {
				return 0, "", false, fmt.Errorf("%w: status line %q", errProtocol, line)
			}
			status = status*10 + int(d-'0')
		}
		if status < 100 {
			return 0, "", false, fmt.Errorf("%w: status %d", errProtocol, status)
		}
		// Until the header is read there is no response: like net/http,
		// an error here reports no status.
		length, chunked := int64(-1), false
		for {
			line, err := readLine(br)
			if err != nil {
				return 0, "", false, err
			}
			if len(line) == 0 {
				break
			}
			k, v, ok := bytes.Cut(line, []byte(":"))
			if !ok {
				return 0, "", false, fmt.Errorf("%w: header line %q", errProtocol, line)
			}
			v = bytes.TrimSpace(v)
			switch {
			case asciiEqualFold(k, "Content-Length"):
				n, err := strconv.ParseInt(string(v), 10, 64)
				if err != nil || n < 0 || v[0] == '+' {
					return 0, "", false, fmt.Errorf("%w: Content-Length %q", errProtocol, v)
				}
				// net/http refuses Content-Lengths that disagree (a sign
				// of response splitting) rather than taking one of them.
				if length >= 0 && n != length {
					return 0, "", false, fmt.Errorf("%w: Content-Length %d and %d", errProtocol, length, n)
				}
				length = n
			case asciiEqualFold(k, "Transfer-Encoding"):
				// net/http knows one transfer coding, chunked, alone, in
				// one header line; any other it refuses.
				if chunked || !asciiEqualFold(v, "chunked") {
					return 0, "", false, fmt.Errorf("%w: Transfer-Encoding %q", errProtocol, v)
				}
				chunked = true
			case asciiEqualFold(k, "Connection"):
				lv := bytes.ToLower(v)
				if bytes.Contains(lv, []byte("close")) {
					keep = false
				} else if bytes.Contains(lv, []byte("keep-alive")) {
					keep = true
				}
			case asciiEqualFold(k, "Location") && isRedirect(status):
				loc = string(v)
			}
		}
		if status == http.StatusSwitchingProtocols {
			return status, "", false, fmt.Errorf("%w: 101 Switching Protocols", errProtocol)
		}
		if status < 200 {
			continue // 1xx: the real response follows
		}
		switch {
		case o.direct.head || status == http.StatusNoContent || status == http.StatusNotModified:
		case chunked:
			if _, err := io.Copy(io.Discard, httputil.NewChunkedReader(br)); err != nil {
				return status, "", false, err
			}
			for { // trailer
				line, err := readLine(br)
				if err != nil {
					return status, "", false, err
				}
				if len(line) == 0 {
					break
				}
			}
		case length >= 0:
			if _, err := br.Discard(int(length)); err != nil {
				return status, "", false, err
			}
		default: // the body runs to the end of the connection
			if _, err := io.Copy(io.Discard, br); err != nil {
				return status, "", false, err
			}
			keep = false
		}
		return status, loc, keep, nil
	}
}

// maxLineBytes caps one line of a response's header, as net/http's
// transport caps the whole header (Transport.MaxResponseHeaderBytes,
// default 10 MB).
const maxLineBytes = 10 << 20

// readLine returns the next line of br without its line ending. The line
// is valid until the next read. A line longer than br's buffer is copied
// out (net/http reads header lines of any length).
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			if len(long) > maxLineBytes {
				return nil, fmt.Errorf("%w: a header line longer than %d bytes", errProtocol, maxLineBytes)
			}
			line, err = br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// asciiEqualFold reports whether b equals s, ignoring ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// isRedirect reports whether http.Client follows a response of status code.
func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// follow sends the request a redirect of status to loc asks for, by
// http.Client's rules (301, 302, 303: GET without the body, HEAD stays
// HEAD; 307, 308: the same method and body), through the client, which
// follows any further redirects, and returns the final status.
func (c *httpCall) follow(o *httpOp, it *loadgen.Iteration, status int, loc string) (int, error) {
	base, err := url.Parse(o.url)
	if err != nil {
		return status, err
	}
	next, err := base.Parse(loc)
	if err != nil {
		return status, fmt.Errorf("redirect to %q: %w", loc, err)
	}
	// As the client's policy does for later hops: net/http reports no
	// response when its policy refuses a redirect.
	if err := checkOnTarget(o.target, next); err != nil {
		return 0, err
	}
	method, body := o.method, o.body
	if status == http.StatusMovedPermanently || status == http.StatusFound || status == http.StatusSeeOther {
		body = nil
		if method != http.MethodGet && method != http.MethodHead {
			method = http.MethodGet
		}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	c.trace.reset(it)
	req, err := http.NewRequestWithContext(c.ctx, method, next.String(), rd)
	if err != nil {
		return status, err
	}
	for k, v := range o.header {
		req.Header[k] = v
	}
	if req.Header.Get("Referer") == "" {
		req.Header.Set("Referer", o.url)
	}
	if o.timeout > 0 {
		c.timer.Reset(o.timeout)
		defer c.timer.Stop()
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}

// validFieldName reports whether k is an HTTP header field name (a token,
// RFC 9110 §5.1).
func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := range len(k) {
		c := k[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validFieldValue reports whether v may be a header field value: no
// control characters but tab (RFC 9110 §5.5).
func validFieldValue(v string) bool {
	for i := range len(v) {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
