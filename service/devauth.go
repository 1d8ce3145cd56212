package service

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Header names of device-signed requests (spec §3.2.2).
const (
	headerUserContext = "X-Ironcore-User-Context"
	headerRequestSig  = "X-Ironcore-Request-Sig"
)

// deviceClaims is what a device signature states: who signs, when, with which key.
type deviceClaims struct {
	ts        time.Time
	segmentID int64
	userID    string
	signing   []byte // Ed25519 public key, 32 bytes
}

// caller is an authenticated device and its user.
type caller struct {
	user   *user
	device *device
}

// authDevice authenticates a device-signed request whose body has been read into body. It
// accepts version 2 (ironoxide: user context and request signature headers, spec §3.2) and
// version 1 (older SDKs: one signed JSON token, Appendix A), then checks the timestamp against
// the clock-skew window, the segment, and that the signing key is a current device of an
// enabled user. Errors are *authError and do not repeat credentials.
func (s *Server) authDevice(r *http.Request, body []byte) (*caller, error) {
	h := r.Header.Get("Authorization")
	var claims *deviceClaims
	var err error
	switch {
	case strings.HasPrefix(h, "IronCore 2."):
		claims, err = verifyV2(r, strings.TrimPrefix(h, "IronCore 2."), body)
	case strings.HasPrefix(h, "IronCore 1."):
		claims, err = verifyV1(strings.TrimPrefix(h, "IronCore 1."))
	case h == "":
		err = authErrorf("missing Authorization header")
	default:
		err = authErrorf("Authorization is not an IronCore device signature (version 1 or 2)")
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.checkTimestamp("request", claims.ts, now); err != nil {
		return nil, err
	}
	if claims.segmentID != s.project.SegmentID {
		return nil, authErrorf("segment %d is not this service's segment", claims.segmentID)
	}
	d, ok := s.store.deviceBySigningKey(claims.signing)
	if !ok || !hmac.Equal([]byte(d.userID), []byte(claims.userID)) {
		return nil, authErrorf("signing key is not a device of user %q", claims.userID)
	}
	u, ok := s.store.user(d.userID)
	if !ok {
		return nil, authErrorf("signing key is not a device of user %q", claims.userID)
	}
	if u.status() != statusEnabled {
		return nil, &forbiddenError{"user is disabled"}
	}
	if err := s.checkReplay(r, body, claims.ts, now); err != nil {
		return nil, err
	}
	return &caller{user: u, device: d}, nil
}

// checkTimestamp checks a signed timestamp against the server's clock: at most ClockSkew
// behind, at most FutureSkew ahead.
func (s *Server) checkTimestamp(what string, ts, now time.Time) error {
	switch d := now.Sub(ts); {
	case d > s.skew:
		return authErrorf("%s timestamp is %v behind the server's clock; allowed is %v", what, d.Truncate(time.Millisecond), s.skew)
	case -d > s.futureSkew:
		return authErrorf("%s timestamp is %v ahead of the server's clock; allowed is %v", what, (-d).Truncate(time.Millisecond), s.futureSkew)
	}
	return nil
}

// verifyV2 checks an "IronCore 2." signature: Ed25519 over the user-context header, and the
// request signature over user context || METHOD || signed path || body.
func verifyV2(r *http.Request, sigB64 string, body []byte) (*deviceClaims, error) {
	uc := r.Header.Get(headerUserContext)
	if uc == "" {
		return nil, authErrorf("missing X-IronCore-User-Context header")
	}
	first := strings.IndexByte(uc, ',')
	second := first + 1 + strings.IndexByte(uc[first+1:], ',')
	last := strings.LastIndexByte(uc, ',')
	if first < 0 || second <= first || last <= second {
		return nil, authErrorf("X-IronCore-User-Context is not \"ts,segmentId,userId,publicSigningKey\"")
	}
	ts, err1 := strconv.ParseInt(uc[:first], 10, 64)
	seg, err2 := strconv.ParseInt(uc[first+1:second], 10, 64)
	pub, err3 := base64.StdEncoding.DecodeString(uc[last+1:])
	if err1 != nil || err2 != nil || err3 != nil || len(pub) != ed25519.PublicKeySize {
		return nil, authErrorf("X-IronCore-User-Context is not \"ts,segmentId,userId,publicSigningKey\"")
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, authErrorf("authorization signature is not 64 bytes of base64")
	}
	if !ed25519.Verify(pub, []byte(uc), sig) {
		return nil, authErrorf("authorization signature does not verify")
	}
	reqSig, err := base64.StdEncoding.DecodeString(r.Header.Get(headerRequestSig))
	if err != nil || len(reqSig) != ed25519.SignatureSize {
		return nil, authErrorf("X-IronCore-Request-Sig is not 64 bytes of base64")
	}
	path := signedPath(r)
	msg := make([]byte, 0, len(uc)+len(r.Method)+len(path)+len(body))
	msg = append(append(append(append(msg, uc...), r.Method...), path...), body...)
	if !ed25519.Verify(pub, msg, reqSig) {
		return nil, authErrorf("X-IronCore-Request-Sig does not verify for %s %s", r.Method, path)
	}
	return &deviceClaims{ts: time.UnixMilli(ts), segmentID: seg, userID: uc[second+1 : last], signing: pub}, nil
}

// signedPath returns what version 2 signs of the URL (spec §3.2.4): the path as sent, plus "?"
// and the query as sent with every %27 turned back into '.
func signedPath(r *http.Request) string {
	target := r.RequestURI
	if !strings.HasPrefix(target, "/") {
		// Absolute form (through a proxy) or a request built in a test.
		u, err := url.Parse(target)
		if err != nil || target == "" {
			u = r.URL
		}
		target = u.EscapedPath()
		if u.RawQuery != "" {
			target += "?" + u.RawQuery
		}
	}
	p, q, ok := strings.Cut(target, "?")
	if !ok {
		return p
	}
	return p + "?" + strings.ReplaceAll(q, "%27", "'")
}

// verifyV1 checks an "IronCore 1.<b64 J>.<b64 sig>" signature: Ed25519 over the exact JSON text
// J = {"ts":ms,"sid":segment,"uid":"user","x":"b64 public key"} (Appendix A). Method, path and
// body are not covered.
func verifyV1(rest string) (*deviceClaims, error) {
	jB64, sigB64, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, authErrorf("version 1 authorization is not \"IronCore 1.<token>.<signature>\"")
	}
	j, err := base64.StdEncoding.DecodeString(jB64)
	if err != nil {
		return nil, authErrorf("version 1 token is not base64")
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, authErrorf("version 1 signature is not 64 bytes of base64")
	}
	var tok struct {
		TS  *int64  `json:"ts"`
		SID *int64  `json:"sid"`
		UID *string `json:"uid"`
		X   []byte  `json:"x"`
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	if err := dec.Decode(&tok); err != nil || tok.TS == nil || tok.SID == nil || tok.UID == nil {
		return nil, authErrorf("version 1 token is not {\"ts\",\"sid\",\"uid\",\"x\"}")
	}
	if len(tok.X) != ed25519.PublicKeySize {
		return nil, authErrorf("version 1 token's x is not a 32-byte public key")
	}
	if !ed25519.Verify(tok.X, j, sig) {
		return nil, authErrorf("version 1 signature does not verify")
	}
	return &deviceClaims{ts: time.UnixMilli(*tok.TS), segmentID: *tok.SID, userID: *tok.UID, signing: tok.X}, nil
}
