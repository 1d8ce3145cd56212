package sdk

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// scripted is a test service that answers "METHOD /path" (query left out)
// with a canned status and body and counts the calls.
type scripted struct {
	mu    sync.Mutex
	resp  map[string]scriptedResp
	calls map[string]int
	srv   *httptest.Server
}

type scriptedResp struct {
	status int
	body   any // marshalled to JSON unless a string
}

func newScripted(t *testing.T, resp map[string]scriptedResp) *scripted {
	t.Helper()
	s := &scripted{resp: resp, calls: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		key := r.Method + " " + strings.TrimPrefix(r.URL.EscapedPath(), "/api/1")
		s.mu.Lock()
		s.calls[key]++
		cr, ok := s.resp[key]
		s.mu.Unlock()
		if !ok {
			t.Errorf("unexpected request %s", key)
			w.WriteHeader(599)
			return
		}
		w.WriteHeader(cr.status)
		if str, ok := cr.body.(string); ok {
			io.WriteString(w, str)
			return
		}
		json.NewEncoder(w).Encode(cr.body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[key]
}

// scriptedSDK initializes an SDK (fake recrypt) against s, whose
// users/current it sets: the golden user, escrowed under goldenPass.
func scriptedSDK(t *testing.T, s *scripted, needsRotation bool) *SDK {
	t.Helper()
	priv := sha256.Sum256([]byte("user-private"))
	salt := sha256.Sum256([]byte("salt"))
	key, err := deriveKey(goldenPass, salt[:])
	if err != nil {
		t.Fatal(err)
	}
	escrow, err := sealMasterKey(key, salt[:], priv[:], newDetReader("iv"))
	if err != nil {
		t.Fatal(err)
	}
	s.resp["GET /users/current"] = scriptedResp{200, currentUserResp{
		CurrentKeyID: 1, ID: goldenUser, Status: 1, SegmentID: goldenSeg,
		UserMasterPublicKey: fakePub(priv[:]), UserPrivateKey: escrow, NeedsRotation: needsRotation,
	}}
	c := goldenClient(t, s.srv.URL, "scripted/"+t.Name())
	t.Cleanup(c.Close)
	sdk, err := c.Initialize(context.Background(), goldenDevice())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sdk.Close)
	return sdk
}

var errList = []ServerMessage{{Message: "not allowed", Code: 7}}

func TestNewOpsErrors(t *testing.T) {
	t.Parallel()
	groupPath := "/groups/" + iclEncode(goldenGroup)
	tests := []struct {
		name  string
		resp  map[string]scriptedResp
		run   func(ctx context.Context, s *SDK) error
		want  func(t *testing.T, err error)
		calls map[string]int // calls that must (count > 0) or must not (0) have been made
	}{
		{
			name: "policy 404 is ErrPolicyNotFound",
			resp: map[string]scriptedResp{"GET /policies": {404, "not json"}},
			run: func(ctx context.Context, s *SDK) error {
				_, err := s.DocumentEncrypt(ctx, []byte("x"), EncryptOptions{Policy: &PolicyGrant{Category: "PII"}})
				return err
			},
			want:  wantIs(ErrPolicyNotFound, 404),
			calls: map[string]int{"POST /documents": 0},
		},
		{
			name: "bad policy label never reaches the service",
			resp: map[string]scriptedResp{},
			run: func(ctx context.Context, s *SDK) error {
				_, err := s.DocumentEncrypt(ctx, []byte("x"), EncryptOptions{Policy: &PolicyGrant{Sensitivity: "a b"}})
				return err
			},
			want:  wantText("sensitivity"),
			calls: map[string]int{"GET /policies": 0},
		},
		{
			name: "group rotation by a non-admin",
			resp: map[string]scriptedResp{"GET " + groupPath: {200, map[string]any{"id": goldenGroup, "permissions": []string{"member"}, "groupMasterPublicKey": fakePub(make([]byte, 32))}}},
			run: func(ctx context.Context, s *SDK) error {
				_, err := s.GroupRotatePrivateKey(ctx, goldenGroup)
				return err
			},
			want:  wantIs(ErrNotGroupAdmin, 0),
			calls: map[string]int{"GET /users": 0},
		},
		{
			name: "group rotation with an admin the service does not know",
			resp: map[string]scriptedResp{
				"GET " + groupPath: {200, map[string]any{"id": goldenGroup, "adminIds": []string{goldenUser, goldenBob}, "groupMasterPublicKey": fakePub(make([]byte, 32)),
					"encryptedPrivateKey": oneBlock(t)}},
				"GET /users": {200, map[string]any{"result": []any{map[string]any{"id": goldenUser, "userMasterPublicKey": fakePub(make([]byte, 32))}}}},
			},
			run: func(ctx context.Context, s *SDK) error {
				_, err := s.GroupRotatePrivateKey(ctx, goldenGroup)
				return err
			},
			want:  wantIs(ErrUserNotFound, 0),
			calls: map[string]int{"PUT " + groupPath + "/keys/0": 0},
		},
		{
			name: "wrong password changes nothing",
			resp: map[string]scriptedResp{},
			run: func(ctx context.Context, s *SDK) error {
				_, err := s.UserChangePassword(ctx, "wrong", "new")
				return err
			},
			want: func(t *testing.T, err error) {
				var ce *CryptoError
				if !errors.As(err, &ce) {
					t.Errorf("err = %v, want a *CryptoError", err)
				}
			},
		},
		{
			name: "rotation refused with the error list",
			resp: map[string]scriptedResp{"PUT /users/" + iclEncode(goldenUser) + "/keys/1": {400, errList}},
			run: func(ctx context.Context, s *SDK) error {
				_, err := s.UserRotatePrivateKey(ctx, goldenPass)
				return err
			},
			want: func(t *testing.T, err error) {
				var se *ServiceError
				if !errors.As(err, &se) || se.Status != 400 || se.Code() != 7 || se.Call != "user_key_update" {
					t.Errorf("err = %v, want the service's 400 with code 7 from user_key_update", err)
				}
			},
		},
		{
			name: "unmanaged decrypt without access",
			resp: map[string]scriptedResp{"POST /edeks/transform": {403, errList}},
			run: func(ctx context.Context, s *SDK) error {
				r, err := s.DocumentEncryptUnmanaged(ctx, []byte("x"), EncryptOptions{})
				if err != nil {
					return err
				}
				_, err = s.DocumentDecryptUnmanaged(ctx, r.Encrypted, r.EncryptedDeks)
				return err
			},
			want: func(t *testing.T, err error) {
				var se *ServiceError
				if !errors.As(err, &se) || se.Status != 403 || se.ErrorClass() != "auth" {
					t.Errorf("err = %v, want the service's 403", err)
				}
			},
		},
		{
			name: "unmanaged decrypt with another document's EDEKs",
			resp: map[string]scriptedResp{},
			run: func(ctx context.Context, s *SDK) error {
				a, err := s.DocumentEncryptUnmanaged(ctx, []byte("a"), EncryptOptions{ID: "doc-a"})
				if err != nil {
					return err
				}
				b, err := s.DocumentEncryptUnmanaged(ctx, []byte("b"), EncryptOptions{ID: "doc-b"})
				if err != nil {
					return err
				}
				_, err = s.DocumentDecryptUnmanaged(ctx, a.Encrypted, b.EncryptedDeks)
				return err
			},
			want:  wantIs(ErrBadDocument, 0),
			calls: map[string]int{"POST /edeks/transform": 0},
		},
		{
			name: "unmanaged grant of bytes that are no EDEKs",
			resp: map[string]scriptedResp{},
			run: func(ctx context.Context, s *SDK) error {
				_, err := s.DocumentGrantAccessUnmanaged(ctx, []byte{0x0a, 0xff}, []string{goldenBob}, nil)
				return err
			},
			want:  wantIs(errBadEdeks, 0),
			calls: map[string]int{"POST /edeks/transform": 0},
		},
		{
			name: "group create without the owner among the admins",
			resp: map[string]scriptedResp{},
			run: func(ctx context.Context, s *SDK) error {
				_, err := s.GroupCreate(ctx, GroupCreateOptions{NotAdmin: true})
				return err
			},
			want:  wantIs(ErrInvalidGroupOptions, 0),
			calls: map[string]int{"GET /users": 0},
		},
		{
			name: "removing nobody",
			resp: map[string]scriptedResp{},
			run: func(ctx context.Context, s *SDK) error {
				_, err := s.GroupRemoveMembers(ctx, goldenGroup, nil)
				return err
			},
			want: wantIs(ErrEmptyGrants, 0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScripted(t, tt.resp)
			s := scriptedSDK(t, srv, false)
			err := tt.run(context.Background(), s)
			if err == nil {
				t.Fatal("no error")
			}
			tt.want(t, err)
			for k, n := range tt.calls {
				if got := srv.count(k); (n == 0) != (got == 0) {
					t.Errorf("%s called %d times, want %d", k, got, n)
				}
			}
		})
	}
}

func wantIs(target error, status int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("err = %v, want %v", err, target)
		}
		var se *ServiceError
		if status != 0 && (!errors.As(err, &se) || se.Status != status) {
			t.Errorf("err = %v, want the HTTP %d kept", err, status)
		}
	}
}

