package results

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkReadSeries reads the per-second series of a 100,000-sample run
// folder, what WriteFiles does for report.html at the end of every run.
func BenchmarkReadSeries(b *testing.B) {
	dir := b.TempDir()
	start := time.Now()
	r, err := NewRecorder(Config{Dir: dir, Start: start})
	if err != nil {
		b.Fatal(err)
	}
	s := &Sample{Scenario: "s", Phases: []Phase{{Name: "http:x", End: time.Millisecond}}}
	for i := 0; i < 100_000; i++ {
		s.Op = fmt.Sprintf("op%d", i%4)
		s.Start = time.Duration(i) * 100 * time.Microsecond
		s.Latency, s.ServiceTime = time.Duration(1000+i%5000)*time.Microsecond, time.Millisecond
		s.Worker = i % 8
		r.RecordSample(s)
	}
	r.SetEnd(start.Add(10 * time.Second))
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := ReadSeries(dir); err != nil {
			b.Fatal(err)
		}
	}
}
