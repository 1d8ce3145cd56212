package http1

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/valyala/fasthttp"
)

// max1xx is how many 1xx responses may come before the real one, as
// net/http's transport allows.
const max1xx = 5

// read reads one response from the connection, skipping 1xx ones, and
// discards its body. keep reports whether the connection may carry
// another request.
func (c *Client) read() (resp Response, keep bool, err error) {
	h := &c.resp.Header
	for n := 0; ; n++ {
		if n > max1xx {
			return Response{}, false, fmt.Errorf("%w: more than %d 1xx responses", ErrProtocol, max1xx)
		}
		if err := c.readHeader(h); err != nil {
			return Response{}, false, err
		}
		status := h.StatusCode()
		if status == http.StatusSwitchingProtocols {
			return Response{Status: status}, false, fmt.Errorf("%w: 101 Switching Protocols", ErrProtocol)
		}
		if status >= 200 {
			break
		}
		// 1xx: the real response follows.
	}
	// Until the header is read there is no response: like net/http, an
	// error before here reports no status.
	resp.Status = h.StatusCode()
	if isRedirect(resp.Status) {
		resp.Location = string(h.Peek("Location"))
	}
	keep = !h.ConnectionClose()
	if c.head || resp.Status == http.StatusNoContent || resp.Status == http.StatusNotModified {
		return resp, keep, nil
	}
	n := h.ContentLength()
	switch {
	case n >= 0:
		if _, err := c.br.Discard(n); err != nil {
			return resp, false, unexpectedEOF(err)
		}
	default: // -1: chunked; -2: to the end of the connection
		if n != -1 {
			keep = false
		}
		if err := c.resp.ReadBody(c.br, 0); err != nil {
			return resp, false, err
		}
		_, err := io.Copy(io.Discard, c.resp.BodyStream())
		c.resp.CloseBodyStream()
		if err != nil {
			return resp, false, unexpectedEOF(err)
		}
	}
	return resp, keep, nil
}

// readHeader reads a response header into h with fasthttp's parser,
// growing the read buffer for a header larger than it, up to
// MaxHeaderBytes.
func (c *Client) readHeader(h *fasthttp.ResponseHeader) error {
	if err := checkStatusLine(c.br); err != nil {
		return err
	}
	for {
		err := h.Read(c.br)
		switch {
		case err == nil:
			return nil
		case isSmallBuffer(err):
			if c.br.Size() >= c.opts.MaxHeaderBytes {
				return fmt.Errorf("%w: a header larger than %d bytes", ErrProtocol, c.opts.MaxHeaderBytes)
			}
			// The bigger reader reads on from the buffered one, which
			// still holds what the parser peeked.
			c.br = bufio.NewReaderSize(c.br, min(2*c.br.Size(), c.opts.MaxHeaderBytes))
		case errors.Is(err, io.EOF):
			// Peek(1) saw the first byte: the connection closed mid-header.
			return io.ErrUnexpectedEOF
		case errors.Is(err, fasthttp.ErrTimeout):
			return fmt.Errorf("reading a response header: %w", os.ErrDeadlineExceeded)
		case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, net.ErrClosed):
			return err
		default:
			// fasthttp's message quotes the header; keep only what it
			// found wrong (a response header may carry secrets).
			if inner := errors.Unwrap(err); inner != nil {
				err = inner
			}
			return fmt.Errorf("%w: %v", ErrProtocol, err)
		}
	}
}

// unexpectedEOF turns io.EOF in a body into io.ErrUnexpectedEOF, as
// net/http reports a body cut short.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// isRedirect reports whether net/http's client follows a response of
// status code.
func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// isSmallBuffer reports whether err says a header did not fit the read
// buffer. (A function of its own: the target of errors.As escapes, and
// the exchange without an error allocates nothing.)
func isSmallBuffer(err error) bool {
	var small *fasthttp.ErrSmallBuffer
	return errors.As(err, &small)
}

// checkStatusLine refuses a response whose status line does not start
// "HTTP/1.x DDD" with DDD from 100 up. fasthttp's parser takes more (blank
// lines before it; other versions; status 000, which it reports as 200);
// net/http takes no blank lines nor other major versions.
func checkStatusLine(br *bufio.Reader) error {
	line, err := br.Peek(len("HTTP/1.1 200"))
	if err != nil {
		if len(line) > 0 && errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if string(line[:7]) != "HTTP/1." || line[7] < '0' || line[7] > '9' || line[8] != ' ' || line[9] < '1' || line[9] > '9' ||
		line[10] < '0' || line[10] > '9' || line[11] < '0' || line[11] > '9' {
		return fmt.Errorf("%w: status line %q", ErrProtocol, line)
	}
	return nil
}
