package results

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// synthRun is a synthetic run: what it records, second by second.
type synthRun struct {
	seconds int64
	samples []Sample    // sorted by Start
	iters   []Iteration // sorted by Start
	health  []Health
	late    map[int64]map[string]int64 // second → scenario → late added
	dropped map[int64]map[string]int64
}

// newSynthRun returns a seeded run of n seconds: two scenarios, three ops
// (two with overlapping phases and sub-phases), 5xx and timeout errors,
// late and dropped iterations, and a saturated second.
func newSynthRun(seed uint64, n int64) *synthRun {
	rng := rand.New(rand.NewPCG(seed, 42))
	us := time.Microsecond
	run := &synthRun{seconds: n, late: map[int64]map[string]int64{}, dropped: map[int64]map[string]int64{}}
	for sec := int64(0); sec < n; sec++ {
		base := time.Duration(sec) * time.Second
		for i := 0; i < 120; i++ {
			start := base + time.Duration(rng.IntN(1_000_000))*us
			var s Sample
			switch i % 3 {
			case 0:
				svc := time.Duration(15_000+rng.IntN(10_000)+int(rng.ExpFloat64()*3000)) * us
				s = Sample{Scenario: "onboarding", Op: "user_create", ServiceTime: svc, Status: 201,
					Phases: []Phase{
						{Name: "crypto:pbkdf2", Start: 0, End: svc * 6 / 10},
						{Name: "http:user_create", Start: svc / 2, End: svc},
						{Name: "http:user_create/connect", Start: svc / 2, End: svc * 6 / 10},
						{Name: "http:user_create/wait", Start: svc * 6 / 10, End: svc * 9 / 10},
					}}
			case 1:
				svc := time.Duration(3000+rng.IntN(4000)) * us
				s = Sample{Scenario: "onboarding", Op: "generate_device", ServiceTime: svc, Status: 201,
					Phases: []Phase{
						{Name: "crypto:keygen", Start: 0, End: svc / 3},
						{Name: "http:device_add", Start: svc / 3, End: svc * 95 / 100},
					}}
			default:
				svc := time.Duration(800+rng.IntN(2000)) * us
				s = Sample{Scenario: "health", Op: "http", ServiceTime: svc, Status: 200}
			}
			s.Worker, s.Start = rng.IntN(16), start
			s.Latency = s.ServiceTime
			if sec >= 3 && sec < 7 && s.Scenario == "onboarding" {
				s.Latency += time.Duration(rng.IntN(40_000)) * us // queueing while late
			}
			switch r := rng.IntN(100); {
			case r < 2:
				s.Class, s.Status = ClassHTTP5xx, 503
			case r < 3 && s.Op == "http":
				s.Class, s.Status = ClassTimeout, 0
			}
			run.samples = append(run.samples, s)
			if s.Scenario == "health" {
				run.iters = append(run.iters, Iteration{Scenario: s.Scenario, Worker: s.Worker, Start: s.Start,
					Latency: s.Latency, ServiceTime: s.ServiceTime, Failed: s.Class != ""})
			}
		}
		run.health = append(run.health, Health{Second: sec, CPUPercent: 30 + float64(rng.IntN(40)),
			SchedLatencyP99: time.Duration(50+rng.IntN(200)) * us, StartLagP99: time.Duration(200+rng.IntN(2000)) * us,
			Goroutines: 40 + rng.IntN(10), HeapBytes: uint64(8<<20 + rng.IntN(1<<20)), Saturated: sec == 6})
		if sec >= 3 && sec < 7 {
			run.late[sec] = map[string]int64{"onboarding": 3}
		}
		if sec == 5 {
			run.dropped[sec] = map[string]int64{"onboarding": 1}
		}
	}
	sortByStart(run.samples, func(s Sample) time.Duration { return s.Start })
	sortByStart(run.iters, func(it Iteration) time.Duration { return it.Start })
	return run
}

