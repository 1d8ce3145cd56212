package results

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
)

// The error classes every report counts. Classify returns one of them for a
// non-nil error.
const (
	ClassHTTP4xx     = "http_4xx"
	ClassHTTP5xx     = "http_5xx"
	ClassTimeout     = "timeout"
	ClassConnRefused = "conn_refused"
	ClassConnReset   = "conn_reset"
	ClassTLS         = "tls"
	ClassAuth        = "auth"
	ClassCrypto      = "crypto"
	ClassProtocol    = "protocol"
	// ClassCanceled is a sample loadgen itself cut off (a second SIGINT,
	// the end of graceful_stop or of a capacity level's drain): not the
	// target's error. Reports count it as interrupted, not in an op's
	// count, errors, latencies, error_rate or thresholds.
	ClassCanceled = "canceled"
	// ClassWorkload is loadgen's own error, not the target's: a step
	// asked for what the run cannot give (no pool document encrypted to
	// a group, no user left to add).
	ClassWorkload = "workload"
	ClassOther    = "other"
)

// keepsReason reports whether errors of class keep their message as a
// reason in the summary: those whose class alone does not say what went
// wrong.
func keepsReason(class string) bool { return class == ClassOther || class == ClassWorkload }

// maxReasonLen caps a reason's length in bytes. A recording shard keeps
// up to maxKeptReasons distinct reasons per (scenario, op), counting
// further ones under otherReasons; a summary shows the maxReasons most
// frequent and counts the rest under otherReasons.
const (
	maxReasonLen   = 200
	maxKeptReasons = 64
	maxReasons     = 8
	otherReasons   = "(further reasons)"
)

// topReasons returns the maxReasons most frequent reasons of m (ties by
// name), the rest counted under otherReasons; nil for none.
func topReasons(m map[string]int64) map[string]int64 {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make(map[string]int64, min(len(keys), maxReasons+1))
	for i, k := range keys {
		if i < maxReasons && k != otherReasons {
			out[k] = m[k]
		} else {
			out[otherReasons] += m[k]
		}
	}
	return out
}

// reason returns the short reason of a failed sample: its HTTP status, if
// any and not in the message already, and its message, cut at
// maxReasonLen.
func reason(status int, err error) string {
	msg := "(no message)"
	if err != nil {
		msg = err.Error()
	}
	if status != 0 && !strings.Contains(msg, strconv.Itoa(status)) {
		msg = "HTTP " + strconv.Itoa(status) + ": " + msg
	}
	if len(msg) > maxReasonLen {
		cut := maxReasonLen
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// classer is implemented by errors that know their class (the SDK's errors,
// the ops' status errors).
type classer interface{ ErrorClass() string }

// statuser is implemented by errors that carry an HTTP status.
type statuser interface{ HTTPStatus() int }

// Classify returns the error class of err, or "" for nil.
//
// In order: a class carried by any error in the chain through an
// ErrorClass() string method; an HTTP status carried through HTTPStatus() int
// (4xx → http_4xx, 5xx → http_5xx, anything else → protocol);
// context.Canceled → canceled; context.DeadlineExceeded, os.ErrDeadlineExceeded
// and net.Error timeouts → timeout; ECONNREFUSED → conn_refused; ECONNRESET,
// ECONNABORTED, EPIPE, io.EOF and io.ErrUnexpectedEOF → conn_reset; x509 and
// tls errors → tls; then the same by the text of the message ("connection
// refused", "connection reset", "broken pipe", "tls: ", "x509: "); else other.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	var c classer
	if errors.As(err, &c) {
		if class := c.ErrorClass(); class != "" {
			return class
		}
	}
	var st statuser
	if errors.As(err, &st) {
		if class := statusClass(st.HTTPStatus()); class != "" {
			return class
		}
	}
	switch {
	case errors.Is(err, context.Canceled):
		return ClassCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ClassTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ClassTimeout
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassConnRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ClassConnReset
	}
	if isTLS(err) {
		return ClassTLS
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return ClassConnRefused
	case strings.Contains(msg, "connection reset"), strings.Contains(msg, "broken pipe"):
		return ClassConnReset
	case strings.Contains(msg, "tls: "), strings.Contains(msg, "x509: "):
		return ClassTLS
	}
	return ClassOther
}

// statusClass maps an HTTP status to its class; "" for 0 (no status).
func statusClass(code int) string {
	switch {
	case code == 0:
		return ""
	case code >= 400 && code < 500:
		return ClassHTTP4xx
	case code >= 500 && code < 600:
		return ClassHTTP5xx
	}
	return ClassProtocol
}

// isTLS reports whether err's chain holds a TLS handshake or certificate
// error.
func isTLS(err error) bool {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalid     x509.CertificateInvalidError
		roots       x509.SystemRootsError
		verify      *tls.CertificateVerificationError
		header      tls.RecordHeaderError
		alert       tls.AlertError
	)
	return errors.As(err, &unknownAuth) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &roots) || errors.As(err, &verify) || errors.As(err, &header) || errors.As(err, &alert)
}
