package sdk

import (
	"crypto/ed25519"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// authorizer sets the authentication headers of one request attempt. Header
// names are written in lower case, as ironoxide's HTTP stack sends them. It is
// called again before every retry, so a signature covers a fresh timestamp.
type authorizer interface {
	authorize(h http.Header, method, sigPath string, body []byte, now time.Time)
}

// jwtAuth authenticates with an identity-assertion JWT (§3.1).
type jwtAuth struct{ token string }

func (a jwtAuth) authorize(h http.Header, _, _ string, _ []byte, _ time.Time) {
	h["authorization"] = []string{"jwt " + a.token}
}

// deviceAuth signs requests with a device's Ed25519 key ("IronCore 2.",
// §3.2).
type deviceAuth struct {
	segmentID int64
	userID    string
	key       ed25519.PrivateKey // seed || public
}

func (a deviceAuth) authorize(h http.Header, method, sigPath string, body []byte, now time.Time) {
	ctxStr, auth, sig := signV2(a.key, now.UnixMilli(), a.segmentID, a.userID, method, sigPath, body)
	h["authorization"] = []string{auth}
	h["x-ironcore-user-context"] = []string{ctxStr}
	h["x-ironcore-request-sig"] = []string{sig}
}

// signV2 returns the X-IronCore-User-Context, authorization and
// X-IronCore-Request-Sig values for one request: the user context is
// "ts,segment,user,b64(pub)", the authorization signs it alone, and the
// request signature signs it followed by method, signed path and body.
// Signing uses the seed only, as recrypt does.
func signV2(key ed25519.PrivateKey, tsMillis, segmentID int64, userID, method, sigPath string, body []byte) (userContext, authorization, requestSig string) {
	pub := key[32:64]
	var b strings.Builder
	b.Grow(24 + len(userID) + 44)
	b.WriteString(strconv.FormatInt(tsMillis, 10))
	b.WriteByte(',')
	b.WriteString(strconv.FormatInt(segmentID, 10))
	b.WriteByte(',')
	b.WriteString(userID)
	b.WriteByte(',')
	b.WriteString(base64.StdEncoding.EncodeToString(pub))
	userContext = b.String()

	signer := ed25519.NewKeyFromSeed(key[:32])
	authorization = "IronCore 2." + base64.StdEncoding.EncodeToString(ed25519.Sign(signer, []byte(userContext)))

	msg := make([]byte, 0, len(userContext)+len(method)+len(sigPath)+len(body))
	msg = append(msg, userContext...)
	msg = append(msg, method...)
	msg = append(msg, sigPath...)
	msg = append(msg, body...)
	requestSig = base64.StdEncoding.EncodeToString(ed25519.Sign(signer, msg))
	return userContext, authorization, requestSig
}
