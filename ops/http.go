package ops

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops/internal/http1"
)

// HTTPEntry is the catalog entry of the raw http op: one request to the
// target, its status checked against expect_status.
func HTTPEntry() *Entry {
	fields := []Field{
		{Name: "method", Kind: String, Help: "HTTP method, default GET", Check: checkMethod},
		{Name: "url", Kind: String, Required: true, Help: "path relative to target.url (\"health\", \"/health\") or an absolute URL on the target's host"},
		{Name: "headers", Kind: StringMap, Help: "request headers", Check: checkHeaders},
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

// checkHeaders is the check of the http op's headers field: names are
// tokens and values one line (net/http would refuse every request, and the
// run would send nothing).
func checkHeaders(v any) error {
	h, _ := v.(map[string]string)
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if k == "" || strings.IndexFunc(k, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
			return fmt.Errorf("%q is not a header name; want letters, digits and !#$%%&'*+-.^_`|~ only", k)
		}
		if i := strings.IndexFunc(h[k], func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }); i >= 0 {
			return fmt.Errorf("%s: value %q holds a line break or control character at byte %d; a header value is one line", k, h[k], i)
		}
	}
	return nil
}

// isTokenChar reports whether r may be in an HTTP token (RFC 9110 tchar).
func isTokenChar(r rune) bool {
	return r < 0x7f && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r))
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
	client  *http.Client // the target's client without its Timeout, with the on-target redirect policy
	timeout time.Duration
	method  string
	url     string
	header  http.Header
	body    []byte
	expect  []int64 // nil: any 2xx

	target *url.URL // redirects must stay on its scheme and host

	tmpl  *http.Request // the request every call copies
	names phaseNames

	// direct is the request and options of the op's HTTP/1.1 exchange on
	// a worker's own connection (package http1); nil when the request must
	// go through net/http (see newDirect).
	direct *directSpec
}

// directSpec is what each worker builds its http1.Client from.
type directSpec struct {
	req  http1.Request
	opts http1.Options
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
	// Redirects are followed only on the target: a load test never strays
	// to another host, nor takes the step's headers there. Both paths keep
	// to it (the direct one checks the first hop itself, then hands the
	// rest to this client); whether a request goes direct depends on the
	// client the run gave (client), not on this policy.
	op.target = env.Target
	op.client.CheckRedirect = onTargetRedirects(env.Target, client.CheckRedirect)
	op.direct = newDirect(client, op, u)
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
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		return nil, fmt.Errorf("%q is not a URL: %w", redactURL(ref), err)
	}
	if r.IsAbs() {
		if r.Host != base.Host || r.Scheme != base.Scheme {
			return nil, fmt.Errorf("%q is not on the target %s://%s; a step may only call the target's host", r.Redacted(), base.Scheme, base.Host)
		}
		return r, nil
	}
	if r.Host != "" {
		return nil, fmt.Errorf("%q names a host; use a path, or an absolute URL on %s", r.Redacted(), base.Host)
	}
	// "/health" and "health" both mean base path + health, so a target of
	// http://host/api/1/ keeps its prefix.
	rel := *r
	rel.Path = strings.TrimPrefix(r.Path, "/")
	return base.ResolveReference(&rel), nil
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

// redactURL masks the password of a URL that does not parse, as
// url.URL.Redacted does of one that does: user:xxxxx@host.
func redactURL(ref string) string {
	i := strings.Index(ref, "://")
	j := strings.LastIndex(ref, "@")
	if i < 0 || j < i {
		return ref
	}
	if k := strings.Index(ref[i+3:j], ":"); k >= 0 {
		return ref[:i+3+k+1] + "xxxxx" + ref[j:]
	}
	return ref
}
