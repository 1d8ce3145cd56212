package results

import (
	"sync/atomic"
	"testing"
	"time"
)

// benchSample returns a sample of realistic shape with n phases.
func benchSample(phases int) *Sample {
	s := &Sample{Scenario: "documents", Op: "document_encrypt", Latency: 12 * time.Millisecond,
		ServiceTime: 11 * time.Millisecond, Status: 200}
	names := []string{"crypto:encrypt", "http:document_create", "http:document_create/connect"}
	for i := 0; i < phases; i++ {
		s.Phases = append(s.Phases, Phase{Name: names[i%len(names)], Start: time.Duration(i) * time.Millisecond,
			End: time.Duration(i+5) * time.Millisecond})
	}
	return s
}

func BenchmarkRecordSample(b *testing.B) {
	for _, bc := range []struct {
		name   string
		stream bool
		phases int
	}{
		{"memory/0phases", false, 0},
		{"memory/3phases", false, 3},
		{"stream/0phases", true, 0},
		{"stream/3phases", true, 3},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := Config{}
			if bc.stream {
				cfg.Dir = b.TempDir()
			}
			r, err := NewRecorder(cfg)
			if err != nil {
				b.Fatal(err)
			}
			s := benchSample(bc.phases)
			// Warm up: populate the buckets and buffers steady state uses.
			for i := 0; i < 100000; i++ {
				s.Latency = time.Duration(i%20000) * time.Microsecond
				r.RecordSample(s)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Start = time.Duration(i) * time.Microsecond
				s.Latency = time.Duration(i%20000) * time.Microsecond
				r.RecordSample(s)
			}
			b.StopTimer()
			if err := r.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkRecordSampleParallel records from GOMAXPROCS goroutines, each
// its own worker, with the stream on and 3 phases.
func BenchmarkRecordSampleParallel(b *testing.B) {
	r, err := NewRecorder(Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	var worker atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		s := benchSample(3)
		s.Worker = int(worker.Add(1))
		i := 0
		for pb.Next() {
			s.Latency = time.Duration(i%20000) * time.Microsecond
			r.RecordSample(s)
			i++
		}
	})
	b.StopTimer()
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
}

func TestRecordSampleAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count needs a warmed-up recorder")
	}
	r := testRecorder(1) // memory only; no goroutine
	s := benchSample(3)
	for i := 0; i < 50000; i++ {
		s.Latency = time.Duration(i%20000) * time.Microsecond
		r.RecordSample(s)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		s.Latency = time.Duration(i%20000) * time.Microsecond
		i++
		r.RecordSample(s)
	})
	if allocs != 0 {
		t.Errorf("RecordSample allocates %v times per sample in steady state, want 0", allocs)
	}
}
