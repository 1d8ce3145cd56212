package sdk

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Connections says which HTTP connections operations share.
type Connections string

// The connection models. ironoxide itself behaves as PerIdentity: each
// initialized SDK keeps one HTTP client, and each JWT call (UserCreate,
// UserVerify, GenerateDevice) makes a fresh one.
const (
	// Shared: every call of every identity uses the Client's one pool.
	Shared Connections = "shared"
	// PerIdentity: each SDK has its own pool; each JWT call a fresh one.
	PerIdentity Connections = "per-identity"
	// PerCall: every HTTP call opens its own connection and closes it after.
	PerCall Connections = "per-call"
)

// RetryPolicy says how often an HTTP call is retried after a transport error,
// a 429 or a 5xx (other than 501), and how long to wait in between. A 429 or
// 503 with Retry-After waits as the service asks. The zero value never
// retries, which is what ironoxide does.
type RetryPolicy struct {
	// Max is the number of retries after the first attempt.
	Max int
	// WaitMin and WaitMax bound the exponential backoff; zero means 50ms
	// and 2s.
	WaitMin, WaitMax time.Duration
	// NonIdempotent lets POST calls be retried too. A retried POST may
	// create a user, device, group or document twice over.
	NonIdempotent bool
}

// Config configures a Client. BaseURL is required; everything else has a
// usable zero value.
type Config struct {
	// BaseURL is the service's API root, ending in "/api/1/" or another
	// path ending in "/"; request paths are appended to it. There is no
	// default: unlike ironoxide, nothing talks to production unless told to.
	BaseURL string

	// Timeout bounds each HTTP attempt, from dialing to the last byte of
	// the response body. Zero means no limit.
	Timeout time.Duration
	// OperationTimeout bounds a whole operation, crypto and every call
	// (ironoxide's sdk_operation_timeout, 30s there). Zero means no limit
	// beyond the caller's context.
	OperationTimeout time.Duration
	// DialTimeout bounds connecting; zero means 30s.
	DialTimeout time.Duration

	// CAFile is a PEM file of certificate authorities to trust instead of
	// the system's.
	CAFile string
	// InsecureSkipVerify turns off server certificate verification.
	InsecureSkipVerify bool
	// DisableHTTP2 keeps every connection on HTTP/1.1. Otherwise HTTP/2 is
	// used when the server offers it over TLS.
	DisableHTTP2 bool
	// NoProxy ignores HTTP_PROXY, HTTPS_PROXY and NO_PROXY. By default
	// requests go through the proxies the environment names, as with
	// net/http and ironoxide's reqwest (loopback addresses never do).
	NoProxy bool

	// Connections is the connection model; empty means PerIdentity.
	Connections Connections
	// MaxIdleConnsPerHost caps idle connections kept per pool; zero means 64.
	MaxIdleConnsPerHost int

	// Retry is the retry policy of every call unless the context sets
	// another with WithRetryPolicy.
	Retry RetryPolicy

	// Rand is the source of randomness; nil means crypto/rand. Tests set a
	// fixed source to get fixed bytes; nothing else should.
	Rand io.Reader
	// Now is the clock for JWTs, request signatures and device-add
	// timestamps; nil means time.Now. For tests.
	Now func() time.Time
}

// Validate reports every problem with c.
func (c *Config) Validate() error {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("sdk: config: BaseURL is required (there is no default service)"))
	} else if u, err := url.Parse(c.BaseURL); err != nil {
		errs = append(errs, fmt.Errorf("sdk: config: BaseURL: %w", err))
	} else {
		if u.Scheme != "http" && u.Scheme != "https" {
			errs = append(errs, fmt.Errorf("sdk: config: BaseURL %q: scheme must be http or https", c.BaseURL))
		}
		if u.Host == "" {
			errs = append(errs, fmt.Errorf("sdk: config: BaseURL %q: no host", c.BaseURL))
		}
		if !strings.HasSuffix(u.Path, "/") || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("sdk: config: BaseURL %q: path must end in / (e.g. /api/1/), without query", c.BaseURL))
		}
	}
	switch c.Connections {
	case "", Shared, PerIdentity, PerCall:
	default:
		errs = append(errs, fmt.Errorf("sdk: config: Connections %q: want shared, per-identity or per-call", c.Connections))
	}
	for name, d := range map[string]time.Duration{"Timeout": c.Timeout, "OperationTimeout": c.OperationTimeout, "DialTimeout": c.DialTimeout} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("sdk: config: %s %v is negative", name, d))
		}
	}
	if c.Retry.Max < 0 {
		errs = append(errs, fmt.Errorf("sdk: config: Retry.Max %d is negative", c.Retry.Max))
	}
	if c.Retry.WaitMax != 0 && c.Retry.WaitMax < c.Retry.WaitMin {
		errs = append(errs, fmt.Errorf("sdk: config: Retry.WaitMax %v is below WaitMin %v", c.Retry.WaitMax, c.Retry.WaitMin))
	}
	return errors.Join(errs...)
}

func (c *Config) connections() Connections {
	if c.Connections == "" {
		return PerIdentity
	}
	return c.Connections
}

// tlsConfig builds the TLS configuration, reading CAFile.
func (c *Config) tlsConfig() (*tls.Config, error) {
	tc := &tls.Config{InsecureSkipVerify: c.InsecureSkipVerify} //nolint:gosec // the caller asked for it
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("sdk: config: CAFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("sdk: config: CAFile %s: no PEM certificates", c.CAFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// newHTTPClient builds one connection pool as c describes.
func (c *Config) newHTTPClient(tc *tls.Config) *http.Client {
	dial := c.DialTimeout
	if dial == 0 {
		dial = 30 * time.Second
	}
	idle := c.MaxIdleConnsPerHost
	if idle == 0 {
		idle = 64
	}
	tr := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tc.Clone(),
		TLSHandshakeTimeout:   dial,
		MaxIdleConns:          idle,
		MaxIdleConnsPerHost:   idle,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		Protocols:             new(http.Protocols),
	}
	tr.Protocols.SetHTTP1(true)
	tr.Protocols.SetHTTP2(!c.DisableHTTP2)
	if !c.NoProxy {
		tr.Proxy = http.ProxyFromEnvironment
	}
	return &http.Client{Transport: tr, Timeout: c.Timeout, CheckRedirect: noRedirects}
}

// noRedirects makes a redirect the call's answer: the SDK follows none, so
// no request (with its JWT or device signature) goes anywhere but BaseURL;
// the 3xx comes back as the call's status.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
