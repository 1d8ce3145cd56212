package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// maxBody bounds request bodies; a document shared with a thousand grantees fits.
const maxBody = 4 << 20

// readBody reads the whole request body, up to maxBody.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &tooLargeError{limit: maxBody}
		}
		return nil, badRequestf("reading body: %v", err)
	}
	return b, nil
}

// decodeBody decodes a JSON body into v. Unknown fields are ignored, as the real service and
// the SDKs do (older SDKs send extra fields); anything after the value is an error.
func decodeBody(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return badRequestf("malformed JSON body: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequestf("malformed JSON body: data after the value")
	}
	return nil
}

// isNullBody reports whether a body-less request's body is absent or the JSON null that
// ironoxide sends (spec §2.2).
func isNullBody(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) == 0 || string(b) == "null"
}

// jwtHandler handles a JWT-authenticated request (spec §3.1).
type jwtHandler func(w http.ResponseWriter, r *http.Request, c *jwtClaims, token string, body []byte) error

// deviceHandler handles a device-signed request (spec §3.2).
type deviceHandler func(w http.ResponseWriter, r *http.Request, c *caller, body []byte) error

// withJWT authenticates "authorization: jwt <token>" before h.
func (s *Server) withJWT(h jwtHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(w, r)
		if err != nil {
			fail(w, err)
			return
		}
		token, ok := cutJWT(r.Header.Get("Authorization"))
		if !ok {
			fail(w, authErrorf("missing \"authorization: jwt <token>\" header"))
			return
		}
		c, err := s.verifyJWT(token, s.now())
		if err == nil {
			err = h(w, r, c, token, body)
		}
		if err != nil {
			fail(w, err)
		}
	}
}

// withDevice authenticates a device signature before h.
func (s *Server) withDevice(h deviceHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(w, r)
		if err != nil {
			fail(w, err)
			return
		}
		c, err := s.authDevice(r, body)
		if err == nil {
			err = h(w, r, c, body)
		}
		if err != nil {
			fail(w, err)
		}
	}
}
