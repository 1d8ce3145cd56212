//go:build integration

package loadgen

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestRealClockConstantRate runs 400/s for 2s on the real clock with a
// no-op op: about 800 iterations, evenly spaced, and a health record each
// second. Bounds are loose enough for a busy machine; run without -race.
func TestRealClockConstantRate(t *testing.T) {
	sink := newRecSink()
	p := plan1(Scenario{
		Name:         "real",
		Executor:     Executor{Kind: ConstantRate, Rate: 400, Duration: 2 * time.Second},
		GracefulStop: 5 * time.Second, // iterations overdue at the end may still start
		Steps:        []Step{{Name: "nop", Op: nop}},
	})
	out, err := Run(context.Background(), p, sink, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.sorted("")
	if n := len(got); n < 792 || n > 808 {
		t.Fatalf("%d iterations; want 800 ±1%%", n)
	}
	if sc := out.Scenarios[0]; sc.Dropped != 0 || sc.Started != int64(len(got)) {
		t.Errorf("outcome %+v", sc)
	}
	// The intended start, recovered from the first step's sample
	// (Latency runs from it, ServiceTime from the actual start), is exactly
	// n × 2.5ms whatever the machine's load.
	intendeds := make([]time.Duration, len(got))
	for i, s := range got {
		intendeds[i] = s.Start + s.ServiceTime - s.Latency
	}
	slices.Sort(intendeds)
	for n, intended := range intendeds {
		if d := intended - time.Duration(n)*2500*time.Microsecond; d < -time.Microsecond || d > time.Microsecond {
			t.Fatalf("iteration %d: intended start %v; want %v", n, intended, time.Duration(n)*2500*time.Microsecond)
		}
	}
	// Actual starts follow them and span about 2s. Loose on purpose: on a
	// shared, overloaded machine even a bare time.Timer loop wakes up to
	// 300ms late (the health records then say Saturated), so the lags are
	// logged, not asserted.
	lags := make([]time.Duration, len(got))
	for i, s := range got {
		lags[i] = s.Latency
	}
	slices.Sort(lags)
	t.Logf("start lag p50 %v p90 %v p99 %v max %v", lags[len(lags)/2], lags[len(lags)*9/10], lags[len(lags)*99/100], lags[len(lags)-1])
	if span := got[len(got)-1].Start - got[0].Start; span < 1900*time.Millisecond || span > 3*time.Second {
		t.Errorf("first to last start %v; want about 2s", span)
	}
	if len(sink.health) == 0 {
		t.Error("no health records")
	}
	for _, h := range sink.health {
		t.Logf("health %+v", h)
	}
}