func sortByStart[T any](xs []T, start func(T) time.Duration) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && start(xs[j]) < start(xs[j-1]); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// split divides the run into two shards: samples, iterations, health and
// counters of odd workers (among those that start after cut) go to the
// second shard, which starts cut later.
func (run *synthRun) split(cut time.Duration) (a, b *synthRun) {
	a = &synthRun{seconds: run.seconds, late: map[int64]map[string]int64{}, dropped: map[int64]map[string]int64{}}
	b = &synthRun{seconds: run.seconds, late: map[int64]map[string]int64{}, dropped: map[int64]map[string]int64{}}
	for _, s := range run.samples {
		if s.Worker%2 == 1 && s.Start >= cut {
			s.Start -= cut
			b.samples = append(b.samples, s)
		} else {
			a.samples = append(a.samples, s)
		}
	}
	for _, it := range run.iters {
		if it.Worker%2 == 1 && it.Start >= cut {
			it.Start -= cut
			b.iters = append(b.iters, it)
		} else {
			a.iters = append(a.iters, it)
		}
	}
	a.health, b.health = run.health, run.health
	for sec, m := range run.late {
		if sec%2 == 0 {
			a.late[sec] = m
		} else {
			b.late[sec] = m
		}
	}
	a.dropped = run.dropped
	return a, b
}

// write records the run into a new run folder dir starting at start,
// flushing the stream once per simulated second (so counters and health
// land in the seconds they belong to), and ends it at start + seconds.
func (run *synthRun) write(t testing.TB, dir string, start time.Time, meta RunMeta) {
	t.Helper()
	if meta.ID == "" {
		meta.ID = newRunID() // as NewRecorder does
	}
	r := newRecorder(Config{Start: start, Meta: meta}, 4)
	if err := r.openStream(dir); err != nil {
		t.Fatal(err)
	}
	tk := r.newTicker()
	si, ii := 0, 0
	for sec := int64(0); sec < run.seconds; sec++ {
		next := time.Duration(sec+1) * time.Second
		for ; si < len(run.samples) && run.samples[si].Start < next; si++ {
			r.RecordSample(&run.samples[si])
		}
		for ; ii < len(run.iters) && run.iters[ii].Start < next; ii++ {
			r.RecordIteration(&run.iters[ii])
		}
		for _, h := range run.health {
			if h.Second == sec {
				r.RecordHealth(h)
			}
		}
		for sc, n := range run.late[sec] {
			r.AddLate(sc, n)
		}
		for sc, n := range run.dropped[sec] {
			r.AddDropped(sc, n)
		}
		r.tick(tk, start.Add(next), false)
	}
	for ; si < len(run.samples); si++ {
		r.RecordSample(&run.samples[si])
	}
	for ; ii < len(run.iters); ii++ {
		r.RecordIteration(&run.iters[ii])
	}
	end := start.Add(time.Duration(run.seconds) * time.Second)
	r.SetEnd(end)
	r.tick(tk, end, true)
	if err := r.w.close(); err != nil {
		t.Fatal(err)
	}
}

