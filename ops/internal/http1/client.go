// Package http1 exchanges one worker's HTTP/1.1 requests on its own
// kept-alive connection, the way wrk does, timing the phases loadgen
// reports: connect, write, wait (request written to first response byte)
// and read (first byte to the end of the body). The request's bytes are
// built once and written with one write(2); the response is parsed by
// valyala/fasthttp's parser on the caller's goroutine. net/http would hand
// each request to two goroutines of its own and allocate some forty times;
// a Client does neither.
//
// A Client keeps net/http's behaviour where a load test can tell: the same
// request bytes, a timeout for the whole exchange, Content-Length, chunked
// and read-to-close bodies, 1xx responses skipped, a kept-alive connection
// that the target closed redialed and the request sent again when net/http
// would send it again, and the same refusals of malformed framing (see
// Do). A request that is not replayable takes a connection used within the
// last Options.MaxIdle, else a new one: net/http's read loop notices a closed
// idle connection at once; a Client notices only when it writes.
package http1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/valyala/fasthttp"
)

// Phase is a timed part of one exchange.
type Phase int

// The phases Do reports, in order. Connect is reported only when the
// exchange dials.
const (
	Connect Phase = iota // dialing the connection
	Write                // writing the request
	Wait                 // from the request written to the first response byte
	Read                 // from the first byte to the end of the body
)

