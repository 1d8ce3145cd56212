package sdk

import (
	"context"
	"io"
	"net/http"
	"sync"
)

// SDK acts for one device of one user: it signs every request with the
// device's key and caches the public keys it has looked up, as an
// initialized ironoxide does. Make one per identity with Initialize. An SDK
// is safe for concurrent use.
type SDK struct {
	c    *Client
	dc   DeviceContext
	auth deviceAuth
	pool pool

	userKey      PublicKey // the caller's master public key
	currentKeyID uint64

	mu        sync.Mutex
	userKeys  map[string]PublicKey // public-key cache: users
	groupKeys map[string]PublicKey // public-key cache: groups
}

// Initialize checks dc, fetches the current user (GET users/current) and
// returns an SDK for the device. Phase: http:user_get_current.
func (c *Client) Initialize(ctx context.Context, dc DeviceContext) (*SDK, error) {
	ctx, cancel := c.opContext(ctx)
	defer cancel()
	if err := dc.validate(); err != nil {
		return nil, err
	}
	s := &SDK{
		c:         c,
		dc:        dc,
		auth:      deviceAuth{segmentID: dc.SegmentID, userID: dc.AccountID, key: dc.SigningPrivateKey},
		pool:      c.identityPool(),
		userKeys:  make(map[string]PublicKey),
		groupKeys: make(map[string]PublicKey),
	}
	data, err := s.pool.do(ctx, &call{name: "user_get_current", method: http.MethodGet, path: "users/current", auth: s.auth})
	if err != nil {
		s.Close()
		return nil, err
	}
	var cu currentUserResp
	if err := decode("user_get_current", data, &cu); err != nil {
		s.Close()
		return nil, err
	}
	if err := cu.UserMasterPublicKey.check(); err != nil {
		s.Close()
		return nil, &ProtocolError{Call: "user_get_current", Err: err}
	}
	s.userKey = cu.UserMasterPublicKey
	s.currentKeyID = cu.CurrentKeyID
	s.userKeys[dc.AccountID] = cu.UserMasterPublicKey
	return s, nil
}

// Close releases the SDK's own connections (per-identity model).
func (s *SDK) Close() { s.pool.close() }

// Device returns the SDK's device context.
func (s *SDK) Device() DeviceContext { return s.dc }

// UserID returns the ID of the SDK's user.
func (s *SDK) UserID() string { return s.dc.AccountID }

// PublicKey returns the user's master public key, as users/current gave it.
func (s *SDK) PublicKey() PublicKey { return s.userKey }

// do sends one device-signed call.
func (s *SDK) do(ctx context.Context, name, method, path, query string, body []byte) ([]byte, error) {
	return s.pool.do(ctx, &call{name: name, method: method, path: path, query: query, body: body, auth: s.auth})
}

func (s *SDK) rand() io.Reader { return s.c.rand() }
