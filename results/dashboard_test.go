package results

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sse is one server-sent event as a plain client reads it.
type sse struct {
	name, id, data string
}

// readEvents reads server-sent events from r into the returned channel,
// which is closed when the stream ends.
func readEvents(r io.Reader) <-chan sse {
	ch := make(chan sse)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 16<<20)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				ch <- ev
				ev = sse{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				ev.data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return ch
}

// liveRun is a Recorder with a Dashboard served over loopback and a
// goroutine recording one sample a millisecond (2 ms latency, every 10th
// failed) until stop.
type liveRun struct {
	rec  *Recorder
	dash *Dashboard
	srv  *httptest.Server
	stop func()
}

func startLiveRun(t *testing.T) *liveRun {
	t.Helper()
	rec, err := NewRecorder(Config{Meta: RunMeta{Name: "live"}, FlushInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	l := &liveRun{rec: rec, dash: NewDashboard(rec)}
	l.srv = httptest.NewServer(l.dash)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
			}
			s := Sample{Scenario: "docs", Op: "get", Worker: i, Start: time.Since(rec.start),
				Latency: 2 * time.Millisecond, ServiceTime: 2 * time.Millisecond}
			if i%10 == 0 {
				s.Err = errors.New("boom")
			}
			rec.RecordSample(&s)
			rec.RecordIteration(&Iteration{Scenario: "docs", Worker: i, Start: s.Start, Latency: s.Latency, ServiceTime: s.ServiceTime})
			if i%1000 == 0 {
				rec.RecordHealth(Health{Second: int64(i / 1000), CPUPercent: 12, Goroutines: 9})
			}
		}
	})
	var once sync.Once
	l.stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			rec.Close()
		})
	}
	t.Cleanup(func() {
		l.stop()
		l.dash.Close()
		l.srv.Close()
	})
	return l
}

// next returns the next event, failing the test after 5 s.
func next(t *testing.T, ch <-chan sse) sse {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return sse{}
}