func (p Phase) String() string {
	switch p {
	case Connect:
		return "connect"
	case Write:
		return "write"
	case Wait:
		return "wait"
	case Read:
		return "read"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// Tracer receives the phases of an exchange as they end.
type Tracer interface {
	Phase(p Phase, start, end time.Time)
}

// Options say how a Client dials and how long it waits. Each is explicit;
// the zero value of each is what its comment says.
type Options struct {
	// Dial dials the request's host; nil: a net.Dialer's DialContext.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds a whole exchange, dial included; 0: no bound.
	Timeout time.Duration
	// MaxIdle is how long a connection may have been idle and still carry
	// a request that is not replayable; 0: such a request always dials.
	MaxIdle time.Duration
	// MaxHeaderBytes caps a response's header; 0: DefaultMaxHeaderBytes.
	MaxHeaderBytes int
}

// DefaultMaxHeaderBytes is the cap on a response's header when
// Options.MaxHeaderBytes is 0. net/http's transport allows 10 MB; a
// Client's read buffer grows to the header's size, so it allows less.
const DefaultMaxHeaderBytes = 1 << 20

// readBufSize is the size of a connection's read buffer until a header
// needs more.
const readBufSize = 4096

// ErrProtocol marks a response that is not HTTP/1.x as net/http reads it.
var ErrProtocol = errors.New("malformed HTTP response")

// Response is what Do tells of a response.
type Response struct {
	Status int
	// Location is the target of a redirect net/http's client follows
	// (301, 302, 303, 307, 308), "" otherwise.
	Location string
}

// A Client sends one request, again and again, on its own connection. It
// is not safe for concurrent use: each worker has its own.
type Client struct {
	opts       Options
	addr       string // host:port to dial
	req        []byte
	head       bool
	replayable bool

	conn      net.Conn
	br        *bufio.Reader
	lastUsed  time.Time // when conn last finished a response
	done      <-chan struct{}
	stopAfter func() bool // stops the AfterFunc watching done

	resp fasthttp.Response
}

// New returns a Client for req, or an error wrapping ErrUnsupported if req
// needs net/http.
func New(req Request, opts Options) (*Client, error) {
	b, err := req.wire()
	if err != nil {
		return nil, err
	}
	c := &Client{opts: opts, addr: req.URL.Host, req: b, head: req.Method == "HEAD", replayable: req.replayable()}
	if req.URL.Port() == "" {
		c.addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	if c.opts.Dial == nil {
		c.opts.Dial = (&net.Dialer{}).DialContext
	}
	if c.opts.MaxHeaderBytes <= 0 {
		c.opts.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	c.resp.StreamBody = true
	return c, nil
}

// Close closes the Client's connection, if any. The Client may be used
// again: its next exchange dials.
func (c *Client) Close() {
	if c.conn == nil {
		return
	}
	c.unwatch()
	c.conn.Close()
	c.conn = nil
}

// Do sends the request and reads the response, body and all, reporting
// phases to tr, start being when the caller's op began (on a kept-alive
// connection the request is written right after it: one clock reading
// fewer). If a kept-alive connection turns out closed before any byte of
// a response, it dials again and sends the request once more, as net/http
// does. The end of ctx ends the exchange.
//
// An error with a Status of 0 came before a response's header was read
// (net/http reports no response then); with a Status, reading the body
// failed. A timeout wraps os.ErrDeadlineExceeded, a malformed response
// ErrProtocol.
func (c *Client) Do(ctx context.Context, tr Tracer, start time.Time) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	var deadline time.Time
	if c.opts.Timeout > 0 {
		deadline = start.Add(c.opts.Timeout)
	}
	for attempt := 0; ; attempt++ {
		if c.conn != nil && !c.replayable && start.Sub(c.lastUsed) > c.opts.MaxIdle {
			c.Close()
		}
		reused := c.conn != nil
		if !reused {
			if err := c.dial(ctx, tr, deadline); err != nil {
				return Response{}, err
			}
		}
		c.watch(ctx)
		if err := c.conn.SetDeadline(deadline); err != nil {
			return Response{}, err
		}
		// After SetDeadline, which would overwrite the past deadline the
		// end of ctx sets: see watch.
		if err := ctx.Err(); err != nil {
			return Response{}, err
		}
		wrote := start
		if !reused || attempt > 0 {
			wrote = time.Now()
		}
		_, err := c.conn.Write(c.req)
		written := time.Now()
		var fb time.Time
		// net/http sends a request again on a new connection if writing it
		// to a kept-alive one failed, or if the target closed that one
		// before answering and the request is replayable.
		retry := true
		if err == nil {
			tr.Phase(Write, wrote, written)
			_, err = c.br.Peek(1)
			fb = time.Now()
			retry = c.replayable
		}
		if err != nil {
			c.Close()
			if reused && attempt == 0 && retry && ctx.Err() == nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			return Response{}, err
		}
		tr.Phase(Wait, written, fb)
		resp, keep, err := c.read()
		end := time.Now()
		tr.Phase(Read, fb, end)
		c.lastUsed = end
		if err != nil || !keep {
			c.Close()
		}
		return resp, err
	}
}

// dial opens the connection, reporting the connect phase.
func (c *Client) dial(ctx context.Context, tr Tracer, deadline time.Time) error {
	dctx := ctx
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		dctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	t0 := time.Now()
	conn, err := c.opts.Dial(dctx, "tcp", c.addr)
	tr.Phase(Connect, t0, time.Now())
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("dial %s: %w", c.addr, os.ErrDeadlineExceeded)
		}
		return err
	}
	c.conn = conn
	if c.br == nil || c.br.Size() != readBufSize {
		c.br = bufio.NewReaderSize(conn, readBufSize)
	} else {
		c.br.Reset(conn)
	}
	return nil
}

// watch arranges for the end of ctx to unblock the connection: a deadline
// in the past fails any read or write in progress. One AfterFunc watches
// each connection for as long as the caller's context keeps its Done
// channel (a worker runs all its exchanges under one context), so an
// exchange costs none; a context with another Done channel is watched
// anew.
func (c *Client) watch(ctx context.Context) {
	done := ctx.Done()
	if c.stopAfter != nil && c.done == done {
		return
	}
	c.unwatch()
	c.done = done
	if done == nil {
		return
	}
	conn := c.conn
	c.stopAfter = context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
}

func (c *Client) unwatch() {
	if c.stopAfter != nil {
		c.stopAfter()
		c.stopAfter = nil
	}
	c.done = nil
}
