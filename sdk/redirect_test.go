package sdk

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestNoRedirects checks that a redirect answer is never followed: the
// JWT-bearing request goes to BaseURL only, and the 3xx is the call's error.
func TestNoRedirects(t *testing.T) {
	t.Parallel()
	iss := testIssuer(t, "iak-es256.pem")
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer other.Close()
	for _, conns := range []Connections{Shared, PerIdentity, PerCall} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
		}))
		c, err := New(Config{BaseURL: srv.URL + "/api/1/", Connections: conns})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.UserVerify(t.Context(), iss, "dana")
		c.Close()
		srv.Close()
		var se interface{ HTTPStatus() int }
		if err == nil || !errors.As(err, &se) || se.HTTPStatus() != http.StatusTemporaryRedirect {
			t.Errorf("%s: UserVerify after a redirect: %v; want an error with status 307", conns, err)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}
