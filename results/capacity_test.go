package results

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func capRule(t *testing.T, key, expr string) Rule {
	t.Helper()
	th, err := ParseThreshold(expr)
	if err != nil {
		t.Fatal(err)
	}
	return Rule{Key: key, Expr: expr, T: th}
}

// synthLevel is a level of rate/s starting at start, with fast samples of
// 10 ms, slow ones of 500 ms and failed ones.
type synthLevel struct {
	rate              float64
	start             time.Duration
	fast, slow, fails int
	limited, cut      string
}

func (sl synthLevel) level(spec CapacitySpec) *CapacityLevel {
	step := 2 * time.Second
	st := NewLevelStats(sl.start + step)
	add := func(n int, lat time.Duration, err error) {
		for i := range n {
			at := sl.start + time.Duration(i)*time.Millisecond
			st.AddSample(&Sample{Scenario: "api", Op: "get", Start: at, Latency: lat, ServiceTime: lat, Err: err})
			st.AddIteration(&Iteration{Scenario: "api", Start: at, Latency: lat, ServiceTime: lat, Failed: err != nil})
		}
	}
	add(sl.fast, 10*time.Millisecond, nil)
	add(sl.slow, 500*time.Millisecond, nil)
	add(sl.fails, 10*time.Millisecond, errors.New("503"))
	return &CapacityLevel{Scenario: "api", Rate: sl.rate, Start: sl.start, Step: step, End: sl.start + step + time.Second,
		Limited: sl.limited, Cut: sl.cut, Spec: spec, Stats: st}
}

func capSpec(t *testing.T, maxRate float64) CapacitySpec {
	return CapacitySpec{SLO: []Rule{capRule(t, "*", "p(99) < 100ms"), capRule(t, "get", "error_rate < 1%")},
		Abort: []Rule{capRule(t, "*", "error_rate > 20%")}, Precision: 0.05, MaxRate: maxRate}
}

func TestCapacityVerdict(t *testing.T) {
	spec := capSpec(t, 1000)
	tests := []struct {
		name      string
		levels    []synthLevel
		max       float64
		fail      float64 // 0: none
		limitedBy string
		verdict   string
	}{
		{"slo", []synthLevel{{rate: 100, fast: 200}, {rate: 150, fast: 290, slow: 10}, {rate: 125, fast: 250}, {rate: 137.5, fast: 200, fails: 75}},
			125, 137.5, "incomplete", "sustains 125/s at p(99) < 100ms, get: error_rate < 1%; fails at 138/s: get error_rate 27.3%; ended before the bracket was within precision"},
		{"bracketed", []synthLevel{{rate: 100, fast: 200}, {rate: 104, fast: 200, slow: 4}},
			100, 104, "slo", "sustains 100/s at p(99) < 100ms, get: error_rate < 1%; fails at 104/s: p99 500 ms"},
		{"max_rate", []synthLevel{{rate: 500, fast: 100}, {rate: 1000, fast: 100}},
			1000, 0, "max_rate", "sustains 1000/s at p(99) < 100ms, get: error_rate < 1%; never failed up to max_rate 1000/s: capacity is higher"},
		{"generator", []synthLevel{{rate: 100, fast: 100}, {rate: 150, fast: 100, limited: "3 iterations dropped"}, {rate: 145, fast: 100}},
			145, 0, "generator", "sustains 145/s at p(99) < 100ms, get: error_rate < 1%; loadgen could not drive 150/s (3 iterations dropped): not the target's limit"},
		{"abort", []synthLevel{{rate: 100, fast: 100}, {rate: 150, fails: 50, cut: "abort: error_rate 100% (abort: error_rate > 20%)"}},
			100, 150, "abort", "sustains 100/s at p(99) < 100ms, get: error_rate < 1%; fails at 150/s: abort: error_rate 100% (abort: error_rate > 20%)"},
		{"max_duration", []synthLevel{{rate: 100, fast: 100}, {rate: 150, fast: 100, cut: "max_duration"}},
			100, 0, "max_duration", "sustains 100/s at p(99) < 100ms, get: error_rate < 1%; max_duration ended the search before the bracket was within precision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ls []*CapacityLevel
			for _, sl := range tt.levels {
				ls = append(ls, sl.level(spec))
			}
			c := capacitySummary(ls)
			fail := 0.0
			if c.FirstFailingRatePerS != nil {
				fail = *c.FirstFailingRatePerS
			}
			if c.MaxRatePerS != tt.max || fail != tt.fail || c.LimitedBy != tt.limitedBy || c.Verdict != tt.verdict {
				t.Errorf("max %g, first failing %g, limited by %q, verdict\n%q\nwant %g, %g, %q,\n%q",
					c.MaxRatePerS, fail, c.LimitedBy, c.Verdict, tt.max, tt.fail, tt.limitedBy, tt.verdict)
			}
		})
	}
}

