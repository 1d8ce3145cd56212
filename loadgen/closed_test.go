package loadgen

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"
)

func TestClosedExecutorCounts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		exec      Executor
		think     time.Duration
		started   int64
		perWorker []int // iterations each worker ran
		end       time.Duration
	}{
		// 10 shared by 3 workers, 100ms each: workers take 4, 3, 3.
		{"shared 10 over 3", Executor{Kind: SharedIterations, Workers: 3, Iterations: 10}, 0, 10, []int{4, 3, 3}, 400 * ms},
		{"per-worker 3×4", Executor{Kind: PerWorkerIterations, Workers: 3, Iterations: 4}, 0, 12, []int{4, 4, 4}, 400 * ms},
		// A Duration cuts the iteration executors short: at 250ms the
		// third iteration of each worker is in flight and may finish.
		{"shared max duration", Executor{Kind: SharedIterations, Workers: 2, Iterations: 100, Duration: 250 * ms}, 0, 6, []int{3, 3}, 300 * ms},
		{"per-worker max duration", Executor{Kind: PerWorkerIterations, Workers: 2, Iterations: 100, Duration: 250 * ms}, 0, 6, []int{3, 3}, 300 * ms},
		// 2 workers for 1.05s at 100ms: 11 each, the last in flight at
		// the regular end.
		{"constant workers", Executor{Kind: ConstantWorkers, Workers: 2, Duration: 1050 * ms}, 0, 22, []int{11, 11}, 1100 * ms},
		// With 140ms think time: starts at 0, 240, 480, 720, 960ms; the
		// last ends at 1060ms, inside the graceful window.
		{"think time", Executor{Kind: ConstantWorkers, Workers: 1, Duration: time.Second}, 140 * ms, 5, []int{5}, 1060 * ms},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
				return plan1(Scenario{
					Name:         "c",
					Executor:     tc.exec,
					ThinkTime:    tc.think,
					GracefulStop: time.Second,
					Steps:        []Step{{Name: "op", Op: sleepOp(c, 100*ms)}},
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			sc := out.Scenarios[0]
			if sc.Started != tc.started || sc.Completed != tc.started || sc.Workers != len(tc.perWorker) {
				t.Errorf("outcome %+v; want %d started and completed by %d workers", sc, tc.started, len(tc.perWorker))
			}
			if d := out.End.Sub(out.Start); d != tc.end {
				t.Errorf("run took %v; want %v", d, tc.end)
			}
			per := make([]int, len(tc.perWorker))
			for _, s := range sink.samples {
				per[s.Worker]++
				if s.Latency != 100*ms || s.ServiceTime != 100*ms {
					t.Errorf("sample %+v: want latency = service time = 100ms", s)
				}
			}
			for _, it := range sink.iters {
				if it.Latency != it.ServiceTime {
					t.Errorf("iteration %+v: closed latency must equal service time", it)
				}
			}
			sort.Sort(sort.Reverse(sort.IntSlice(per)))
			for i := range per {
				if per[i] != tc.perWorker[i] {
					t.Errorf("iterations per worker %v; want %v", per, tc.perWorker)
					break
				}
			}
		})
	}
}

