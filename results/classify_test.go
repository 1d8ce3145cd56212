package results

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
)

type classErr struct{ class string }

func (e classErr) Error() string      { return "sdk failure" }
func (e classErr) ErrorClass() string { return e.class }

type statusOnly struct{ code int }

func (e statusOnly) Error() string   { return "status" }
func (e statusOnly) HTTPStatus() int { return e.code }

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"carried class wins", fmt.Errorf("op: %w", classErr{ClassCrypto}), ClassCrypto},
		{"empty carried class falls through", classErr{""}, ClassOther},
		{"status error 404", statusErr(404), ClassHTTP4xx},
		{"status error 503 wrapped", fmt.Errorf("user_create: %w", statusErr(503)), ClassHTTP5xx},
		{"status error 302", statusErr(302), ClassProtocol},
		{"status only 429", statusOnly{429}, ClassHTTP4xx},
		{"status only 0 falls through", statusOnly{0}, ClassOther},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), ClassCanceled},
		{"deadline", context.DeadlineExceeded, ClassTimeout},
		{"os deadline", os.ErrDeadlineExceeded, ClassTimeout},
		{"net timeout in url.Error", &url.Error{Op: "Get", URL: "http://x", Err: timeoutErr{}}, ClassTimeout},
		{"refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, ClassConnRefused},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, ClassConnReset},
		{"epipe", fmt.Errorf("write: %w", syscall.EPIPE), ClassConnReset},
		{"unexpected eof", fmt.Errorf("body: %w", io.ErrUnexpectedEOF), ClassConnReset},
		{"reset by text", errors.New("read tcp: connection reset by peer"), ClassConnReset},
		{"refused by text", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), ClassConnRefused},
		{"x509 unknown authority", &url.Error{Op: "Get", URL: "https://x", Err: x509.UnknownAuthorityError{}}, ClassTLS},
		{"tls by text", errors.New("remote error: tls: bad certificate"), ClassTLS},
		{"other", errors.New("boom"), ClassOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// statusErr is an error that carries an HTTP status, as the ops' errors do.
type statusErr int

func (e statusErr) Error() string   { return fmt.Sprintf("unexpected HTTP status %d", int(e)) }
func (e statusErr) HTTPStatus() int { return int(e) }
