package results

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Progress is a cheap view of a running Recorder, for a live progress line.
type Progress struct {
	Elapsed    time.Duration
	Iterations int64
	Rate       float64 // iterations per second over the last full second
	Errors     int64   // failed samples
	Late       int64
	Dropped    int64
	Saturated  bool // the latest health record said saturated
	// Level is the last finished level of a capacity search, judged:
	// "decrypt 101/s FAIL: p99 123 ms"; "" without one.
	Level string
}

// Progress returns the counters so far. It takes no lock but the health
// mutex, and costs O(shards + scenarios).
func (r *Recorder) Progress() Progress {
	p := Progress{Elapsed: time.Since(r.start), Rate: math.Float64frombits(r.rate.Load())}
	for _, sh := range r.shards {
		p.Iterations += sh.iterations.Load()
		p.Errors += sh.errors.Load()
	}
	r.late.Range(func(_, v any) bool { p.Late += v.(*atomic.Int64).Load(); return true })
	r.dropped.Range(func(_, v any) bool { p.Dropped += v.(*atomic.Int64).Load(); return true })
	r.healthMu.Lock()
	p.Saturated = r.health.n > 0 && r.health.last.Saturated
	p.Level = r.lastLevel
	r.healthMu.Unlock()
	return p
}

// String returns one line: "12s  iterations 1234  102.3/s  errors 3  late 0
// dropped 0", with "  SATURATED" appended when the generator is saturated
// and the last capacity level, if any.
func (p Progress) String() string {
	s := fmt.Sprintf("%s  iterations %d  %.1f/s  errors %d  late %d  dropped %d",
		p.Elapsed.Truncate(100*time.Millisecond), p.Iterations, p.Rate, p.Errors, p.Late, p.Dropped)
	if p.Saturated {
		s += "  SATURATED"
	}
	if p.Level != "" {
		s += "  level " + p.Level
	}
	return s
}
