package http1

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Request is a request a Client sends, the same each time.
type Request struct {
	Method string // GET, POST, ...; upper case
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// ErrUnsupported says a request needs what only net/http does: TLS, a host
// name to resolve, user info, or a header that changes how the exchange
// runs (Connection, Expect, Transfer-Encoding, ...).
var ErrUnsupported = errors.New("http1: request needs net/http")

// wire returns the request's bytes as net/http writes them
// (Request.write, transferWriter): the request line, Host, User-Agent,
// Content-Length, then the other headers sorted, then the body.
func (r Request) wire() ([]byte, error) {
	u := r.URL
	if u == nil || u.Scheme != "http" || u.User != nil || net.ParseIP(u.Hostname()) == nil {
		return nil, fmt.Errorf("%w: want http:// and an IP address", ErrUnsupported)
	}
	for k, vs := range r.Header {
		switch k {
		case "Host", "Connection", "Expect", "Transfer-Encoding", "Content-Length", "Te", "Trailer", "Upgrade", "Proxy-Connection":
			return nil, fmt.Errorf("%w: header %s", ErrUnsupported, k)
		}
		// net/http refuses what is not a valid field; let it say so.
		if !validFieldName(k) {
			return nil, fmt.Errorf("%w: header name %q", ErrUnsupported, k)
		}
		for _, v := range vs {
			if !validFieldValue(v) {
				return nil, fmt.Errorf("%w: a value of header %s", ErrUnsupported, k)
			}
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.Method, u.RequestURI(), u.Host)
	ua := "Go-http-client/1.1"
	if _, ok := r.Header["User-Agent"]; ok {
		ua = r.Header.Get("User-Agent")
	}
	if ua != "" {
		fmt.Fprintf(&b, "User-Agent: %s\r\n", ua)
	}
	switch {
	case len(r.Body) > 0:
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(r.Body))
	case r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch:
		b.WriteString("Content-Length: 0\r\n")
	}
	if err := r.Header.WriteSubset(&b, map[string]bool{"User-Agent": true}); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	b.Write(r.Body)
	return b.Bytes(), nil
}

// replayable reports whether net/http sends the request again on a new
// connection when a kept-alive one closed before answering.
func (r Request) replayable() bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return r.Header.Get("Idempotency-Key") != "" || r.Header.Get("X-Idempotency-Key") != ""
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
