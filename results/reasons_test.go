package results

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestErrorReasons checks that errors of classes other and workload keep a
// short reason (status and message) in the summary, the report and the
// stream, capped in length and in number, and that other classes do not.
func TestErrorReasons(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r, err := NewRecorder(Config{Dir: dir, Start: testStart, Meta: RunMeta{Name: "reasons"}, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rec := func(op, class string, status int, err error) {
		r.RecordSample(&Sample{Scenario: "s", Op: op, Start: time.Millisecond, Latency: time.Millisecond, ServiceTime: time.Millisecond, Status: status, Class: class, Err: err})
	}
	for range 3 {
		rec("document_decrypt_via_group", ClassWorkload, 0, errors.New("document_decrypt as member: no pool document is encrypted to a group"))
	}
	rec("http", "", 302, errors.New("redirect not followed"))                      // classified other: a 302 not followed
	rec("http", ClassOther, 0, errors.New(`invalid header field value for "X-A"`)) // other
	rec("http", ClassHTTP5xx, 503, errors.New("service unavailable"))              // a class that says it all
	rec("big", ClassOther, 0, errors.New(strings.Repeat("é", 300)))
	for i := range maxReasons + 3 {
		for range 1 + i/maxReasons { // the last three twice: the most frequent
			rec("many", ClassOther, 500+i, fmt.Errorf("failure %d", i))
		}
	}
	r.SetEnd(testStart.Add(time.Second))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	sum := r.Summary()
	byOp := map[string]OpSummary{}
	for _, o := range sum.Ops {
		byOp[o.Op] = o
	}
	if got := byOp["document_decrypt_via_group"].ErrorReasons; got["document_decrypt as member: no pool document is encrypted to a group"] != 3 {
		t.Errorf("workload reasons = %v", got)
	}
	if got := byOp["http"].ErrorReasons; len(got) != 2 || got[`invalid header field value for "X-A"`] != 1 || got["HTTP 302: redirect not followed"] != 1 {
		t.Errorf("http reasons = %v; want the two other errors' (not the 5xx)", got)
	}
	for why := range byOp["big"].ErrorReasons {
		if len(why) > maxReasonLen+len("…") || !strings.HasSuffix(why, "…") {
			t.Errorf("a long reason is kept whole or cut badly: %d bytes", len(why))
		}
	}
	many := byOp["many"].ErrorReasons
	if len(many) != maxReasons+1 || many[otherReasons] != 3 || many["HTTP 510: failure 10"] != 2 || many["HTTP 500: failure 0"] != 1 {
		t.Errorf("many reasons = %v; want the %d most frequent, 3 under %q, statuses in them", many, maxReasons, otherReasons)
	}
	var txt bytes.Buffer
	if err := sum.Text(&txt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "3× document_decrypt as member: no pool document") {
		t.Errorf("report.txt does not show the reason:\n%s", txt.String())
	}
	re, _, err := Rebuild(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := summaryJSON(t, sum), summaryJSON(t, re); a != b {
		t.Errorf("rebuilt summary differs:\nrecorded %s\nrebuilt  %s", a, b)
	}
}