// TestCapacityStreamAndMerge: levels go through the stream, so a rebuilt
// run has the live run's capacity, and a merge of shards judges each level
// on the merged histograms.
func TestCapacityStreamAndMerge(t *testing.T) {
	spec := capSpec(t, 500) // each shard's half of 1000/s
	shards := [][]synthLevel{
		{{rate: 50, start: 0, fast: 100}, {rate: 75, start: 3 * time.Second, fast: 100}, {rate: 62.5, start: 6 * time.Second, fast: 100}},
		// Alone, shard 1 fails at 75/s (p99 of 100 samples, two slow),
		// and it ran a level shard 0 did not.
		{{rate: 50, start: 0, fast: 100}, {rate: 75, start: 3 * time.Second, fast: 98, slow: 2}, {rate: 60, start: 6 * time.Second, fast: 100}},
	}
	var dirs []string
	for i, levels := range shards {
		dir := t.TempDir()
		dirs = append(dirs, dir)
		meta := RunMeta{Name: "cap", WorkloadSHA256: "abc", Shard: []string{"0/2", "1/2"}[i]}
		rec, err := NewRecorder(Config{Dir: dir, Start: testStart, Meta: meta})
		if err != nil {
			t.Fatal(err)
		}
		for _, sl := range levels {
			l := sl.level(spec)
			// The samples go to the run too, as the engine's do.
			rec.RecordSample(&Sample{Scenario: "api", Op: "get", Start: sl.start, Latency: time.Millisecond})
			rec.RecordCapacityLevel(l)
		}
		rec.SetEnd(testStart.Add(10 * time.Second))
		live := rec.Summary()
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
		rebuilt, warns, err := Rebuild(dir)
		if err != nil || len(warns) > 0 {
			t.Fatalf("rebuild: %v %v", err, warns)
		}
		if g, w := jsonOf(t, rebuilt.Scenarios), jsonOf(t, live.Scenarios); g != w {
			t.Errorf("shard %d: rebuilt capacity differs:\nrebuilt %s\nlive    %s", i, g, w)
		}
		if p := rec.Progress(); !strings.HasSuffix(p.String(), "  level api 62.5/s pass") && i == 0 {
			t.Errorf("progress %q", p)
		}
		if i == 1 {
			c := live.Scenarios[0].Capacity
			if c.Levels[1].Pass || c.MaxRatePerS != 60 {
				t.Errorf("shard 1 alone: %+v", c)
			}
		}
	}
	sum, _, err := Merge(dirs)
	if err != nil {
		t.Fatal(err)
	}
	c := sum.Scenarios[0].Capacity
	if c == nil || len(c.Levels) != 4 {
		t.Fatalf("merged capacity %+v", c)
	}
	want := []struct {
		rate    float64
		pass    bool
		limited bool
	}{{100, true, false}, {150, true, false}, {62.5, false, false}, {60, false, false}}
	for i, w := range want {
		l := c.Levels[i]
		if l.RatePerS != w.rate || l.Pass != w.pass || l.GeneratorLimited != w.limited {
			t.Errorf("merged level %d: %+v, want %+v", i, l, w)
		}
	}
	if c.Levels[2].Reason != "not judged: ran by 1 of 2 shards" {
		t.Errorf("reason %q", c.Levels[2].Reason)
	}
	if c.MaxRatePerS != 150 || c.LimitedBy != "incomplete" || !strings.HasSuffix(c.Verdict, "diverged: 2 levels not judged") {
		t.Errorf("merged verdict %+v", c)
	}
	var txt bytes.Buffer
	if err := sum.Text(&txt); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`Capacity search "api" (SLO p(99) < 100ms, get: error_rate < 1%)`, "offered/s", "Verdict: sustains 150/s"} {
		if !strings.Contains(txt.String(), s) {
			t.Errorf("report.txt lacks %q:\n%s", s, txt.String())
		}
	}
	var page bytes.Buffer
	if err := sum.WriteHTML(&page, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`data-chart="capacity" data-scenario="api"`, `data-chart="capacity-errors"`,
		`"latency_slo":[{"label":"p(99) \u003c 100ms","value":100}]`, `"knee":[150,0]`, "not judged: ran by 1 of 2 shards"} {
		if !strings.Contains(page.String(), s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
}

func TestLevelBreached(t *testing.T) {
	st := NewLevelStats(time.Second)
	abort := []Rule{capRule(t, "*", "error_rate > 20%"), capRule(t, "*", "p(99) > 5s")}
	if why := st.Breached(abort, 1); why != "" {
		t.Errorf("no samples: breached %q", why)
	}
	for i := range 10 {
		var err error
		if i < 2 {
			err = errors.New("x")
		}
		st.AddSample(&Sample{Op: "a", Latency: time.Millisecond, Err: err})
	}
	if why := st.Breached(abort, 1); why != "" {
		t.Errorf("20%% errors: breached %q", why)
	}
	// Cut off by loadgen's drain: neither errors nor latencies of the level.
	for range 5 {
		st.AddSample(&Sample{Op: "a", Latency: 7 * time.Second, Err: context.Canceled, Class: ClassCanceled})
	}
	if why := st.Breached(abort, 1); why != "" {
		t.Errorf("20%% errors and 5 samples cut off by loadgen: breached %q", why)
	}
	st.AddSample(&Sample{Op: "a", Latency: 6 * time.Second})
	if why := st.Breached(abort, 1); why != "p99 6 s (abort: p(99) > 5s)" {
		t.Errorf("breached %q", why)
	}
}

// TestCapacityReportInChromium draws a capacity search's charts in
// headless Chromium and checks, from the DOM the page's script left, how
// many series each drew.
func TestCapacityReportInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("SKIPPED: %s is absent (apt-get install -y chromium); the capacity charts were not checked in a browser", chromiumPath)
	}
	spec := capSpec(t, 1000)
	spec.SLO = append(spec.SLO, capRule(t, "*", "error_rate < 5%"))
	rec, err := NewRecorder(Config{Start: testStart, Meta: RunMeta{Name: "cap"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range []synthLevel{{rate: 100, fast: 200}, {rate: 150, fast: 290, slow: 10}, {rate: 125, fast: 250}, {rate: 137.5, fast: 200, fails: 75}} {
		rec.RecordCapacityLevel(sl.level(spec))
	}
	rec.SetEnd(testStart.Add(10 * time.Second))
	rec.Close()
	dir := t.TempDir()
	if err := rec.Summary().WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	dom := chromium(t, "--dump-dom", "file://"+filepath.Join(dir, HTMLFile))
	// Latency: p50, p99, the p99 SLO line and the failed levels; errors:
	// the error rate, the "*" error_rate line and the failed levels.
	for chart, want := range map[string]string{"capacity": "4", "capacity-errors": "3"} {
		tag := regexp.MustCompile(`<figure[^>]*data-chart="` + chart + `"[^>]*>`).FindString(dom)
		if got := attr(tag, "data-series"); got != want || attr(tag, "data-error") != "" {
			t.Errorf("%s chart: %q drew %s series, want %s", chart, tag, got, want)
		}
	}
}

func TestMergeLevelsMaxRatePerScenario(t *testing.T) {
	mk := func(scenario string, rate, maxRate float64) *CapacityLevel {
		return &CapacityLevel{Scenario: scenario, Rate: rate, Step: time.Second, Stats: NewLevelStats(time.Second),
			Spec: CapacitySpec{MaxRate: maxRate, Precision: 0.05}}
	}
	shard := func() []*CapacityLevel { return []*CapacityLevel{mk("a", 10, 100), mk("b", 5, 50), mk("a", 15, 100)} }
	got := mergeLevels([][]*CapacityLevel{shard(), shard()}, 2)
	if len(got) != 3 {
		t.Fatalf("%d merged levels, want 3", len(got))
	}
	for _, l := range got {
		want := map[string]float64{"a": 200, "b": 100}[l.Scenario]
		if l.Spec.MaxRate != want || l.partial != "" {
			t.Errorf("%s %g/s: max rate %g, partial %q; want %g", l.Scenario, l.Rate, l.Spec.MaxRate, l.partial, want)
		}
	}
}
