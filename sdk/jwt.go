package sdk

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// JWTLifetime is the lifetime written into minted JWTs (exp = iat + 120 s),
// the window in which the service accepts them.
const JWTLifetime = 120 * time.Second

// ProjectConfig is the IronCore project configuration file downloaded from
// the admin console, the one ironoxide's tests read
// (ironcore-config-*.json): {"projectId":…,"segmentId":"…","identityAssertionKeyId":…}.
type ProjectConfig struct {
	ProjectID              uint32 `json:"projectId"`
	SegmentID              string `json:"segmentId"` // the segment's name, not its number
	IdentityAssertionKeyID uint32 `json:"identityAssertionKeyId"`
}

// Issuer mints identity-assertion JWTs for any user of one project segment,
// signed with the segment's identity assertion key (ES256 for a P-256 key,
// RS256 for an RSA key). It is safe for concurrent use. Its String method
// does not show the key.
type Issuer struct {
	cfg ProjectConfig
	key crypto.Signer
	alg string
}

// NewIssuer reads a project configuration (JSON, the three fields of
// ProjectConfig and no others) and an identity assertion private key (PEM:
// PKCS#8, or SEC1 "EC PRIVATE KEY", or PKCS#1 "RSA PRIVATE KEY").
func NewIssuer(configJSON, keyPEM []byte) (*Issuer, error) {
	var pc ProjectConfig
	dec := json.NewDecoder(bytes.NewReader(configJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pc); err != nil {
		return nil, &AuthError{Op: "identity config", Err: fmt.Errorf("decoding: %w", err)}
	}
	if pc.ProjectID == 0 || pc.SegmentID == "" || pc.IdentityAssertionKeyID == 0 {
		return nil, &AuthError{Op: "identity config", Err: errors.New("projectId, segmentId and identityAssertionKeyId are required")}
	}
	key, alg, err := parseIAK(keyPEM)
	if err != nil {
		return nil, &AuthError{Op: "identity assertion key", Err: err}
	}
	return &Issuer{cfg: pc, key: key, alg: alg}, nil
}

// NewIssuerFromKey is NewIssuer for a key already parsed: an *ecdsa.PrivateKey
// on P-256 or an *rsa.PrivateKey.
func NewIssuerFromKey(pc ProjectConfig, key crypto.Signer) (*Issuer, error) {
	alg, err := keyAlg(key)
	if err != nil {
		return nil, &AuthError{Op: "identity assertion key", Err: err}
	}
	return &Issuer{cfg: pc, key: key, alg: alg}, nil
}

func parseIAK(data []byte) (crypto.Signer, string, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, "", errors.New("no PEM block")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, "", fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
	if err != nil {
		return nil, "", fmt.Errorf("parsing %s: %w", block.Type, err)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, "", fmt.Errorf("unsupported key type %T", key)
	}
	alg, err := keyAlg(s)
	return s, alg, err
}

func keyAlg(k crypto.Signer) (string, error) {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return "", errors.New("EC key is not on P-256 (ES256)")
		}
		return "ES256", nil
	case *rsa.PrivateKey:
		return "RS256", nil
	}
	return "", fmt.Errorf("unsupported key type %T: want P-256 (ES256) or RSA (RS256)", k)
}

// Alg returns the JWS algorithm, "ES256" or "RS256".
func (i *Issuer) Alg() string { return i.alg }

// Project returns the project configuration.
func (i *Issuer) Project() ProjectConfig { return i.cfg }

// String describes the issuer without its key.
func (i *Issuer) String() string {
	return fmt.Sprintf("Issuer{project %d, segment %q, key id %d, %s}", i.cfg.ProjectID, i.cfg.SegmentID, i.cfg.IdentityAssertionKeyID, i.alg)
}

// Mint returns a compact JWS asserting userID, issued at now and expiring
// JWTLifetime later, with ironoxide's claims in its order: sub, iat, exp,
// pid, sid, kid. rnd feeds ES256 signing; nil means crypto/rand.
func (i *Issuer) Mint(userID string, now time.Time, rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	header := `{"typ":"JWT","alg":"` + i.alg + `"}`
	sub, err := marshal(userID)
	if err != nil {
		return "", &AuthError{Op: "mint jwt", Err: err}
	}
	sid, err := marshal(i.cfg.SegmentID)
	if err != nil {
		return "", &AuthError{Op: "mint jwt", Err: err}
	}
	iat := now.Unix()
	payload := make([]byte, 0, 128+len(sub))
	payload = append(payload, `{"sub":`...)
	payload = append(payload, sub...)
	payload = append(payload, `,"iat":`...)
	payload = strconv.AppendInt(payload, iat, 10)
	payload = append(payload, `,"exp":`...)
	payload = strconv.AppendInt(payload, iat+int64(JWTLifetime/time.Second), 10)
	payload = append(payload, `,"pid":`...)
	payload = strconv.AppendUint(payload, uint64(i.cfg.ProjectID), 10)
	payload = append(payload, `,"sid":`...)
	payload = append(payload, sid...)
	payload = append(payload, `,"kid":`...)
	payload = strconv.AppendUint(payload, uint64(i.cfg.IdentityAssertionKeyID), 10)
	payload = append(payload, '}')

	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signing))
	var sig []byte
	switch k := i.key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rnd, k, digest[:])
		if err != nil {
			return "", &AuthError{Op: "mint jwt", Err: fmt.Errorf("ES256: %w", err)}
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
		if err != nil {
			return "", &AuthError{Op: "mint jwt", Err: fmt.Errorf("RS256: %w", err)}
		}
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// GoString is String, so %#v shows no key either.
func (i *Issuer) GoString() string { return i.String() }
