package loadgen

import (
	"math"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// TestLagBuckets checks that every lag falls in a bucket whose bounds hold
// it, within 25%.
func TestLagBuckets(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, 1, time.Microsecond, 3 * time.Microsecond, 4 * time.Microsecond, 7 * time.Microsecond,
		999 * time.Microsecond, time.Millisecond, 5 * time.Millisecond, 123456789, time.Hour, -time.Second} {
		i := lagBucket(d)
		up := lagUpper(i)
		lo := time.Duration(0)
		if i > 0 {
			lo = lagUpper(i - 1)
		}
		dd := max(d, 0).Truncate(time.Microsecond)
		if dd < lo || dd >= up || (dd >= 8*time.Microsecond && float64(up-lo) > 0.25*float64(dd)) {
			t.Errorf("lag %v in bucket %d [%v, %v)", d, i, lo, up)
		}
	}
}

func TestSaturated(t *testing.T) {
	t.Parallel()
	cores := float64(runtime.GOMAXPROCS(0))
	for _, tc := range []struct {
		name string
		h    results.Health
		n    int64
		want bool
	}{
		{"idle", results.Health{CPUPercent: 10}, 0, false},
		{"cpu", results.Health{CPUPercent: 91 * cores}, 0, true},
		{"cpu just under", results.Health{CPUPercent: 89 * cores}, 0, false},
		{"scheduler", results.Health{SchedLatencyP99: 6 * time.Millisecond}, 0, true},
		// 1000/s: mean gap 1ms, so the floor of 5ms applies.
		{"lag under floor", results.Health{StartLagP99: 4 * time.Millisecond}, 1000, false},
		{"lag over floor", results.Health{StartLagP99: 6 * time.Millisecond}, 1000, true},
		// 2/s: mean gap 500ms, so 10% is 50ms.
		{"slow rate lag ok", results.Health{StartLagP99: 40 * time.Millisecond}, 2, false},
		{"slow rate lag", results.Health{StartLagP99: 60 * time.Millisecond}, 2, true},
		{"lag without open iterations", results.Health{StartLagP99: time.Second}, 0, false},
	} {
		if got := saturated(tc.h, tc.n, time.Second); got != tc.want {
			t.Errorf("%s: saturated(%+v, %d) = %v; want %v", tc.name, tc.h, tc.n, got, tc.want)
		}
	}
}

func TestSchedP99(t *testing.T) {
	t.Parallel()
	h := &metrics.Float64Histogram{
		Counts:  []uint64{100, 50, 0, 10},
		Buckets: []float64{0, 1e-6, 1e-3, 1e-2, math.Inf(1)},
	}
	for _, tc := range []struct {
		name string
		prev []uint64
		want time.Duration
	}{
		{"all", nil, 10 * time.Millisecond}, // 160 values; the 159th is in [1ms, 10ms)... and 10 are ≥ 10ms
		{"delta fast", []uint64{0, 50, 0, 10}, time.Microsecond},
		{"delta tail", []uint64{100, 50, 0, 0}, 10 * time.Millisecond},
		{"none", []uint64{100, 50, 0, 10}, 0},
	} {
		if got := schedP99(h, tc.prev); got != tc.want {
			t.Errorf("%s: schedP99 = %v; want %v", tc.name, got, tc.want)
		}
	}
}

// TestHealthMeasure checks that one interval's health reads the runtime.
func TestHealthMeasure(t *testing.T) {
	start := time.Now()
	h := newHealth(start)
	for i := range 1000 {
		h.lag.record(time.Duration(i) * time.Microsecond)
	}
	x := 0
	for time.Since(start) < 20*ms { // some CPU to measure
		x++
	}
	got := h.measure(3, time.Now())
	if got.Second != 3 || got.Goroutines < 1 || got.HeapBytes == 0 || got.CPUPercent <= 0 {
		t.Errorf("measure = %+v; want second 3, goroutines, heap and CPU", got)
	}
	if got.StartLagP99 < 990*time.Microsecond || got.StartLagP99 > 1250*time.Microsecond {
		t.Errorf("start lag p99 %v; want about 990µs", got.StartLagP99)
	}
	if again := h.measure(4, time.Now()); again.StartLagP99 != 0 {
		t.Errorf("second interval start lag p99 %v; want 0 (no new starts)", again.StartLagP99)
	}
}
