package sdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// verifyJWT checks a compact JWS's signature against pub.
func verifyJWT(token string, pub crypto.PublicKey) error {
	i := strings.LastIndexByte(token, '.')
	if i < 0 || strings.Count(token, ".") != 2 {
		return errors.New("not a compact JWS")
	}
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(token[:i]))
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if len(sig) != 64 || !ecdsa.Verify(k, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			return errors.New("bad ES256 signature")
		}
		return nil
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], sig)
	}
	return fmt.Errorf("unsupported key %T", pub)
}

func TestMint(t *testing.T) {
	t.Parallel()
	// The claims of ironoxide's unit-test JWT (spec §3.1), in ironoxide's
	// struct order.
	const wantPayload = `{"sub":"abcABC012_.$#|@/:;=+'-d1226d1b-4c39-49da-933c-642e23ac1945","iat":1591901740,"exp":1591901860,"pid":438,"sid":"ironoxide-dev1","kid":593}`
	tests := []struct {
		pem, alg string
	}{
		{"iak-es256.pem", "ES256"},
		{"iak-rs256.pem", "RS256"},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			t.Parallel()
			iss := testIssuer(t, tt.pem)
			if iss.Alg() != tt.alg {
				t.Fatalf("alg %s, want %s", iss.Alg(), tt.alg)
			}
			tok, err := iss.Mint(goldenUser, time.Unix(1591901740, 999e6), nil)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(tok, ".")
			h, _ := base64.RawURLEncoding.DecodeString(parts[0])
			p, _ := base64.RawURLEncoding.DecodeString(parts[1])
			if string(h) != `{"typ":"JWT","alg":"`+tt.alg+`"}` {
				t.Errorf("header %s", h)
			}
			if string(p) != wantPayload {
				t.Errorf("payload\n got %s\nwant %s", p, wantPayload)
			}
			if err := verifyJWT(tok, iss.key.Public()); err != nil {
				t.Errorf("signature: %v", err)
			}
			if s := fmt.Sprintf("%v %+v %#v", iss, iss, iss); strings.Contains(s, "Key") || strings.Contains(s, "0x") {
				t.Errorf("issuer formatting may leak the key: %s", s)
			}
		})
	}
}

func TestNewIssuerErrors(t *testing.T) {
	t.Parallel()
	key := []byte("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n")
	tests := []struct {
		name   string
		config string
		key    []byte
	}{
		{"unknown field", `{"projectId":1,"segmentId":"s","identityAssertionKeyId":2,"extra":1}`, key},
		{"missing field", `{"projectId":1,"segmentId":"s"}`, key},
		{"not json", `projectId=1`, key},
		{"no pem", `{"projectId":1,"segmentId":"s","identityAssertionKeyId":2}`, []byte("not a pem")},
		{"truncated key", `{"projectId":1,"segmentId":"s","identityAssertionKeyId":2}`, key},
		{"public key", `{"projectId":1,"segmentId":"s","identityAssertionKeyId":2}`, []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")},
	}
	for _, tt := range tests {
		_, err := NewIssuer([]byte(tt.config), tt.key)
		var ae *AuthError
		if !errors.As(err, &ae) || ae.ErrorClass() != "auth" {
			t.Errorf("%s: err = %v, want *AuthError", tt.name, err)
		}
	}
}
