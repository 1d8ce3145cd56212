package service

import (
	"encoding/json"
	"net/http"
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
