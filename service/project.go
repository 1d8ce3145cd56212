package service

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Project is an IronCore project as the service knows it: its ID, one segment (by name and
// number) and one identity assertion key (IAK), with which the project's backend signs the JWTs
// that users present (spec §3.1).
type Project struct {
	// ID is the project ID, the JWT claim pid.
	ID uint32
	// Segment is the segment's name, the JWT claim sid (for example "ironoxide-tests").
	Segment string
	// SegmentID is the segment's number, returned to users as segmentId and carried in device
	// signatures.
	SegmentID int64
	// KeyID is the identity assertion key's ID, the JWT claim kid.
	KeyID uint32
	// Key is the identity assertion key, ECDSA P-256 (JWT alg ES256). The service needs only its
	// public half; the private half is for whoever mints JWTs.
	Key *ecdsa.PrivateKey
}

// IdentityKey is a further identity assertion public key the service accepts for the project,
// beside Project.Key: an *ecdsa.PublicKey on P-256 (ES256) or an *rsa.PublicKey (RS256).
type IdentityKey struct {
	ID        uint32
	PublicKey crypto.PublicKey
}

// NewProject mints a project with random IDs, a segment named "loadgen-<n>" and a new P-256
// identity assertion key, all drawn from rand (crypto/rand.Reader in normal use).
func NewProject(rand io.Reader) (*Project, error) {
	var b [12]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, fmt.Errorf("service: new project: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand)
	if err != nil {
		return nil, fmt.Errorf("service: new project: %w", err)
	}
	// IDs stay small and positive, like the console's.
	id := binary.BigEndian.Uint32(b[0:4])%1_000_000 + 1
	seg := int64(binary.BigEndian.Uint32(b[4:8])%1_000_000 + 1)
	kid := binary.BigEndian.Uint32(b[8:12])%1_000_000 + 1
	return &Project{ID: id, Segment: fmt.Sprintf("loadgen-%d", seg), SegmentID: seg, KeyID: kid, Key: key}, nil
}

// ProjectConfig is the IronCore config JSON object that SDK test harnesses read beside the IAK
// PEM (spec §3.1): the claims to put in every JWT.
type ProjectConfig struct {
	ProjectID              uint32 `json:"projectId"`
	SegmentID              string `json:"segmentId"`
	IdentityAssertionKeyID uint32 `json:"identityAssertionKeyId"`
}

// Config returns the project's IronCore config. Note that its segmentId is the segment's name.
func (p *Project) Config() ProjectConfig {
	return ProjectConfig{ProjectID: p.ID, SegmentID: p.Segment, IdentityAssertionKeyID: p.KeyID}
}

// ConfigJSON returns the project's IronCore config as JSON, for example
// {"projectId":1903,"segmentId":"loadgen-12","identityAssertionKeyId":2173}.
func (p *Project) ConfigJSON() ([]byte, error) {
	b, err := json.Marshal(p.Config())
	if err != nil {
		return nil, fmt.Errorf("service: project config: %w", err)
	}
	return b, nil
}

// PrivateKeyPEM returns the identity assertion private key as a PKCS#8 PEM block
// ("-----BEGIN PRIVATE KEY-----"), the form the SDKs load. It is a secret.
func (p *Project) PrivateKeyPEM() ([]byte, error) {
	if p.Key == nil {
		return nil, errors.New("service: project has no private key")
	}
	der, err := x509.MarshalPKCS8PrivateKey(p.Key)
	if err != nil {
		return nil, fmt.Errorf("service: encoding identity key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// WriteState writes the project's config JSON to dir/ironcore-config.json and its identity
// assertion key to dir/iak.pem (mode 0600), creating dir (0700) if needed, and returns the two
// paths. It replaces files of those names.
func (p *Project) WriteState(dir string) (configPath, keyPath string, err error) {
	cfg, err := p.ConfigJSON()
	if err != nil {
		return "", "", err
	}
	key, err := p.PrivateKeyPEM()
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("service: write state: %w", err)
	}
	configPath = filepath.Join(dir, "ironcore-config.json")
	keyPath = filepath.Join(dir, "iak.pem")
	if err := writeFile(configPath, append(cfg, '\n'), 0o644); err != nil {
		return "", "", err
	}
	if err := writeFile(keyPath, key, 0o600); err != nil {
		return "", "", err
	}
	return configPath, keyPath, nil
}

// writeFile writes data to a temporary file in the target's directory with mode perm and
// renames it into place, so the key is never readable with a wider mode.
func writeFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("service: write state: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op once renamed
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return fmt.Errorf("service: write state: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("service: write state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("service: write state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("service: write state: %w", err)
	}
	return nil
}

// checkIdentityKey reports whether k is a public key type the service can verify JWTs with.
func checkIdentityKey(k IdentityKey) error {
	switch pk := k.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if pk.Curve != elliptic.P256() {
			return fmt.Errorf("identity key %d: ECDSA key is not on P-256", k.ID)
		}
	case *rsa.PublicKey:
		if pk.N.BitLen() < 2048 {
			return fmt.Errorf("identity key %d: RSA key has %d bits; want at least 2048", k.ID, pk.N.BitLen())
		}
	default:
		return fmt.Errorf("identity key %d: %T is neither an ECDSA P-256 nor an RSA public key", k.ID, k.PublicKey)
	}
	return nil
}
