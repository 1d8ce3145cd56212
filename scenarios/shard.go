package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// Shard names one part of a workload split over several generators
// (--shard I/N, or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with
// --shards N). Index counts from 0. The zero value (Count 0) means unsplit.
type Shard struct {
	Index, Count int
}

// String returns "I/N", or "" for an unsplit run.
func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ParseShard parses "I/N" with 0 ≤ I < N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want INDEX/COUNT such as 0/3 (indexes count from 0)", s)
	}
	idx, err1 := strconv.Atoi(strings.TrimSpace(i))
	cnt, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil || cnt < 1 || idx < 0 || idx >= cnt {
		return Shard{}, fmt.Errorf("shard %q: want INDEX/COUNT with 0 ≤ INDEX < COUNT, such as 0/3", s)
	}
	return Shard{Index: idx, Count: cnt}, nil
}

// part returns this shard's part of a whole count n, k6-style segments:
// shard i gets ceil((i+1)n/N) − ceil(i·n/N), so 10 over 3 shards is 4, 3, 3
// and the parts always add up to n.
func (s Shard) part(n int64) int64 {
	if s.Count <= 1 || n <= 0 {
		return n
	}
	c := int64(s.Count)
	ceil := func(a int64) int64 { return (a + c - 1) / c }
	return ceil(int64(s.Index+1)*n) - ceil(int64(s.Index)*n)
}

// Split keeps this shard's part of the workload: every rate and rate cap is
// divided by the shard count; worker counts, iteration counts and setup
// totals are split into integer parts that add up to the whole (a part
// that would be 0 workers stays 1 so every shard runs each scenario, while
// iteration counts may be 0). An unsplit Shard changes nothing.
func (w *Workload) Split(s Shard) error {
	if s.Count == 0 {
		return nil
	}
	if s.Count < 0 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("scenarios: shard %d/%d: want 0 ≤ index < count", s.Index, s.Count)
	}
	if s.Count == 1 {
		return nil
	}
	n := float64(s.Count)
	atLeast1 := func(v int) int {
		if v <= 0 {
			return v
		}
		p := int(s.part(int64(v)))
		if p < 1 {
			p = 1
		}
		return p
	}
	w.Target.MaxRate /= n
	w.Target.MaxWorkers = atLeast1(w.Target.MaxWorkers)
	w.Setup.Users = int(s.part(int64(w.Setup.Users)))
	w.Setup.Groups = int(s.part(int64(w.Setup.Groups)))
	w.Setup.Documents = int(s.part(int64(w.Setup.Documents)))
	for i := range w.Scenarios {
		sc := &w.Scenarios[i]
		sc.Rate /= n
		sc.StartRate /= n
		sc.Workers = atLeast1(sc.Workers)
		sc.MaxWorkers = atLeast1(sc.MaxWorkers)
		if sc.Iterations > 0 {
			switch sc.Executor {
			case loadgen.PerWorkerIterations:
				// Iterations are per worker; the workers were split.
			default:
				sc.Iterations = s.part(sc.Iterations)
			}
		}
		stages := make([]loadgen.Stage, len(sc.Stages))
		for j, st := range sc.Stages {
			st.Target /= n
			stages[j] = st
		}
		sc.Stages = stages
		if sc.Capacity != nil {
			c := *sc.Capacity
			c.MaxRate /= n
			sc.Capacity = &c
		}
	}
	return nil
}
