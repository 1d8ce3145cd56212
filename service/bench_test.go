package service

import (
	"io"
	"net/http"
	"testing"
)

// benchGet runs GET url with hdr from parallel clients and reports requests per second. The
// headers are signed once: the test clock stands still, so they stay valid.
func benchGet(b *testing.B, e *env, url string, hdr http.Header, want int) {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequest("GET", url, nil)
			if err != nil {
				b.Error(err)
				return
			}
			req.Header = hdr.Clone()
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				b.Errorf("status %d, want %d", resp.StatusCode, want)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkUserVerify measures GET users/verify (#1) over loopback: ES256 JWT verification and
// a store lookup per request.
func BenchmarkUserVerify(b *testing.B) {
	e := newEnv(b, Config{})
	e.createUser("bench-user")
	benchGet(b, e, e.base+"users/verify?returnKeys=true", http.Header{"Authorization": {"jwt " + e.jwt("bench-user")}}, 200)
}

// BenchmarkDocumentFetchTransform measures GET documents/{id} (#24) over loopback: a version 2
// signature check and a recrypt transform of the EDEK to the calling device per request, for a
// document shared directly (one hop) and through a group (two hops).
func BenchmarkDocumentFetchTransform(b *testing.B) {
	e := newEnv(b, Config{})
	owner, member := e.newUser("owner"), e.newUser("member")
	e.createDocument(owner, "direct")
	g := e.createGroup(owner, "grp")
	body := mustJSON(b, map[string]any{"users": []any{e.memberEntry(owner, member, g)}, "signature": e.groupSignature(g)})
	if status, resp := e.v2(owner, "POST", "groups/grp/users", body); status != 200 {
		b.Fatalf("add member: %d %s", status, resp)
	}
	pt, err := e.rc.GeneratePlaintext()
	if err != nil {
		b.Fatal(err)
	}
	if status, resp := e.v2(owner, "POST", "documents", e.docBody(owner, "viagroup", pt, e.grant(owner, "group", "grp", pt, g.pk))); status != 201 {
		b.Fatalf("create: %d %s", status, resp)
	}
	for _, bc := range []struct {
		name string
		u    *tuser
		doc  string
	}{{"direct", owner, "direct"}, {"group", member, "viagroup"}} {
		b.Run(bc.name, func(b *testing.B) {
			hdr := e.v2Headers(bc.u, "GET", "/api/1/documents/"+bc.doc, nil, e.clock.Now())
			benchGet(b, e, e.base+"documents/"+bc.doc, hdr, 200)
		})
	}
}
