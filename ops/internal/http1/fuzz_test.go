package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
)

// parsed is what a parser made of a response: its final status, whether
// it read the response through to the end of its body, and how many bytes
// of the input that took.
type parsed struct {
	status   int
	ok       bool
	consumed int
}

// ours reads data as a Client reads a response to a request of method.
func ours(data []byte, method string) parsed {
	c := &Client{head: method == http.MethodHead, opts: Options{MaxHeaderBytes: DefaultMaxHeaderBytes}}
	c.resp.StreamBody = true
	r := bytes.NewReader(data)
	c.br = bufio.NewReaderSize(r, readBufSize)
	resp, _, err := c.read()
	return parsed{status: resp.Status, ok: err == nil, consumed: len(data) - r.Len() - c.br.Buffered()}
}

// theirs reads data as net/http's transport reads a response to a request
// of method: http.ReadResponse, skipping 1xx responses but 101, then the
// body to its end.
func theirs(data []byte, method string) parsed {
	r := bytes.NewReader(data)
	br := bufio.NewReader(r)
	req := &http.Request{Method: method}
	for range 6 {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return parsed{}
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return parsed{status: resp.StatusCode, ok: err == nil && resp.StatusCode != http.StatusSwitchingProtocols, consumed: len(data) - r.Len() - br.Buffered()}
	}
	return parsed{}
}

// FuzzRead reads random responses with the Client's parser (fasthttp's)
// and with net/http's. Where both read a response through, they must
// agree on its status and on where it ends: a disagreement on framing
// would hand the next request's answer to the wrong request. Where the
// Client reads one through, net/http must too: the Client may refuse what
// net/http takes (a repeated, equal Content-Length, which RFC 9110 §8.6
// lets a recipient refuse; a status below 100), never take what net/http
// refuses.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		ok,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Sum: 1\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nall of it",
		"HTTP/1.1 100 Continue\r\n\r\n" + ok,
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n",
		"HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
		// Found by the fuzzer: fasthttp took these (status 000 as 200).
		"HTTP/0.0 000 000\n\n",
		"HTTP/0.0 000 00000000000000000\n\r\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		a, b := ours(data, method), theirs(data, method)
		if a.ok && (!b.ok || a.status != b.status || a.consumed != b.consumed) {
			t.Fatalf("%q (%s): ours %+v, net/http %+v", data, method, a, b)
		}
	})
}