// TestDashboardEvents reads /events with a plain HTTP client: a replay,
// then one event a second whose figures add up, then the end.
func TestDashboardEvents(t *testing.T) {
	t.Parallel()
	l := startLiveRun(t)
	resp, err := http.Get(l.srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	events := readEvents(resp.Body)

	first := next(t, events)
	if first.name != "replay" {
		t.Fatalf("first event %q, want replay", first.name)
	}
	var replay htmlData
	if err := json.Unmarshal([]byte(first.data), &replay); err != nil {
		t.Fatalf("replay: %v", err)
	}
	if id, _ := strconv.ParseInt(first.id, 10, 64); id != replay.Seconds-1 {
		t.Errorf("replay id %s, want %d (its last second)", first.id, replay.Seconds-1)
	}

	var evs []LiveEvent
	for len(evs) < 2 {
		e := next(t, events)
		if e.name != "" {
			t.Fatalf("event %q (%.80s) where a second was due", e.name, e.data)
		}
		var ev LiveEvent
		if err := json.Unmarshal([]byte(e.data), &ev); err != nil {
			t.Fatalf("event: %v", err)
		}
		if e.id != strconv.FormatInt(ev.Second, 10) {
			t.Errorf("event id %s for second %d", e.id, ev.Second)
		}
		evs = append(evs, ev)
	}
	a, b := evs[0], evs[1]
	if b.Second != a.Second+1 || a.Second != replay.Seconds {
		t.Errorf("seconds replay %d, then %d, %d: want consecutive", replay.Seconds, a.Second, b.Second)
	}
	for _, ev := range evs {
		if len(ev.Ops) != 1 || ev.Ops[0].Name != "docs/get" {
			t.Fatalf("ops %+v", ev.Ops)
		}
		o := ev.Ops[0]
		near2 := func(ms float64) bool { return ms >= 2 && ms <= 2.02 }                                   // 2 significant digits: the bucket's top
		tenth := func(f LiveFigures) bool { return f.Errors >= f.Count/10-1 && f.Errors <= f.Count/10+1 } // every 10th fails
		if o.Second.Count == 0 || !tenth(o.Second) || !tenth(o.Run) || !near2(o.Second.P50MS) || !near2(o.Second.P99MS) || !near2(o.Run.P90MS) || !near2(o.Run.MaxMS) {
			t.Errorf("second %d: %+v (want 2 ms samples, every 10th failed)", ev.Second, o)
		}
		if ev.Totals.Samples != o.Run.Count || ev.Totals.Errors != o.Run.Errors || ev.Totals.Iterations < o.Run.Count {
			t.Errorf("totals %+v, op %+v", ev.Totals, o.Run)
		}
		if len(ev.Scenarios) != 1 || ev.Scenarios[0].Name != "docs" {
			t.Errorf("second %d: scenarios %+v, want docs (it has iterations)", ev.Second, ev.Scenarios)
		}
		if ev.Flame == nil || ev.Flame.Value == 0 || len(o.Spectrum) == 0 {
			t.Errorf("second %d: no flame graph or spectrum", ev.Second)
		}
	}
	if b.Ops[0].Run.Count != a.Ops[0].Run.Count+b.Ops[0].Second.Count {
		t.Errorf("run count %d ≠ %d + %d", b.Ops[0].Run.Count, a.Ops[0].Run.Count, b.Ops[0].Second.Count)
	}

	// A client connecting late gets the run so far.
	late, err := http.Get(l.srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer late.Body.Close()
	lateEvents := readEvents(late.Body)
	var caught htmlData
	if e := next(t, lateEvents); e.name != "replay" || json.Unmarshal([]byte(e.data), &caught) != nil {
		t.Fatalf("late client: first event %q", e.name)
	}
	if caught.Seconds < b.Second+1 || len(caught.Ops) != 1 || int64(len(caught.Ops[0].Count)) != caught.Seconds {
		t.Errorf("late replay: %d seconds, ops %d, want at least %d seconds of docs/get", caught.Seconds, len(caught.Ops), b.Second+1)
	}

	// The summary so far.
	sr, err := http.Get(l.srv.URL + "/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	var sum Summary
	err = json.NewDecoder(sr.Body).Decode(&sum)
	sr.Body.Close()
	if err != nil || len(sum.Ops) != 1 || sum.Ops[0].Count < b.Ops[0].Run.Count {
		t.Errorf("summary.json: %v, %+v", err, sum.Ops)
	}

	// The run ends: its last second, then "end", then the stream closes.
	l.stop()
	var last LiveEvent
	for {
		e := next(t, events)
		if e.name == "end" {
			break
		}
		if e.name == "" {
			json.Unmarshal([]byte(e.data), &last)
		}
	}
	if _, open := <-events; open {
		t.Error("the stream went on after its end event")
	}
	final := l.rec.Summary()
	if !last.End || last.Totals.Samples != final.Ops[0].Count || last.Totals.Errors != final.Ops[0].Errors {
		t.Errorf("last event end=%v samples %d errors %d; the summary has %d, %d",
			last.End, last.Totals.Samples, last.Totals.Errors, final.Ops[0].Count, final.Ops[0].Errors)
	}
}

// TestDashboardPage checks the live page: the report's page, with the
// live hook and a policy that lets it reach /events and nothing else.
func TestDashboardPage(t *testing.T) {
	t.Parallel()
	l := startLiveRun(t)
	for path, want := range map[string]int{"/": 200, "/summary.json": 200, "/nope": 404} {
		resp, err := http.Get(l.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		if path != "/" {
			continue
		}
		page := string(b)
		for _, s := range []string{`data-live="events"`, "connect-src 'self'", `data-multiples="latency"`, "var DATA = {"} {
			if !strings.Contains(page, s) {
				t.Errorf("the live page lacks %q", s)
			}
		}
		if m := externalRef.FindAllString(page, -1); len(m) > 0 {
			t.Errorf("the live page refers to outside resources: %q", m)
		}
	}
}

// TestLiveKeepsRecentEvents: the latest keepEvents seconds' events are
// kept for clients that fell behind; a skipped second has none.
func TestLiveKeepsRecentEvents(t *testing.T) {
	t.Parallel()
	r := testRecorder(1)
	l := r.keepLive()
	sec := map[opKey]*secAgg{}
	for s := int64(0); s < 20; s++ {
		if s == 12 {
			continue // a late tick: second 12 is never rolled
		}
		r.rollLive(s, testStart.Add(time.Duration(s+1)*time.Second), sec, false)
	}
	for s := int64(0); s < 20; s++ {
		ev := l.eventAt(s)
		kept := s >= 20-keepEvents && s != 12
		if (ev != nil) != kept {
			t.Errorf("second %d: event kept %v, want %v", s, ev != nil, kept)
		}
		if ev != nil && !strings.Contains(string(ev), `"second":`+strconv.FormatInt(s, 10)+`,`) {
			t.Errorf("second %d: event %.60s", s, ev)
		}
	}
	if d := l.page(); d.Seconds != 20 {
		t.Errorf("page has %d seconds, want 20", d.Seconds)
	}
}