func TestMergeEqualsOneRun(t *testing.T) {
	t.Parallel()
	run := newSynthRun(1, 10)
	meta := RunMeta{Name: "synth", WorkloadSHA256: "abc", Version: "test"}
	oneDir := t.TempDir()
	run.write(t, oneDir, testStart, meta)

	cut := 2500 * time.Millisecond
	a, b := run.split(cut)
	aDir, bDir := t.TempDir(), t.TempDir()
	ma, mb := meta, meta
	ma.Shard, mb.Shard = "0/2", "1/2"
	a.write(t, aDir, testStart, ma)
	b.seconds -= 3 // ends at testStart + 2.5 s + 7 s, before the one run's end
	b.write(t, bDir, testStart.Add(cut), mb)
	if len(a.samples) == 0 || len(b.samples) == 0 {
		t.Fatalf("split gave %d and %d samples", len(a.samples), len(b.samples))
	}

	want, warns, err := Rebuild(oneDir)
	if err != nil || len(warns) > 0 {
		t.Fatalf("rebuild: %v %v", err, warns)
	}
	got, warns, err := Merge([]string{bDir, aDir})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	if got.Run.Shard != "" || !got.Run.Start.Equal(testStart) || !got.Run.End.Equal(want.Run.End) || got.Run.DurationS != want.Run.DurationS {
		t.Errorf("run = %+v, want shard \"\", %v → %v (%v s)", got.Run, want.Run.Start, want.Run.End, want.Run.DurationS)
	}
	if g, w := jsonOf(t, got.Ops), jsonOf(t, want.Ops); g != w {
		t.Errorf("merged ops differ from one run's:\nmerged %s\none    %s", g, w)
	}
	for i := range want.Ops {
		if g, w := got.Ops[i], want.Ops[i]; !reflect.DeepEqual(g.Statuses, w.Statuses) || g.UnaccountedShare != w.UnaccountedShare {
			t.Errorf("%s/%s: statuses %v, want %v", w.Scenario, w.Op, g.Statuses, w.Statuses)
		}
	}
	if g, w := jsonOf(t, got.Scenarios), jsonOf(t, want.Scenarios); g != w {
		t.Errorf("merged scenarios differ:\nmerged %s\none    %s", g, w)
	}
	if sc := got.Scenarios[1]; sc.Name != "onboarding" || sc.Late != 12 || sc.Dropped != 1 {
		t.Errorf("onboarding late/dropped = %d/%d, want 12/1", sc.Late, sc.Dropped)
	}

	// The per-second series are those of the one run, second by second.
	one, _, err := ReadSeries(oneDir)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := jsonOf(t, got.series.Ops), jsonOf(t, one.Ops); g != w {
		t.Errorf("merged per-second series differ:\nmerged %s\none    %s", g, w)
	}
	// Late and dropped totals have flush resolution only: the shards wrote
	// theirs at other moments, so only the totals and their order compare.
	for _, ss := range [][]ScenarioSeries{got.series.Scenarios, one.Scenarios} {
		if len(ss) != 1 || ss[0].Name != "onboarding" {
			t.Fatalf("late/dropped series = %+v", ss)
		}
		p := ss[0].Points
		if l := p[len(p)-1]; l.Late != 12 || l.Dropped != 1 || l.Second != 10 || p[0] != (CounterPoint{}) {
			t.Errorf("late/dropped series = %+v, want from 0 to 12/1 at second 10", p)
		}
		for i := 1; i < len(p); i++ {
			if p[i].Second <= p[i-1].Second || p[i].Late < p[i-1].Late {
				t.Errorf("late/dropped series not increasing: %+v", p)
			}
		}
	}
	if len(got.series.Generators) != 2 {
		t.Errorf("generators = %d, want one per shard", len(got.series.Generators))
	}

	// Thresholds see the merged histograms.
	rules := []Rule{{Key: "*", Expr: "count == 1200", T: Threshold{Metric: "count", Op: "==", Value: 1200}}}
	if res := got.Evaluate(rules); !res[0].OK {
		t.Errorf("threshold on the merge: %v", res[0])
	}
}