// TestSharedIterationNumbers checks that shared iterations are numbered
// 0…n−1, each once.
func TestSharedIterationNumbers(t *testing.T) {
	t.Parallel()
	var (
		mu  sync.Mutex
		got []int64
	)
	_, _, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		return plan1(Scenario{
			Name:     "c",
			Executor: Executor{Kind: SharedIterations, Workers: 3, Iterations: 10},
			Steps: []Step{{Name: "op", Op: OpFunc(func(ctx context.Context, it *Iteration) error {
				mu.Lock()
				got = append(got, it.N)
				mu.Unlock()
				return c.sleep(ctx, time.Duration(it.N+1)*ms)
			})}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	if len(got) != 10 {
		t.Fatalf("iterations %v; want 0…9", got)
	}
	for i, n := range got {
		if n != int64(i) {
			t.Fatalf("iterations %v; want 0…9", got)
		}
	}
}

func TestWorkerSteps(t *testing.T) {
	t.Parallel()
	s := time.Second
	for _, tc := range []struct {
		name   string
		start  int
		stages []Stage
		want   []workerStep
	}{
		{"up", 0, []Stage{{4 * s, 4}}, []workerStep{{s, 1}, {2 * s, 2}, {3 * s, 3}, {4 * s, 4}}},
		{"down", 4, []Stage{{2 * s, 0}}, []workerStep{{s / 2, 3}, {s, 2}, {3 * s / 2, 1}, {2 * s, 0}}},
		{"hold", 2, []Stage{{5 * s, 2}}, nil},
		{"jump", 1, []Stage{{0, 5}, {s, 5}, {0, 2}}, []workerStep{{0, 5}, {s, 2}}},
		{"rounds targets", 0, []Stage{{2 * s, 1.6}}, []workerStep{{s, 1}, {2 * s, 2}}},
		{"up hold down", 0, []Stage{{2 * s, 2}, {3 * s, 2}, {2 * s, 0}}, []workerStep{{s, 1}, {2 * s, 2}, {6 * s, 1}, {7 * s, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := workerSteps(tc.start, tc.stages)
			if len(got) != len(tc.want) {
				t.Fatalf("workerSteps = %v; want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("workerSteps = %v; want %v", got, tc.want)
				}
			}
		})
	}
}

// TestRampingWorkersFollowsStages ramps 0→10 workers over 10s, holds 5s,
// and ramps back to 0 over 10s, with 130ms iterations. Worker k (from 0)
// starts when the count reaches k+1, at (k+1)s, and stops after the
// iteration in flight when the count falls to k, at (25−k)s.
func TestRampingWorkersFollowsStages(t *testing.T) {
	t.Parallel()
	s := time.Second
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		return plan1(Scenario{
			Name:         "r",
			Executor:     Executor{Kind: RampingWorkers, Stages: []Stage{{10 * s, 10}, {5 * s, 10}, {10 * s, 0}}},
			GracefulStop: s,
			Steps:        []Step{{Name: "op", Op: sleepOp(c, 130*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	first := map[int]time.Duration{}
	last := map[int]time.Duration{}
	for _, x := range sink.sorted("") {
		if _, ok := first[x.Worker]; !ok {
			first[x.Worker] = x.Start
		}
		last[x.Worker] = x.Start
	}
	for k := range 10 {
		if want := time.Duration(k+1) * s; first[k] != want {
			t.Errorf("worker %d first ran at %v; want %v", k, first[k], want)
		}
		stop := time.Duration(25-k) * s
		if l := last[k]; l >= stop || l+130*ms <= stop {
			t.Errorf("worker %d last started at %v; want within 130ms before %v", k, l, stop)
		}
	}
	sc := out.Scenarios[0]
	if sc.Workers != 10 || sc.MaxActiveWorkers != 10 || int64(len(sink.samples)) != sc.Started {
		t.Errorf("outcome %+v with %d samples; want 10 workers, 10 active at most", sc, len(sink.samples))
	}
	// Worker 0's last iteration (24.92s) is in flight at the end and
	// finishes in the graceful window.
	if d := out.End.Sub(out.Start); d != 25050*ms {
		t.Errorf("run took %v; want 25.05s", d)
	}
}

// TestRampingWorkersFromScenarioStart checks that every worker step is timed
// from the scenario's start, the first one too, also when the run's start
// (Options.Start) lies before Run is called.
func TestRampingWorkersFromScenarioStart(t *testing.T) {
	t.Parallel()
	s := time.Second
	_, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, opts *Options) *Plan {
		opts.Start = c.Now().Add(-500 * ms)
		return plan1(Scenario{
			Name:     "r",
			Executor: Executor{Kind: RampingWorkers, Stages: []Stage{{2 * s, 2}, {s, 2}}},
			Steps:    []Step{{Name: "op", Op: sleepOp(c, 10*s)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.sorted("")
	if len(got) != 2 {
		t.Fatalf("%d samples; want 2", len(got))
	}
	for k, x := range got {
		if want := time.Duration(k+1) * s; x.Start != want || x.Worker != k {
			t.Errorf("sample %d: worker %d started at %v; want worker %d at %v", k, x.Worker, x.Start, k, want)
		}
	}
}

// TestRampingWorkersZeroStageFirst checks that stages of zero duration at
// the start set the worker count before any worker starts: 5 workers
// jumping at once to 0, then to 2 (no worker may run), then holding 2 for
// 1s, run 2 workers only.
func TestRampingWorkersZeroStageFirst(t *testing.T) {
	t.Parallel()
	out, sink, err := runFake(t, func(c *bubble, _ context.CancelFunc, _ *Options) *Plan {
		return plan1(Scenario{
			Name:     "r",
			Executor: Executor{Kind: RampingWorkers, Workers: 5, Stages: []Stage{{0, 0}, {0, 2}, {time.Second, 2}}},
			Steps:    []Step{{Name: "op", Op: sleepOp(c, 300*ms)}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if sc := out.Scenarios[0]; sc.Workers != 2 || sc.MaxActiveWorkers != 2 || sc.Started != 8 {
		t.Errorf("outcome %+v; want 2 workers, 8 iterations (4 each: 0, 300, 600, 900ms)", sc)
	}
	for _, x := range sink.samples {
		if x.Worker >= 2 {
			t.Errorf("worker %d ran at %v; want only workers 0 and 1", x.Worker, x.Start)
		}
	}
}
