package sdk

import (
	"context"
	"io"
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
	policies  map[PolicyGrant][]grantee
}

// Initialize checks dc, fetches the current user (GET users/current) and
// returns an SDK for the device. Phase: http:user_get_current.
func (c *Client) Initialize(ctx context.Context, dc DeviceContext) (*SDK, error) {
	ctx, cancel := c.opContext(ctx)
	defer cancel()
	if err := dc.validate(); err != nil {
		return nil, err
	}
	s := c.newSDK(dc)
	cu, err := s.currentUser(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.setUser(cu)
	return s, nil
}

// newSDK returns an SDK for dc, which must be valid, before any call.
func (c *Client) newSDK(dc DeviceContext) *SDK {
	return &SDK{
		c:         c,
		dc:        dc,
		auth:      deviceAuth{segmentID: dc.SegmentID, userID: dc.AccountID, key: dc.SigningPrivateKey},
		pool:      c.identityPool(),
		userKeys:  make(map[string]PublicKey),
		groupKeys: make(map[string]PublicKey),
		policies:  make(map[PolicyGrant][]grantee),
	}
}

// setUser records what users/current said: the user's key, also in the
// public-key cache, as ironoxide's IronOxide::create.
func (s *SDK) setUser(cu *currentUserResp) {
	s.userKey = cu.UserMasterPublicKey
	s.currentKeyID = cu.CurrentKeyID
	s.userKeys[s.dc.AccountID] = cu.UserMasterPublicKey
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
