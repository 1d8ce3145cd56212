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
// immutable after construction.
type httpOp struct {
	client *http.Client
	method string
	url    string
	header http.Header
	body   []byte
	expect []int64 // nil: any 2xx
}

func newHTTPOp(env *Env, args Args) (loadgen.Op, error) {
	if env == nil || env.Target == nil {
		return nil, fmt.Errorf("http op: no target")
	}
	op := &httpOp{client: env.Client, method: http.MethodGet}
	if op.client == nil {
		op.client = NewHTTPClient(env.Timeout, false)
	}
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
	var body io.Reader
	if o.body != nil {
		body = bytes.NewReader(o.body)
	}
	tr := newPhaseTrace(it, "http:request")
	ctx = tr.context(ctx)
	req, err := http.NewRequestWithContext(ctx, o.method, o.url, body)
	if err != nil {
		return fmt.Errorf("http %s %s: %w", o.method, o.url, err)
	}
	for k, v := range o.header {
		req.Header[k] = v
	}
	tr.begin()
	resp, err := o.client.Do(req)
	if err != nil {
		tr.end()
		return fmt.Errorf("http %s %s: %w", o.method, o.url, err)
	}
	_, cerr := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	tr.end()
	it.SetStatus(resp.StatusCode)
	if cerr != nil {
		return fmt.Errorf("http %s %s: reading body: %w", o.method, o.url, cerr)
	}
	if !o.expected(resp.StatusCode) {
		return &StatusError{Method: o.method, URL: o.url, Status: resp.StatusCode}
	}
	return nil
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
