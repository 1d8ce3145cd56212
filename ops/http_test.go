package ops

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
)

func TestResolveURL(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:8080/api/1/")
	tests := []struct {
		ref, want, err string
	}{
		{ref: "health", want: "http://127.0.0.1:8080/api/1/health"},
		{ref: "/health", want: "http://127.0.0.1:8080/api/1/health"},
		{ref: "users/verify?x=1", want: "http://127.0.0.1:8080/api/1/users/verify?x=1"},
		{ref: "http://127.0.0.1:8080/health", want: "http://127.0.0.1:8080/health"},
		{ref: "http://example.com/health", err: "not on the target"},
		{ref: "https://127.0.0.1:8080/health", err: "not on the target"},
		{ref: "//example.com/x", err: "names a host"},
		{ref: "", err: "empty url"},
		{ref: "http://u:Hunter2@example.com/x", err: `"http://u:xxxxx@example.com/x" is not on the target`},
		{ref: "//u:Hunter2@example.com/x", err: `"//u:xxxxx@example.com/x" names a host`},
		{ref: "http://u:Hunter2@127.0.0.1:8080/%zz", err: `"http://u:xxxxx@127.0.0.1:8080/%zz" is not a URL: invalid URL escape`},
	}
	for _, tt := range tests {
		got, err := ResolveURL(base, tt.ref)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "Hunter2") {
				t.Errorf("ResolveURL(%q) error = %v, want it to contain %q", tt.ref, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ResolveURL(%q): %v", tt.ref, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("ResolveURL(%q) = %s, want %s", tt.ref, got, tt.want)
		}
	}
}

func TestHTTPOp(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/api/1/ok":
			if r.Header.Get("X-Test") != "yes" || r.Method != http.MethodPost {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Write([]byte("fine"))
		case "/api/1/teapot":
			w.WriteHeader(http.StatusTeapot)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	target, _ := url.Parse(srv.URL + "/api/1/")
	env := &Env{Target: target, Client: NewHTTPClient(5*time.Second, false)}
	tests := []struct {
		name       string
		args       Args
		wantStatus int
		wantErr    bool
	}{
		{"ok", Args{"method": "post", "url": "/ok", "headers": map[string]string{"X-Test": "yes"}, "body": "x"}, 200, false},
		{"missing header", Args{"method": "POST", "url": "ok"}, 400, true},
		{"expected 418", Args{"url": "teapot", "expect_status": []int64{418}}, 418, false},
		{"unexpected 503", Args{"url": "down"}, 503, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := HTTPEntry().New(env, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			it := &loadgen.Iteration{}
			it.BeginOp(time.Now())
			err = op.Do(context.Background(), it)
			phases, status := it.EndOp()
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d", status, tt.wantStatus)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			var se *StatusError
			if err != nil && (!errors.As(err, &se) || se.HTTPStatus() != tt.wantStatus) {
				t.Errorf("err = %v, want a StatusError with %d", err, tt.wantStatus)
			}
			names := map[string]bool{}
			for _, p := range phases {
				names[p.Name] = true
				if p.End < p.Start {
					t.Errorf("phase %s ends before it starts", p.Name)
				}
			}
			for _, n := range []string{"http:request", "http:request/wait", "http:request/read"} {
				if !names[n] {
					t.Errorf("phase %s missing; got %v", n, names)
				}
			}
		})
	}
}

func TestHTTPOpBadFields(t *testing.T) {
	target, _ := url.Parse("http://127.0.0.1:1/api/1/")
	env := &Env{Target: target}
	for _, args := range []Args{
		{"url": "x", "method": "FETCH"},
		{"url": "http://10.0.0.1/"},
		{"url": "x", "expect_status": []int64{99}},
	} {
		_, err := HTTPEntry().New(env, args)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("New(%v) = %v, want a FieldError", args, err)
		}
	}
}

func TestHTTPOpConnRefused(t *testing.T) {
	// A closed listener's port: connection refused, never another host.
	srv := httptest.NewServer(http.NotFoundHandler())
	target, _ := url.Parse(srv.URL + "/")
	srv.Close()
	op, err := HTTPEntry().New(&Env{Target: target, Client: NewHTTPClient(2*time.Second, false)}, Args{"url": "x"})
	if err != nil {
		t.Fatal(err)
	}
	it := &loadgen.Iteration{}
	it.BeginOp(time.Now())
	if err := op.Do(context.Background(), it); err == nil {
		t.Fatal("request to a closed port succeeded")
	}
}

// TestHTTPOpRedirectStaysOnTarget wants a redirect to another host refused,
// on the direct path and through net/http: the other host gets no request
// (nor the step's headers).
func TestHTTPOpRedirectStaysOnTarget(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	defer other.Close()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/1/away":
			http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
		case "/api/1/twice":
			http.Redirect(w, r, "/api/1/away", http.StatusFound)
		case "/api/1/home":
			http.Redirect(w, r, "/api/1/ok", http.StatusFound)
		case "/api/1/ok":
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer target.Close()
	base, _ := url.Parse(target.URL + "/api/1/")
	clients := []struct {
		name   string
		client func() *http.Client
		direct bool
	}{
		{"direct", func() *http.Client { return NewHTTPClient(5*time.Second, false) }, true},
		{"net/http", func() *http.Client { return netHTTPClient(5 * time.Second) }, false},
	}
	tests := []struct {
		url    string
		wantOK bool
	}{
		{"away", false},
		{"twice", false},
		{"home", true},
	}
	for _, c := range clients {
		for _, tt := range tests {
			t.Run(c.name+"/"+tt.url, func(t *testing.T) {
				client := c.client()
				defer client.CloseIdleConnections()
				op, err := HTTPEntry().New(&Env{Target: base, Client: client}, Args{"url": tt.url, "headers": map[string]string{"Authorization": "Bearer secret"}})
				if err != nil {
					t.Fatal(err)
				}
				if got := op.(*httpOp).direct != nil; got != c.direct {
					t.Fatalf("direct path %v, want %v", got, c.direct)
				}
				err = op.Do(context.Background(), newWorkerIteration())
				if (err == nil) != tt.wantOK {
					t.Errorf("err = %v, want ok %v", err, tt.wantOK)
				}
				if err != nil && !strings.Contains(err.Error(), "not on the target") {
					t.Errorf("err = %v, want it to say the redirect is not on the target", err)
				}
				if n := elsewhere.Load(); n != 0 {
					t.Errorf("the other host got %d requests", n)
				}
			})
		}
	}
}
