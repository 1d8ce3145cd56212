package scenarios

import (
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		want Shard
		err  bool
	}{
		{"0/3", Shard{0, 3}, false},
		{"2/3", Shard{2, 3}, false},
		{"0/1", Shard{0, 1}, false},
		{"3/3", Shard{}, true},  // index past the end
		{"-1/3", Shard{}, true}, // negative
		{"1", Shard{}, true},    // no count
		{"a/b", Shard{}, true},
		{"0/0", Shard{}, true},
	}
	for _, tt := range tests {
		got, err := ParseShard(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestShardPartsAddUp(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 3, 10, 11, 100, 1001} {
		for c := 1; c <= 7; c++ {
			var sum int64
			for i := 0; i < c; i++ {
				sum += Shard{i, c}.part(n)
			}
			if sum != n {
				t.Errorf("parts of %d over %d shards add up to %d", n, c, sum)
			}
		}
	}
	// k6's segments: 10 iterations over 3 shards are 4, 3, 3.
	for i, want := range []int64{4, 3, 3} {
		if got := (Shard{i, 3}).part(10); got != want {
			t.Errorf("shard %d/3 of 10 = %d, want %d", i, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	base := func() *Workload {
		return &Workload{
			Target: Target{MaxRate: 300, MaxWorkers: 10},
			Setup:  Setup{Users: 10, Groups: 2},
			Scenarios: []ScenarioSpec{
				{Name: "rate", Executor: loadgen.ConstantRate, Rate: 300, Workers: 2, MaxWorkers: 30, Duration: time.Second},
				{Name: "ramp", Executor: loadgen.RampingRate, StartRate: 30, Stages: []loadgen.Stage{{Duration: time.Second, Target: 90}}, MaxWorkers: 9},
				{Name: "shared", Executor: loadgen.SharedIterations, Workers: 3, Iterations: 10},
				{Name: "each", Executor: loadgen.PerWorkerIterations, Workers: 5, Iterations: 4},
			},
		}
	}
	var iters, users, groups, perWorker int64
	var rate float64
	for i := 0; i < 3; i++ {
		w := base()
		if err := w.Split(Shard{i, 3}); err != nil {
			t.Fatal(err)
		}
		rate += w.Scenarios[0].Rate
		iters += w.Scenarios[2].Iterations
		perWorker += int64(w.Scenarios[3].Workers) * w.Scenarios[3].Iterations
		users += int64(w.Setup.Users)
		groups += int64(w.Setup.Groups)
		if w.Scenarios[1].StartRate != 10 || w.Scenarios[1].Stages[0].Target != 30 {
			t.Errorf("shard %d ramp = %v → %v; want 10 → 30", i, w.Scenarios[1].StartRate, w.Scenarios[1].Stages[0].Target)
		}
		if w.Scenarios[2].Workers < 1 {
			t.Errorf("shard %d has no workers for shared iterations", i)
		}
		if w.Target.MaxRate != 100 {
			t.Errorf("shard %d max_rate %v, want 100", i, w.Target.MaxRate)
		}
	}
	if rate != 300 || iters != 10 || users != 10 || groups != 2 || perWorker != 20 {
		t.Errorf("shards add up to rate %v, iterations %d, per-worker total %d, users %d, groups %d; want 300, 10, 20, 10, 2", rate, iters, perWorker, users, groups)
	}
	// The original is untouched when the split is a no-op.
	w := base()
	if err := w.Split(Shard{}); err != nil || w.Scenarios[0].Rate != 300 {
		t.Errorf("unsplit Split changed the workload: %v", err)
	}
}