func TestMergeRefuses(t *testing.T) {
	t.Parallel()
	run := newSynthRun(2, 2)
	mk := func(shard, sha string) string {
		dir := t.TempDir()
		run.write(t, dir, testStart, RunMeta{Name: "synth", Shard: shard, WorkloadSHA256: sha})
		return dir
	}
	s0, s1, s1again, other := mk("0/3", "w"), mk("1/3", "w"), mk("1/3", "w"), mk("2/3", "x")
	s0of2, plain1, plain2 := mk("0/2", "w"), mk("", "w"), mk("", "w")
	bad := mk("3/3", "w")
	copyOf1 := t.TempDir()
	for _, name := range []string{StreamFile} {
		b, err := os.ReadFile(filepath.Join(plain1, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(copyOf1, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	linkTo0 := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(s0, linkTo0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		dirs  []string
		ok    bool
		shard string // the merged run's shard when ok
	}{
		{"two shards of three", []string{s0, s1}, true, "0,1/3"},
		{"shards and unsharded runs", []string{s0, plain1, plain2}, true, "0/3"},
		{"unsharded runs merge freely", []string{plain1, plain2}, true, ""},
		{"a shard index seen twice", []string{s0, s1, s1again}, false, ""},
		{"differing workloads", []string{s0, other}, false, ""},
		{"differing shard counts", []string{s0, s0of2}, false, ""},
		{"an index out of range", []string{bad}, false, ""},
		{"a folder twice", []string{plain1, plain1}, false, ""},
		{"a folder twice, by another path", []string{s0, s0 + "/."}, false, ""},
		{"a folder and a link to it", []string{s0, linkTo0}, false, ""},
		{"a run and its copy (same run id)", []string{plain1, copyOf1}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, _, err := Merge(tt.dirs)
			if !tt.ok {
				if !errors.Is(err, ErrMergeMismatch) {
					t.Fatalf("err = %v, want ErrMergeMismatch", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sum.Run.Shard != tt.shard {
				t.Errorf("shard = %q, want %q", sum.Run.Shard, tt.shard)
			}
			if want := int64(len(tt.dirs)) * int64(len(run.samples)); countAll(sum) != want {
				t.Errorf("count = %d, want %d", countAll(sum), want)
			}
		})
	}
	if _, _, err := Merge(nil); err == nil {
		t.Error("Merge(nil) succeeded")
	}
	if _, _, err := Merge([]string{t.TempDir()}); err == nil {
		t.Error("Merge of a folder without a stream succeeded")
	}
}

func TestUnionSeconds(t *testing.T) {
	t.Parallel()
	at := func(s float64) time.Time { return testStart.Add(time.Duration(s * float64(time.Second))) }
	run := func(s, e float64) *Summary { return &Summary{Run: RunMeta{Start: at(s), End: at(e)}} }
	tests := []struct {
		name string
		runs []*Summary
		want float64
	}{
		{"one", []*Summary{run(0, 10)}, 10},
		{"overlapping", []*Summary{run(0, 10), run(5, 12)}, 12},
		{"nested", []*Summary{run(0, 10), run(2, 3)}, 10},
		{"disjoint: the gap is not charged", []*Summary{run(20, 30), run(0, 10)}, 20},
		{"touching", []*Summary{run(0, 10), run(10, 15)}, 15},
		{"empty span ignored", []*Summary{run(5, 5)}, 0},
	}
	for _, tt := range tests {
		if got := unionSeconds(tt.runs); got != tt.want {
			t.Errorf("%s: union = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseShard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		idx   []int
		count int
		ok    bool
	}{
		{"", nil, 0, true},
		{"0/1", []int{0}, 1, true},
		{"2/4", []int{2}, 4, true},
		{"0,2/4", []int{0, 2}, 4, true},
		{"4/4", nil, 0, false},  // index out of range
		{"-1/4", nil, 0, false}, // negative
		{"1", nil, 0, false},    // no count
		{"a/2", nil, 0, false},
		{"1/0", nil, 0, false},
	}
	for _, tt := range tests {
		idx, n, err := parseShard(tt.in)
		if (err == nil) != tt.ok || !reflect.DeepEqual(idx, tt.idx) || n != tt.count {
			t.Errorf("parseShard(%q) = %v, %d, %v", tt.in, idx, n, err)
		}
	}
}

func countAll(s *Summary) int64 {
	var n int64
	for _, o := range s.Ops {
		n += o.Count
	}
	return n
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMergeHealthSeconds checks that a merge counts the seconds of the
// merged run, not the sum of the shards' seconds: shards of 10 s and 7 s,
// the second starting 2.5 s (3 whole seconds) later, cover seconds 0-9, and
// each was saturated in its own second 6 (6 and 9 of the merge).
func TestMergeHealthSeconds(t *testing.T) {
	t.Parallel()
	run := newSynthRun(1, 10)
	meta := RunMeta{Name: "synth", WorkloadSHA256: "abc"}
	cut := 2500 * time.Millisecond
	a, b := run.split(cut)
	aDir, bDir := t.TempDir(), t.TempDir()
	ma, mb := meta, meta
	ma.Shard, mb.Shard = "0/2", "1/2"
	a.write(t, aDir, testStart, ma)
	b.seconds -= 3
	b.write(t, bDir, testStart.Add(cut), mb)
	got, _, err := Merge([]string{aDir, bDir})
	if err != nil {
		t.Fatal(err)
	}
	if g := got.Generator; g.Seconds != 10 || g.SaturatedSeconds != 2 || g.FirstSaturated != 6 || !g.Saturated {
		t.Errorf("generator %+v; want 10 seconds, 2 saturated, the first at 6", g)
	}
	var txt strings.Builder
	if err := got.Text(&txt); err != nil {
		t.Fatal(err)
	}
	if want := "SATURATED in 2 of 10 seconds (first at 7s)"; !strings.Contains(txt.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, txt.String())
	}
}
