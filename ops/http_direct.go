package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops/internal/http1"
)

// directMaxIdle is http1.Options.MaxIdle: well under the shortest idle
// timeout common servers use (Node.js: 5 s).
const directMaxIdle = time.Second

// newDirect returns o's direct path, or nil if the request needs what only
// net/http does: TLS, a proxy, DNS (a host name), cookies, a redirect
// policy of the client's own, compression, a cap on connections, or
// headers that change how the exchange runs. client is the client the run
// gave, before the op installs its on-target redirect policy (which both
// paths keep).
func newDirect(client *http.Client, o *httpOp, u *url.URL) *directSpec {
	if client.Jar != nil || client.CheckRedirect != nil {
		return nil
	}
	var t *http.Transport
	switch rt := client.Transport.(type) {
	case nil:
		t, _ = http.DefaultTransport.(*http.Transport)
	case *http.Transport:
		t = rt
	}
	if t == nil || !t.DisableCompression || t.DisableKeepAlives || t.MaxConnsPerHost != 0 || t.OnProxyConnectResponse != nil ||
		t.ResponseHeaderTimeout != 0 || t.MaxResponseHeaderBytes != 0 || t.GetProxyConnectHeader != nil {
		return nil
	}
	//lint:ignore SA1019 a transport with the deprecated Dial hook set wants it used, which only net/http does
	if t.Dial != nil {
		return nil
	}
	if t.Proxy != nil {
		if p, err := t.Proxy(o.tmpl); err != nil || p != nil {
			return nil
		}
	}
	d := &directSpec{
		req:  http1.Request{Method: o.method, URL: u, Header: o.header, Body: o.body},
		opts: http1.Options{Dial: t.DialContext, Timeout: o.timeout, MaxIdle: directMaxIdle},
	}
	if _, err := http1.New(d.req, d.opts); err != nil {
		return nil // errors.Is(err, http1.ErrUnsupported)
	}
	return d
}

// Phase reports a phase of the direct exchange in flight to its
// iteration (http1.Tracer).
func (c *httpCall) Phase(p http1.Phase, start, end time.Time) {
	n := c.trace.names
	name := n.read
	switch p {
	case http1.Connect:
		name = n.connect
	case http1.Write:
		name = n.write
	case http1.Wait:
		name = n.wait
	}
	c.it.Phase(name, start, end)
}

// doDirect runs the op on the direct path.
func (c *httpCall) doDirect(ctx context.Context, o *httpOp, it *loadgen.Iteration) error {
	start := time.Now()
	c.it = it
	resp, err := c.direct.Do(ctx, c, start)
	end := time.Now()
	status := resp.Status
	followed := err == nil && resp.Location != ""
	if followed {
		status, err = c.follow(o, it, status, resp.Location)
		end = time.Now()
	}
	c.it = nil
	it.Phase(o.names.call, start, end)
	if status != 0 {
		it.SetStatus(status)
	}
	// A redirect ran through net/http, whose hooks may run late: start
	// afresh then, as after an error.
	if err != nil || followed {
		c.forget(o, it)
	}
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
