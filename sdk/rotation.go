package sdk

import (
	"context"
	"net/http"
	"sync"

	"golang.org/x/sync/errgroup"
)

// RotationCheck says which private keys the service has marked for
// rotation: the user's (UserID is then its ID) and those of groups the
// user administers. The zero value needs nothing.
type RotationCheck struct {
	UserID string   // "" when the user's key needs no rotation
	Groups []string // groups whose needsRotation is true, in GET groups order
}

// Needed reports whether any key needs rotation.
func (r RotationCheck) Needed() bool { return r.UserID != "" || len(r.Groups) > 0 }

// RotateAllResult holds the rotations RotateAll made.
type RotateAllResult struct {
	User   *UserRotateResult    // nil when the user was not rotated
	Groups []*GroupRotateResult // in the order of RotationCheck.Groups
}

// InitializeCheckRotation is Initialize plus ironoxide's rotation check
// (initialize_check_rotation): GET users/current and GET groups at the
// same time, then the user's needsRotation and the groups the caller
// administers whose needsRotation is true. Phases: http:user_get_current,
// http:group_list.
func (c *Client) InitializeCheckRotation(ctx context.Context, dc DeviceContext) (*SDK, RotationCheck, error) {
	ctx, cancel := c.opContext(ctx)
	defer cancel()
	if err := dc.validate(); err != nil {
		return nil, RotationCheck{}, err
	}
	s := c.newSDK(dc)
	var (
		cu *currentUserResp
		gl groupListResp
	)
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() (err error) { cu, err = s.currentUser(ectx); return err })
	eg.Go(func() error {
		data, err := s.do(ectx, "group_list", http.MethodGet, "groups", "", nil)
		if err != nil {
			return err
		}
		return decode("group_list", data, &gl)
	})
	if err := eg.Wait(); err != nil {
		s.Close()
		return nil, RotationCheck{}, err
	}
	s.setUser(cu)
	var rc RotationCheck
	if cu.NeedsRotation {
		rc.UserID = cu.ID
	}
	for _, g := range gl.Result {
		if g.NeedsRotation != nil && *g.NeedsRotation {
			rc.Groups = append(rc.Groups, g.ID)
		}
	}
	return s, rc, nil
}

// RotateAll rotates what rc names, as ironoxide's rotate_all: the user's key
// (UserRotatePrivateKey with password) and each group's key
// (GroupRotatePrivateKey), all at the same time, each to its end. The first
// error, the user's before the groups' in rc's order, is returned with
// whatever succeeded. The phases are those of the rotations, interleaved.
func (s *SDK) RotateAll(ctx context.Context, rc RotationCheck, password string) (*RotateAllResult, error) {
	if rc.UserID != "" {
		if err := checkPassword(password); err != nil {
			return nil, err
		}
	}
	out := &RotateAllResult{Groups: make([]*GroupRotateResult, len(rc.Groups))}
	var (
		wg      sync.WaitGroup
		userErr error
	)
	groupErrs := make([]error, len(rc.Groups))
	if rc.UserID != "" {
		wg.Go(func() { out.User, userErr = s.UserRotatePrivateKey(ctx, password) })
	}
	for i, g := range rc.Groups {
		wg.Go(func() { out.Groups[i], groupErrs[i] = s.GroupRotatePrivateKey(ctx, g) })
	}
	wg.Wait()
	if userErr != nil {
		return out, userErr
	}
	for _, err := range groupErrs {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// InitializeAndRotate is ironoxide-java's initializeAndRotate:
// InitializeCheckRotation, then RotateAll when anything needs rotation. It
// returns the SDK even when a rotation fails (with the error), so the
// caller can close it.
func (c *Client) InitializeAndRotate(ctx context.Context, dc DeviceContext, password string) (*SDK, *RotateAllResult, error) {
	s, rc, err := c.InitializeCheckRotation(ctx, dc)
	if err != nil || !rc.Needed() {
		return s, nil, err
	}
	r, err := s.RotateAll(ctx, rc, password)
	return s, r, err
}
