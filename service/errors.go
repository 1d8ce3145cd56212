package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// apiError is one entry of the service's error body: a JSON array of {"message","code"}
// (spec §8).
type apiError struct {
	Message string `json:"message"`
	Code    int    `json:"code"`
}

// Error codes this service puts in error bodies. The real service's code meanings are not
// published (spec §9), so these are this implementation's own.
const (
	codeInjectedFault = 1
	codeBadRequest    = 2
	codeForbidden     = 3
)

// writeErrors answers with status and a JSON error array.
func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	body, err := json.Marshal(errs)
	if err != nil {
		body = []byte(`[{"message":"internal error","code":0}]`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing to do about it
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeErrors(w, http.StatusInternalServerError, apiError{Message: "encoding response", Code: 0})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// More error codes, one per kind of refusal.
const (
	codeUnauthorized = 4
	codeNotFound     = 5
	codeConflict     = 6
	codeStoreFull    = 7
	codeInternal     = 8
	codeTooLarge     = 9
	codeTimeout      = 10
)

// tooLargeError is a request body over the limit (413).
type tooLargeError struct{ limit int }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("body is larger than %d bytes", e.limit)
}

// timeoutError is a request body that did not arrive in time (408).
type timeoutError struct{ limit time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("body did not arrive within %v", e.limit)
}

// forbiddenError refuses an authenticated caller (403).
type forbiddenError struct{ msg string }

func (e *forbiddenError) Error() string { return e.msg }

// notFoundError names something that does not exist or that the caller may not see (404).
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// badRequestError is a malformed or invalid request (400).
type badRequestError struct{ msg string }

func (e *badRequestError) Error() string { return e.msg }

// conflictError is a create of something that exists (409).
type conflictError struct{ msg string }

func (e *conflictError) Error() string { return e.msg }

func badRequestf(format string, args ...any) error {
	return &badRequestError{fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) error { return &notFoundError{fmt.Sprintf(format, args...)} }

func forbiddenf(format string, args ...any) error {
	return &forbiddenError{fmt.Sprintf(format, args...)}
}

// StoreFullError reports that a configured limit of the in-memory store was reached. The
// service answers 507 Insufficient Storage with it.
type StoreFullError struct {
	What  string // "users", "devices", "groups" or "documents"
	Limit int
}

func (e *StoreFullError) Error() string {
	return fmt.Sprintf("service: store full: %d %s (raise Config.Limits to allow more)", e.Limit, e.What)
}

// fail answers err with the status and error body its kind calls for.
func fail(w http.ResponseWriter, err error) {
	var (
		ae *authError
		fe *forbiddenError
		ne *notFoundError
		be *badRequestError
		ce *conflictError
		se *StoreFullError
		le *tooLargeError
		te *timeoutError
	)
	switch {
	case errors.As(err, &ae):
		writeErrors(w, http.StatusUnauthorized, apiError{Message: ae.msg, Code: codeUnauthorized})
	case errors.As(err, &fe):
		writeErrors(w, http.StatusForbidden, apiError{Message: fe.msg, Code: codeForbidden})
	case errors.As(err, &ne):
		// Clients ignore 404 bodies (spec §8); it is sent for people reading traces.
		writeErrors(w, http.StatusNotFound, apiError{Message: ne.msg, Code: codeNotFound})
	case errors.As(err, &be):
		writeErrors(w, http.StatusBadRequest, apiError{Message: be.msg, Code: codeBadRequest})
	case errors.As(err, &ce):
		writeErrors(w, http.StatusConflict, apiError{Message: ce.msg, Code: codeConflict})
	case errors.As(err, &le):
		writeErrors(w, http.StatusRequestEntityTooLarge, apiError{Message: le.Error(), Code: codeTooLarge})
	case errors.As(err, &te):
		writeErrors(w, http.StatusRequestTimeout, apiError{Message: te.Error(), Code: codeTimeout})
	case errors.As(err, &se):
		writeErrors(w, http.StatusInsufficientStorage, apiError{Message: se.Error(), Code: codeStoreFull})
	default:
		// Internal errors come from this package and sdk/recrypt, whose errors never carry
		// keys or plaintexts; the message helps whoever reads the trace.
		writeErrors(w, http.StatusInternalServerError, apiError{Message: "internal error: " + err.Error(), Code: codeInternal})
	}
}
