//go:build integration

package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// TestCapacityRealClock: against a loopback server of known capacity (one
// server, first come first served, holding its lock for 5 ms: at most
// 200 requests a second), a capacity search finds within 0.75×–1.1× what a
// closed pool of workers measures the server to do. Bounded at about 40 s;
// run without -race. Generator health is off: this machine is shared, and
// a neighbour's burst would mark a level the generator's (that logic has
// its own tests on a fake clock); the search here is judged against the
// target alone.
//
// The server holds its lock for 5 ms of its own schedule: request k ends
// at max(its arrival, the end of request k−1) + 5 ms (Lindley's
// recursion for one FIFO server), and the handler sleeps until then. So a
// late wake-up on a busy machine delays that response but not the
// server's next one, and its capacity is 200/s whatever the machine's
// load, for the closed pool and the search alike. The SLO is on the
// median, which a neighbour's burst moves less than the tail.
func TestCapacityRealClock(t *testing.T) {
	const hold = 5 * time.Millisecond
	var (
		mu   sync.Mutex
		free time.Time // when the server is done with the last request
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		free = later(free, time.Now()).Add(hold)
		done := free
		mu.Unlock()
		t := time.NewTimer(time.Until(done))
		defer t.Stop()
		select {
		case <-t.C:
			w.WriteHeader(http.StatusNoContent)
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 1000}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	get := OpFunc(func(ctx context.Context, _ *Iteration) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	})

	// What a closed pool measures: 8 workers for 3 s, always one queued.
	out, err := Run(context.Background(), plan1(Scenario{
		Name: "pool", Executor: Executor{Kind: ConstantWorkers, Workers: 8, Duration: 3 * time.Second},
		GracefulStop: time.Second, Steps: []Step{{Name: "get", Op: get}},
	}), newRecSink(), Options{NoHealth: true})
	if err != nil {
		t.Fatal(err)
	}
	closed := float64(out.Scenarios[0].Completed) / out.End.Sub(out.Start).Seconds()

	th, err := results.ParseThreshold("p(50) < 50ms")
	if err != nil {
		t.Fatal(err)
	}
	sink := &levelRec{recSink: newRecSink()}
	start := time.Now()
	_, err = Run(context.Background(), plan1(Scenario{
		Name: "search",
		Executor: Executor{Kind: Capacity, Rate: 50, Duration: 40 * time.Second, Capacity: &CapacitySearch{
			Step: 3 * time.Second, MaxRate: 1000, Cooldown: 200 * time.Millisecond,
			SLO: []results.Rule{{Key: "*", Expr: "p(50) < 50ms", T: th}}}},
		GracefulStop: 2 * time.Second, Steps: []Step{{Name: "get", Op: get}},
	}), sink, Options{NoHealth: true})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	rec, err := results.NewRecorder(results.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	for _, l := range sink.levels {
		rec.RecordCapacityLevel(l)
	}
	c := rec.Summary().Scenarios[0].Capacity
	for _, l := range c.Levels {
		t.Logf("%8.1f/s offered %8.1f/s achieved  p99 %7.1f ms  pass %v  %s", l.RatePerS, l.AchievedPerS, l.P99MS, l.Pass, l.Reason)
	}
	t.Logf("closed pool: %.1f/s; search: %s (%v, limited by %s)", closed, c.Verdict, took.Round(time.Second), c.LimitedBy)
	if r := c.MaxRatePerS / closed; r < 0.75 || r > 1.1 {
		t.Errorf("found %.1f/s, %.2f× the closed pool's %.1f/s; want 0.75×–1.1×", c.MaxRatePerS, r, closed)
	}
	if c.LimitedBy != "slo" {
		t.Errorf("limited by %q, want slo", c.LimitedBy)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
