//go:build integration

package loadgen

import (
	"context"
	"github.com/ironcorelabs/loadgen/results"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync/atomic"
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

// TestStopAtAnyRateRealClock asks for 10¹²/s and stops after 200ms, as
// SIGINT does: the run must end within the 1s graceful window, having
// counted its drops in closed form (one at a time it would run for hours).
func TestStopAtAnyRateRealClock(t *testing.T) {
	stop := make(chan struct{})
	p := plan1(Scenario{
		Name:         "huge",
		Executor:     Executor{Kind: ConstantRate, Rate: 1e12, Duration: time.Hour, MaxWorkers: 100},
		GracefulStop: time.Second,
		Steps:        []Step{{Name: "nop", Op: nop}},
	})
	time.AfterFunc(200*time.Millisecond, func() { close(stop) })
	begin := time.Now()
	out, err := Run(context.Background(), p, newRecSink(), Options{Stop: stop, NoHealth: true})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(begin)
	sc := out.Scenarios[0]
	t.Logf("took %v: %+v", took, sc)
	if took > 200*time.Millisecond+time.Second+500*time.Millisecond {
		t.Errorf("run took %v after a stop at 200ms; want it within the 1s graceful window", took)
	}
	if sc.Dropped < 1e10 || !sc.Stopped {
		t.Errorf("outcome %+v; want over 10¹⁰ dropped and stopped", sc)
	}
}

// TestDefaultWorkersLoopbackRealClock runs 3000/s for 3s against a
// loopback HTTP server that answers in 50ms, with the engine's default
// workers: ~150 must be in flight. The worker cap must never bind (the cap
// of max(workers, 100) did: 7.8s for a 5s run, p50 1.45s). When the
// generator's own health says it was not saturated, the rate must hold,
// no iteration wait for a worker and the median latency stay near the
// service time; on a machine too busy to give the process its CPU the
// verdict says so (cause "machine") and only the cap is asserted.
func TestDefaultWorkersLoopbackRealClock(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
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
	sink := newRecSink()
	p := plan1(Scenario{
		Name:         "loopback",
		Executor:     Executor{Kind: ConstantRate, Rate: 3000, Duration: 3 * time.Second},
		GracefulStop: 5 * time.Second,
		Steps:        []Step{{Name: "get", Op: get}},
	})
	out, err := Run(context.Background(), p, sink, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := out.Scenarios[0]
	lat := make([]time.Duration, 0, len(sink.samples))
	errs := 0
	for _, s := range sink.samples {
		lat = append(lat, s.Latency)
		if s.Err != nil {
			errs++
		}
	}
	slices.Sort(lat)
	p50 := lat[len(lat)/2]
	rate := float64(sc.Started) / out.End.Sub(out.Start).Seconds()
	t.Logf("started %d in %v (%.0f/s), late %d, dropped %d, workers %d (max active %d), capped %d s, errors %d, latency p50 %v p99 %v",
		sc.Started, out.End.Sub(out.Start), rate, sc.Late, sc.Dropped, sc.Workers, sc.MaxActiveWorkers, sc.WorkersCappedS, errs, p50, lat[len(lat)*99/100])
	for _, h := range sink.health {
		t.Logf("health %+v", h)
	}
	if sc.WorkersCappedS != 0 {
		t.Errorf("outcome %+v; want the worker cap never reached (the default allows 10s × 3000/s)", sc)
	}
	for _, h := range sink.health {
		if h.Saturated {
			t.Logf("the generator was saturated in second %d (cause %s): rate, lateness and latency not asserted", h.Second, h.Cause)
			return
		}
	}
	if sc.Started != 9000 || sc.Dropped != 0 || sc.Late != 0 || errs != 0 {
		t.Errorf("outcome %+v, %d errors; want all 9000 started, none late, dropped or failed", sc, errs)
	}
	if p50 > 150*time.Millisecond {
		t.Errorf("latency p50 %v; want near the 50ms service time", p50)
	}
}

// TestSaturationCausesRealClock pegs one core with a goroutine on its own
// OS thread for a second, as client crypto, as the embedded service and as
// loadgen's own work, and checks that generator health catches the pegged
// core (a thread runnable all the second, even on a machine too busy to
// give it the whole core) and names each cause; on a machine that gave
// the thread less than half of that second, the cause is the machine.
func TestSaturationCausesRealClock(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("per-thread CPU is measured on Linux only")
	}
	for _, tc := range []struct {
		name string
		want string
	}{
		{"crypto", results.CauseCrypto},
		{"service", results.CauseService},
		{"loadgen", results.CauseCPU},
	} {
		var svc atomic.Int64
		start := time.Now()
		h := newHealth(start, func() time.Duration { return time.Duration(svc.Load()) })
		done := make(chan time.Duration)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			t0 := time.Now()
			x := 0
			for time.Since(t0) < 1100*ms {
				x++
			}
			done <- time.Since(t0)
		}()
		spun := <-done
		switch tc.name {
		case "crypto":
			h.g.addCrypto([]results.Phase{{Name: "crypto:spin", End: spun}})
		case "service":
			svc.Add(int64(spun))
		}
		got := h.measure(0, time.Now())
		t.Logf("%s: %+v", tc.name, got)
		want := tc.want
		if got.ThreadCPUMaxPercent < got.ThreadRunnableMaxPercent/2 && got.RunQueuePercent >= SaturatedRunQueue {
			want = results.CauseMachine
		}
		if !got.Saturated || got.Cause != want {
			t.Errorf("%s: saturated %v, cause %q; want saturated by %q (one pegged core)", tc.name, got.Saturated, got.Cause, want)
		}
	}
}

// TestLightRunNotSaturatedRealClock runs a second of light work (a wake-up
// every 5ms): the generator is not saturated, unless the machine itself
// kept its threads waiting for a CPU, which the verdict then names.
func TestLightRunNotSaturatedRealClock(t *testing.T) {
	h := newHealth(time.Now(), nil)
	tick := time.NewTicker(5 * ms)
	for t0 := time.Now(); time.Since(t0) < time.Second; {
		<-tick.C
		h.g.lag.record(50 * time.Microsecond)
	}
	tick.Stop()
	got := h.measure(0, time.Now())
	t.Logf("%+v", got)
	if got.Saturated && got.Cause != results.CauseMachine {
		t.Errorf("a light second: saturated by %q; want not saturated (or, on a busy machine, %q)", got.Cause, results.CauseMachine)
	}
}
