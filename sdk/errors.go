package sdk

import (
	"errors"
	"fmt"
	"strings"
)

// ServerMessage is one entry of the error list the service returns with a
// 4xx status: {"message": "...", "code": n}.
type ServerMessage struct {
	Message string `json:"message"`
	Code    int    `json:"code"`
}

// ServiceError is an HTTP error status returned by the service for one call.
// Errors holds the service's error list when the body had one (4xx other
// than 404 and 429); Message is the summary ironoxide gives for the others.
type ServiceError struct {
	Call    string // the call, e.g. "user_create"
	Status  int    // the final HTTP status
	Message string
	Errors  []ServerMessage
}

// Error describes the failed call, its status and the service's messages.
func (e *ServiceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sdk: %s: HTTP %d", e.Call, e.Status)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for i, m := range e.Errors {
		if i == 0 {
			b.WriteString(":")
		} else {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s (code %d)", m.Message, m.Code)
	}
	return b.String()
}

// ErrorClass returns "auth" for 401 and 403, "http_5xx" for 5xx and
// "http_4xx" otherwise.
func (e *ServiceError) ErrorClass() string {
	switch {
	case e.Status == 401 || e.Status == 403:
		return "auth"
	case e.Status >= 500:
		return "http_5xx"
	}
	return "http_4xx"
}

// HTTPStatus returns the final HTTP status.
func (e *ServiceError) HTTPStatus() int { return e.Status }

// Code returns the first IronCore error code of the service's error list, or
// 0 when there is none.
func (e *ServiceError) Code() int {
	if len(e.Errors) == 0 {
		return 0
	}
	return e.Errors[0].Code
}

// AuthError is a failure to authenticate on the client side: an identity
// assertion key that cannot sign, a bad JWT, a device key that cannot sign.
// It never holds the key or token itself.
type AuthError struct {
	Op  string
	Err error
}

// Error describes the failure without any key or token.
func (e *AuthError) Error() string { return "sdk: " + e.Op + ": auth: " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *AuthError) Unwrap() error { return e.Err }

// ErrorClass returns "auth".
func (e *AuthError) ErrorClass() string { return "auth" }

// HTTPStatus returns 0: the error arose before or without a response.
func (e *AuthError) HTTPStatus() int { return 0 }

// CryptoError is a failed cryptographic step: a wrong password (the master
// key does not decrypt), a document that does not authenticate, a recrypt
// failure. It never holds key material.
type CryptoError struct {
	Op  string // e.g. "decrypt master key"
	Err error
}

// Error names the step that failed.
func (e *CryptoError) Error() string { return "sdk: crypto: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *CryptoError) Unwrap() error { return e.Err }

// ErrorClass returns "crypto".
func (e *CryptoError) ErrorClass() string { return "crypto" }

// HTTPStatus returns 0.
func (e *CryptoError) HTTPStatus() int { return 0 }

// ProtocolError is a response the SDK cannot use: a body that is not the
// JSON it expects, a field of the wrong size, a 4xx whose body is not an
// error list. Status is the HTTP status when there was one.
type ProtocolError struct {
	Call   string
	Status int
	Err    error
}

// Error describes the unusable response.
func (e *ProtocolError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("sdk: %s: protocol (HTTP %d): %v", e.Call, e.Status, e.Err)
	}
	return fmt.Sprintf("sdk: %s: protocol: %v", e.Call, e.Err)
}

// Unwrap returns the underlying error.
func (e *ProtocolError) Unwrap() error { return e.Err }

// ErrorClass returns "protocol".
func (e *ProtocolError) ErrorClass() string { return "protocol" }

// HTTPStatus returns the HTTP status of the response, 0 if none.
func (e *ProtocolError) HTTPStatus() int { return e.Status }

// Sentinel errors for client-side checks. They are wrapped, so test with
// errors.Is.
var (
	// ErrInvalidID reports a user, group or document ID outside ironoxide's rules.
	ErrInvalidID = errors.New("sdk: invalid id")
	// ErrUserNotFound reports a user ID the service does not know.
	ErrUserNotFound = errors.New("sdk: user does not exist")
	// ErrGroupNotFound reports a group ID the service does not know.
	ErrGroupNotFound = errors.New("sdk: group does not exist")
	// ErrNotGroupAdmin reports a group edit by a caller that is not an admin.
	ErrNotGroupAdmin = errors.New("sdk: caller is not a group admin")
	// ErrNoUser reports that UserVerify or GenerateDevice found no user for the JWT.
	ErrNoUser = errors.New("sdk: no user for this identity")
	// ErrEmptyPassword reports a password that is empty after trimming.
	ErrEmptyPassword = errors.New("sdk: password is empty")
	// ErrEmptyGrants reports an access change with nobody in it.
	ErrEmptyGrants = errors.New("sdk: no users or groups given")
	// ErrInvalidGroupOptions reports GroupCreateOptions ironoxide refuses,
	// such as admins without the owner.
	ErrInvalidGroupOptions = errors.New("sdk: invalid group options")
	// ErrBadDocument reports bytes that are not a version-2 IronCore document.
	ErrBadDocument = errors.New("sdk: not an IronCore version-2 document")
)

// Compile-time checks that every typed error classifies itself.
var (
	_ classified = (*ServiceError)(nil)
	_ classified = (*AuthError)(nil)
	_ classified = (*CryptoError)(nil)
	_ classified = (*ProtocolError)(nil)
)

type classified interface {
	error
	ErrorClass() string
	HTTPStatus() int
}