func wantText(s string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !strings.Contains(err.Error(), s) {
			t.Errorf("err = %v, want it to name %q", err, s)
		}
	}
}

// oneBlock is a well-formed transformed value (fake recrypt) of the group
// secret to the golden user.
func oneBlock(t *testing.T) *transformedValue {
	t.Helper()
	pt := make([]byte, 384)
	ev, err := fakeRecrypt{}.Encrypt(newDetReader("one-block"), pt, fakePub(make([]byte, 32)), goldenDevice().SigningPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	blk := transformBlock{EncryptedTempKey: make([]byte, 384), PublicKey: fakePub(make([]byte, 32)),
		RandomTransformEncryptedTempKey: make([]byte, 384), RandomTransformPublicKey: fakePub(make([]byte, 32))}
	return &transformedValue{encryptedOnce: ev, TransformBlocks: []transformBlock{blk}}
}

// A policy answer with failures is not cached; a clean one is, until the
// cache is cleared.
func TestPolicyCache(t *testing.T) {
	t.Parallel()
	bob := fakePub(sha256.New().Sum(nil))
	srv := newScripted(t, map[string]scriptedResp{
		"GET /policies": {200, map[string]any{
			"usersAndGroups":        []any{map[string]any{"type": "user", "id": goldenBob, "masterPublicKey": bob}, map[string]any{"type": "group", "id": "nokey"}},
			"invalidUsersAndGroups": []any{map[string]any{"type": "user", "id": "ghost"}},
		}},
		"POST /documents": {201, map[string]any{"id": "d"}},
	})
	s := scriptedSDK(t, srv, false)
	ctx := context.Background()
	for i := range 2 {
		r, err := s.DocumentEncrypt(ctx, []byte("x"), EncryptOptions{Policy: &PolicyGrant{DataSubject: "PATIENT"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Failed) != 2 || r.Failed[0].ID != "nokey" || r.Failed[1].ID != "ghost" {
			t.Errorf("encrypt %d: failed = %+v, want nokey and ghost", i, r.Failed)
		}
	}
	if n := srv.count("GET /policies"); n != 2 {
		t.Errorf("GET policies %d times, want 2 (an answer with failures is not cached)", n)
	}
	if n := s.ClearPolicyCache(); n != 0 {
		t.Errorf("ClearPolicyCache = %d, want 0", n)
	}
}

// RotateAll rotates the user and every group at once and reports the
// user's error before the groups'; what succeeded is still returned.
func TestRotateAllReportsFailures(t *testing.T) {
	t.Parallel()
	srv := newScripted(t, map[string]scriptedResp{
		"GET /groups":    {200, map[string]any{"result": []any{map[string]any{"id": "g1", "needsRotation": true}, map[string]any{"id": "g2", "needsRotation": false}}}},
		"GET /groups/g1": {404, ""},
		"PUT /users/" + iclEncode(goldenUser) + "/keys/1": {200, userKeyUpdateResp{CurrentKeyID: 2}},
	})
	scriptedSDK(t, srv, true) // sets users/current
	c := goldenClient(t, srv.srv.URL, "rotate-all")
	defer c.Close()
	ctx := context.Background()
	s, rc, err := c.InitializeCheckRotation(ctx, goldenDevice())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rc.UserID != goldenUser || len(rc.Groups) != 1 || rc.Groups[0] != "g1" {
		t.Fatalf("rotation check = %+v", rc)
	}
	r, err := s.RotateAll(ctx, rc, goldenPass)
	var se *ServiceError
	if !errors.As(err, &se) || se.Status != 404 || se.Call != "group_get" {
		t.Errorf("err = %v, want group g1's 404", err)
	}
	if r == nil || r.User == nil || r.User.CurrentKeyID != 2 || r.Groups[0] != nil {
		t.Errorf("result = %+v, want the user rotated and g1 not", r)
	}
}
