package sdk

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// transport is what every call needs: the configuration and the base URL.
type transport struct {
	cfg  Config
	base *url.URL
}

// Client is the entry point: it holds the configuration and, for the shared
// connection model, the one connection pool. The JWT operations (UserCreate,
// UserVerify, GenerateDevice) are its methods; Initialize makes an SDK for
// one device. A Client is safe for concurrent use.
type Client struct {
	t      transport
	tls    *tls.Config
	shared *http.Client // Shared only
	rc     recryptor
}

// New checks cfg and returns a Client. It reads Config.CAFile.
func New(cfg Config) (*Client, error) {
	return newClient(cfg, nil)
}

func newClient(cfg Config, rc recryptor) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("sdk: config: BaseURL: %w", err)
	}
	tc, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	if rc == nil {
		rc = recryptImpl{}
	}
	c := &Client{t: transport{cfg: cfg, base: base}, tls: tc, rc: rc}
	if cfg.connections() == Shared {
		c.shared = cfg.newHTTPClient(tc)
	}
	return c, nil
}

// Config returns the client's configuration.
func (c *Client) Config() Config { return c.t.cfg }

// Close closes the idle connections of the shared pool. SDKs made by
// Initialize have their own Close.
func (c *Client) Close() {
	if c.shared != nil {
		c.shared.CloseIdleConnections()
	}
}

func (c *Client) rand() io.Reader {
	if c.t.cfg.Rand != nil {
		return c.t.cfg.Rand
	}
	return rand.Reader
}

// pool hands out the HTTP client of one call according to the connection
// model.
type pool struct {
	c  *Client
	hc *http.Client // nil: a fresh one per call (PerCall)
}

// jwtPool returns the pool for one JWT operation: the shared one, or a fresh
// one for this operation alone (as ironoxide does), which release closes.
func (c *Client) jwtPool() (pool, func()) {
	switch c.t.cfg.connections() {
	case Shared:
		return pool{c: c, hc: c.shared}, func() {}
	case PerCall:
		return pool{c: c}, func() {}
	}
	hc := c.t.cfg.newHTTPClient(c.tls)
	return pool{c: c, hc: hc}, hc.CloseIdleConnections
}

// identityPool returns the pool of one SDK.
func (c *Client) identityPool() pool {
	switch c.t.cfg.connections() {
	case Shared:
		return pool{c: c, hc: c.shared}
	case PerCall:
		return pool{c: c}
	}
	return pool{c: c, hc: c.t.cfg.newHTTPClient(c.tls)}
}

// do sends one call through the pool.
func (p pool) do(ctx context.Context, cl *call) ([]byte, error) {
	hc := p.hc
	if hc == nil {
		hc = p.c.t.cfg.newHTTPClient(p.c.tls)
		hc.Transport.(*http.Transport).DisableKeepAlives = true
		defer hc.CloseIdleConnections()
	}
	return p.c.t.do(ctx, hc, cl)
}

func (p pool) close() {
	if p.hc != nil && p.hc != p.c.shared {
		p.hc.CloseIdleConnections()
	}
}

// opContext applies Config.OperationTimeout.
func (c *Client) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := c.t.cfg.OperationTimeout; d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return ctx, func() {}
}
