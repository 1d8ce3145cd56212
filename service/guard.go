package service

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

// serveHTTP is the server's front handler. Before any route runs it refuses what no route
// should see, each with the spec's error array (§8): a path with an empty, "." or ".." segment
// (400; IDs "." and ".." are not allowed, §2.4), an unknown route (404) or method (405, with
// Allow), a body over maxBody (413) or one that does not arrive within the body timeout (408).
// The body is read here, whole, so a slow client holds no handler and no fault-layer stall
// starts before its request has arrived.
func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	hasBody := r.Body != nil && r.Body != http.NoBody
	rc := http.NewResponseController(rw)
	// The answer, too, must leave within the body timeout once it starts (a client that
	// never reads would otherwise hold its connection and the handler writing to it).
	w := http.ResponseWriter(rw)
	if s.bodyTimeout > 0 {
		dw := &deadlineWriter{ResponseWriter: rw, rc: rc, timeout: s.bodyTimeout}
		defer dw.arm() // the server's final flush, also of a handler that wrote nothing; cleared after it
		w = dw
	}
	// The deadline also bounds the server's discarding of a body left unread by a refusal.
	deadline := hasBody && s.bodyTimeout > 0 && rc.SetReadDeadline(time.Now().Add(s.bodyTimeout)) == nil
	if hasBody {
		// A refusal below leaves the body unread; the connection goes with it.
		w.Header().Set("Connection", "close")
	}
	if r.Method != http.MethodConnect {
		if p := r.URL.EscapedPath(); p != cleanPath(p) {
			writeErrors(w, http.StatusBadRequest, apiError{
				Message: "path has an empty, \".\" or \"..\" segment; IDs \".\" and \"..\" are not allowed",
				Code:    codeBadRequest,
			})
			return
		}
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.serveNoRoute(w, r)
		return
	}
	if hasBody {
		body, err := readWholeBody(rw, r)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				err = &timeoutError{s.bodyTimeout}
			}
			fail(w, err)
			return
		}
		if deadline {
			// Cleared before the handler runs: a pending background read that failed at
			// the deadline would cancel the request's context (a fault's stall, say).
			_ = rc.SetReadDeadline(time.Time{})
		}
		w.Header().Del("Connection")
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	s.mux.ServeHTTP(w, r)
}

// cleanPath is p with repeated slashes and "." and ".." segments resolved, keeping a trailing
// slash, as http.ServeMux cleans paths before it redirects.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if strings.HasSuffix(p, "/") && np != "/" {
		np += "/"
	}
	return np
}

// serveNoRoute answers a request no route matches: 405 with Allow when the path is served for
// other methods, else 404.
func (s *Server) serveNoRoute(w http.ResponseWriter, r *http.Request) {
	// The mux's own answer tells which: it writes 405 and sets Allow, or 404.
	probe := &statusProbe{header: make(http.Header)}
	h, _ := s.mux.Handler(r)
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		writeErrors(w, http.StatusMethodNotAllowed, apiError{
			Message: "method " + r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + probe.header.Get("Allow"),
			Code:    codeNotFound,
		})
		return
	}
	writeErrors(w, http.StatusNotFound, apiError{Message: "no route " + r.Method + " " + r.URL.Path, Code: codeNotFound})
}

// statusProbe is a ResponseWriter that keeps the status and headers and drops the body.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header { return p.header }

func (p *statusProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}

func (p *statusProbe) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return len(b), nil
}

// readWholeBody reads r's body, at most maxBody bytes.
func readWholeBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		return b, nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &tooLargeError{limit: maxBody}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, err
	}
	return nil, badRequestf("reading body: %v", err)
}

// deadlineWriter sets the connection's write deadline to timeout from the moment the answer
// starts: its status line, its first body bytes, or (arm deferred) the server's final flush.
// Faults that hold a request do so before anything is written, so they are not cut short.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	armed   bool
}

func (w *deadlineWriter) arm() {
	if !w.armed {
		w.armed = true
		_ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout)) // not supported: no deadline, as before
	}
}

func (w *deadlineWriter) WriteHeader(status int) {
	w.arm()
	w.ResponseWriter.WriteHeader(status)
}

func (w *deadlineWriter) Write(b []byte) (int, error) {
	w.arm()
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the server's writer (hijacking, deadlines, flushing).
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
