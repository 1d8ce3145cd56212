package service

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// JWTLifetime is how long after its iat a JWT is accepted (spec §3.1: the service ignores exp
// and refuses JWTs received more than 120 s after iat).
const JWTLifetime = 120 * time.Second

// claimPrefix is the namespace IdPs such as Auth0 put before private claims.
const claimPrefix = "http://ironcore/"

// jwtClaims are the verified claims of an identity assertion.
type jwtClaims struct {
	UserID string // uid if present, else sub
	Sub    string
	IAT    time.Time
}

// authError is a refusal of credentials; its message is safe to send to the client and never
// contains the credential itself.
type authError struct{ msg string }

func (e *authError) Error() string { return e.msg }

func authErrorf(format string, args ...any) error { return &authError{fmt.Sprintf(format, args...)} }

// verifyJWT checks a compact JWS identity assertion: its alg (ES256 or RS256), its signature
// against the identity key named by kid, that pid and sid name the project, and that now is
// within [iat-futureSkew, iat+JWTLifetime]. Errors are *authError.
func (s *Server) verifyJWT(token string, now time.Time) (*jwtClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, authErrorf("jwt: not a compact JWS (want three dot-separated parts)")
	}
	hdrJSON, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, authErrorf("jwt: header is not base64url")
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(hdrJSON, &hdr); err != nil {
		return nil, authErrorf("jwt: header is not a JSON object")
	}
	if hdr.Alg != "ES256" && hdr.Alg != "RS256" {
		return nil, authErrorf("jwt: alg %q is not ES256 or RS256", hdr.Alg)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, authErrorf("jwt: payload is not base64url")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, authErrorf("jwt: signature is not base64url")
	}
	raw, err := decodeClaims(payload)
	if err != nil {
		return nil, err
	}
	key, ok := s.identityKeys[raw.kid]
	if !ok {
		return nil, authErrorf("jwt: kid %d is not an identity assertion key of this project", raw.kid)
	}
	digest := sha256.Sum256([]byte(token[:len(parts[0])+1+len(parts[1])]))
	if !verifyJWS(hdr.Alg, key, digest[:], sig) {
		return nil, authErrorf("jwt: signature does not verify with key %d", raw.kid)
	}
	if raw.pid != s.project.ID {
		return nil, authErrorf("jwt: pid %d is not this project", raw.pid)
	}
	if raw.sid != s.project.Segment {
		return nil, authErrorf("jwt: sid %q is not this project's segment", raw.sid)
	}
	iat := time.Unix(raw.iat, 0)
	if now.Sub(iat) > JWTLifetime {
		return nil, authErrorf("jwt: issued %v ago; accepted for %v", now.Sub(iat).Truncate(time.Second), JWTLifetime)
	}
	if iat.Sub(now) > s.futureSkew {
		return nil, authErrorf("jwt: issued %v in the future; allowed is %v", iat.Sub(now).Truncate(time.Second), s.futureSkew)
	}
	c := &jwtClaims{UserID: raw.sub, Sub: raw.sub, IAT: iat}
	if raw.uid != "" {
		c.UserID = raw.uid
	}
	if err := validateID(c.UserID); err != nil {
		return nil, authErrorf("jwt: user ID: %v", err)
	}
	return c, nil
}

// rawClaims are the claims as found, before checking.
type rawClaims struct {
	sub, uid, sid string
	pid, kid      uint32
	iat           int64
}

// decodeClaims reads the claims, each from its plain or its http://ironcore/ name.
func decodeClaims(payload []byte) (*rawClaims, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, authErrorf("jwt: payload is not a JSON object")
	}
	get := func(name string, prefixed bool) (json.RawMessage, bool) {
		if v, ok := m[name]; ok {
			return v, true
		}
		if prefixed {
			v, ok := m[claimPrefix+name]
			return v, ok
		}
		return nil, false
	}
	var c rawClaims
	str := func(name string, prefixed, required bool, dst *string) error {
		v, ok := get(name, prefixed)
		if !ok {
			if required {
				return authErrorf("jwt: claim %s is missing", name)
			}
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return authErrorf("jwt: claim %s is not a string", name)
		}
		return nil
	}
	num := func(name string, prefixed bool, bits int) (uint64, error) {
		v, ok := get(name, prefixed)
		if !ok {
			return 0, authErrorf("jwt: claim %s is missing", name)
		}
		// encoding/json would also read a string of digits into a json.Number; a claim that
		// is a string is not a number.
		var n json.Number
		if t := bytes.TrimSpace(v); len(t) > 0 && t[0] == '"' {
			return 0, authErrorf("jwt: claim %s is not a number", name)
		}
		if err := json.Unmarshal(v, &n); err != nil {
			return 0, authErrorf("jwt: claim %s is not a number", name)
		}
		bi, ok := new(big.Int).SetString(n.String(), 10)
		if !ok || bi.Sign() < 0 || bi.BitLen() > bits {
			return 0, authErrorf("jwt: claim %s is not an unsigned %d-bit integer", name, bits)
		}
		return bi.Uint64(), nil
	}
	if err := errors.Join(str("sub", false, true, &c.sub), str("uid", true, false, &c.uid), str("sid", true, true, &c.sid)); err != nil {
		return nil, firstAuthError(err)
	}
	pid, err := num("pid", true, 32)
	if err != nil {
		return nil, err
	}
	kid, err := num("kid", true, 32)
	if err != nil {
		return nil, err
	}
	iat, err := num("iat", false, 62)
	if err != nil {
		return nil, err
	}
	c.pid, c.kid, c.iat = uint32(pid), uint32(kid), int64(iat)
	return &c, nil
}

// firstAuthError returns the first *authError in a joined error.
func firstAuthError(err error) error {
	var ae *authError
	if errors.As(err, &ae) {
		return ae
	}
	return err
}

// verifyJWS checks sig over a SHA-256 digest with key, for alg ES256 (sig = r||s, 32 bytes each)
// or RS256 (PKCS #1 v1.5).
func verifyJWS(alg string, key crypto.PublicKey, digest, sig []byte) bool {
	switch alg {
	case "ES256":
		pk, ok := key.(*ecdsa.PublicKey)
		if !ok || len(sig) != 64 {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(pk, digest, r, s)
	case "RS256":
		pk, ok := key.(*rsa.PublicKey)
		return ok && rsa.VerifyPKCS1v15(pk, crypto.SHA256, digest, sig) == nil
	}
	return false
}
