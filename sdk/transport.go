package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// maxResponse caps the response body the SDK reads.
const maxResponse = 64 << 20

// call is one HTTP request of an operation.
type call struct {
	name   string // "user_create": the phase is "http:user_create"
	method string
	path   string // relative to the base URL, already ICL-encoded
	query  string // ICL-encoded query without "?", may contain '
	body   []byte // nil: no body
	auth   authorizer
}

type retryKey2 struct{}

// WithRetryPolicy returns a context whose HTTP calls follow p instead of
// Config.Retry, so a caller can set retries per operation.
func WithRetryPolicy(ctx context.Context, p RetryPolicy) context.Context {
	return context.WithValue(ctx, retryKey2{}, p)
}

// noCloseIdle hides CloseIdleConnections from retryablehttp, which would
// otherwise close every idle connection of a shared pool whenever one call
// gives up.
type noCloseIdle struct{ rt http.RoundTripper }

// RoundTrip sends r through the wrapped transport.
func (n noCloseIdle) RoundTrip(r *http.Request) (*http.Response, error) { return n.rt.RoundTrip(r) }

// do sends c through hc and returns the body of a successful response.
func (t *transport) do(ctx context.Context, hc *http.Client, c *call) ([]byte, error) {
	pol := t.cfg.Retry
	if p, ok := ctx.Value(retryKey2{}).(RetryPolicy); ok {
		pol = p
	}
	if c.method == http.MethodPost && !pol.NonIdempotent {
		pol.Max = 0
	}
	if pol.WaitMin == 0 {
		pol.WaitMin = 50 * time.Millisecond
	}
	if pol.WaitMax == 0 {
		pol.WaitMax = 2 * time.Second
	}

	u, sigPath := t.url(c.path, c.query)
	var body any
	if c.body != nil {
		body = c.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, c.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("sdk: %s: %w", c.name, err)
	}
	req.URL = u
	req.Header = http.Header{"content-type": {"application/json"}}
	hook := phaseHook(ctx)
	if _, device := c.auth.(deviceAuth); device && hook != nil {
		s := time.Now()
		c.auth.authorize(req.Header, c.method, sigPath, c.body, t.cfg.now())
		hook("crypto:request_sig", s, time.Now())
	} else {
		c.auth.authorize(req.Header, c.method, sigPath, c.body, t.cfg.now())
	}

	var at *attemptTrace
	if hook != nil {
		at = newAttemptTrace(hook, c.name)
		req.Request = req.Request.WithContext(httptrace.WithClientTrace(ctx, at.clientTrace()))
	}
	rh := retryHook(ctx)

	// Backoff and PrepareRetry run on this goroutine, inside rc.Do.
	var waitStart time.Time
	retries := 0
	rc := &retryablehttp.Client{
		HTTPClient:   &http.Client{Transport: noCloseIdle{hc.Transport}, Timeout: hc.Timeout, CheckRedirect: noRedirects},
		Logger:       nil,
		RetryMax:     pol.Max,
		RetryWaitMin: pol.WaitMin,
		RetryWaitMax: pol.WaitMax,
		CheckRetry:   retryablehttp.DefaultRetryPolicy,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		Backoff: func(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
			w := retryablehttp.DefaultBackoff(lo, hi, n, resp)
			now := time.Now()
			if at != nil {
				at.reset(now)
			}
			waitStart = now
			retries++
			if rh != nil {
				st := 0
				if resp != nil {
					st = resp.StatusCode
				}
				rh(c.name, retries, st, w)
			}
			return w
		},
		PrepareRetry: func(r *http.Request) error {
			if hook != nil {
				hook("http:"+c.name+"/retry_wait", waitStart, time.Now())
			}
			r.Header = r.Header.Clone()
			c.auth.authorize(r.Header, c.method, sigPath, c.body, t.cfg.now())
			return nil
		},
	}

	start := time.Now()
	resp, err := rc.Do(req)
	if err != nil {
		end := time.Now()
		if hook != nil {
			hook("http:"+c.name, start, end)
		}
		if resp != nil {
			resp.Body.Close()
		}
		return nil, fmt.Errorf("sdk: %s %s: %w", c.name, c.method, err)
	}
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
	end := time.Now()
	if at != nil {
		at.done(end)
	}
	if hook != nil {
		hook("http:"+c.name, start, end)
	}
	if sh := statusHook(ctx); sh != nil {
		sh(c.name, resp.StatusCode)
	}
	if rerr != nil {
		return nil, fmt.Errorf("sdk: %s: reading response (HTTP %d): %w", c.name, resp.StatusCode, rerr)
	}
	return checkStatus(c.name, resp.StatusCode, data)
}

// checkStatus turns an error status into a typed error, as ironoxide reads
// them (§8), but keeps the status in every case.
func checkStatus(name string, status int, data []byte) ([]byte, error) {
	switch {
	case status < 300:
		return data, nil
	case status < 400:
		return nil, &ProtocolError{Call: name, Status: status, Err: errors.New("the service answered with a redirect, which the SDK does not follow")}
	case status >= 500:
		return nil, &ServiceError{Call: name, Status: status, Message: "Server encountered error attempting to make request."}
	case status == http.StatusNotFound:
		return nil, &ServiceError{Call: name, Status: status, Message: "Requested resource was not found."}
	case status == http.StatusTooManyRequests:
		return nil, &ServiceError{Call: name, Status: status, Message: "Request was denied due to rate limiting."}
	}
	var msgs []ServerMessage
	if err := json.Unmarshal(data, &msgs); err != nil || len(msgs) == 0 {
		if err == nil {
			err = errors.New("empty error list")
		}
		return nil, &ProtocolError{Call: name, Status: status, Err: fmt.Errorf("error body is not an error list: %w", err)}
	}
	return nil, &ServiceError{Call: name, Status: status, Errors: msgs}
}

// url builds the request URL and the signed path: the path exactly as sent,
// plus the query with %27 turned back into ' (§3.2.4).
func (t *transport) url(path, query string) (*url.URL, string) {
	u := *t.base
	u.RawPath = t.base.EscapedPath() + path
	if p, err := url.PathUnescape(u.RawPath); err == nil {
		u.Path = p
	}
	sig := u.RawPath
	if query != "" {
		u.RawQuery = strings.ReplaceAll(query, "'", "%27")
		sig += "?" + query
	}
	return &u, sig
}

// decode unmarshals a response body, as a *ProtocolError on failure.
func decode(name string, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return &ProtocolError{Call: name, Status: 0, Err: fmt.Errorf("response: %w", err)}
	}
	return nil
}

// marshal encodes v as compact JSON without HTML escaping, as serde_json
// does.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("sdk: encoding request: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
