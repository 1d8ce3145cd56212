package results

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"html/template"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// foldedRecorder records one op with overlapping phases and sub-phases,
// and one without phases.
func foldedRecorder() *Recorder {
	r := testRecorder(2)
	us := time.Microsecond
	for i := 0; i < 3; i++ {
		r.RecordSample(&Sample{Scenario: "onboard", Op: "user_create", Worker: i, Latency: 1000 * us, ServiceTime: 1000 * us,
			Phases: []Phase{
				{Name: "crypto:pbkdf2", Start: 0, End: 600 * us},
				{Name: "http:user_create", Start: 500 * us, End: 1000 * us},
				{Name: "http:user_create/connect", Start: 500 * us, End: 600 * us},
				{Name: "http:user_create/wait", Start: 600 * us, End: 900 * us},
			}})
		r.RecordSample(&Sample{Scenario: "docs", Op: "get;list", Worker: i, Latency: 2000 * us, ServiceTime: 1500 * us})
		// Phases covering 700 of 1000 µs: 300 µs unaccounted.
		r.RecordSample(&Sample{Scenario: "docs", Op: "encrypt", Worker: i, Latency: 1000 * us, ServiceTime: 1000 * us,
			Phases: []Phase{{Name: "crypto:aes", Start: 100 * us, End: 800 * us}}})
	}
	r.SetEnd(testStart.Add(time.Second))
	return r
}

func TestWriteFolded(t *testing.T) {
	t.Parallel()
	want := strings.Join([]string{
		"docs;encrypt;crypto:aes 2100",
		"docs;encrypt;unaccounted 900",
		"docs;get,list 4500", // ';' in a name would split the stack
		"onboard;user_create;crypto:pbkdf2 1800",
		"onboard;user_create;http:user_create 300", // 500 − 100 − 300, ×3
		"onboard;user_create;http:user_create;connect 300",
		"onboard;user_create;http:user_create;wait 900",
	}, "\n") + "\n"

	live := foldedRecorder().Summary()
	var decoded Summary // from summary.json: no histograms, sums from the means
	if err := json.Unmarshal([]byte(jsonOf(t, live)), &decoded); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		s    *Summary
	}{{"recorded", live}, {"decoded from JSON", &decoded}} {
		var b bytes.Buffer
		if err := tt.s.WriteFolded(&b); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("%s: folded =\n%s\nwant\n%s", tt.name, b.String(), want)
		}
	}
	if err := live.WriteFolded(&failAfter{n: 10}); err == nil {
		t.Error("WriteFolded hid a write error")
	}
}

// externalRef matches an attribute or CSS reference that would load
// something. (The shared script's EventSource, for the dashboard's live
// page, is checked apart: report.html must not turn it on.)
var externalRef = regexp.MustCompile(`(?i)(\b(src|href|action|poster|srcset)\s*=\s*["']?[^"'#\s>][^"'\s>]*|url\(|@import|<link\b|<iframe\b|<img\b|fetch\(|XMLHttpRequest|WebSocket)`)

func TestWriteHTMLSelfContained(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	newSynthRun(5, 3).write(t, dir, testStart, RunMeta{Name: `<script>alert("x")</script>`, Target: "https://example.com/api/1/"})
	sum, _, err := Rebuild(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := sum.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if m := externalRef.FindAllString(page, -1); len(m) > 0 {
		t.Errorf("report.html refers to outside resources: %q", m)
	}
	if !strings.Contains(page, "default-src 'none'") {
		t.Error("report.html lacks its Content-Security-Policy")
	}
	if strings.Contains(page, "connect-src") || strings.Contains(page, "data-live=") {
		t.Error("report.html may connect (connect-src or data-live): only the dashboard's page follows /events")
	}
	if strings.Contains(page, `<script>alert`) {
		t.Error("the run name reached the page unescaped")
	}
	for _, want := range []string{`data-chart="spectrum"`, `data-chart="flame"`, "onboarding/user_create", "var DATA = {"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	folded, err := os.ReadFile(filepath.Join(dir, FoldedFile))
	if err != nil || !strings.Contains(string(folded), "onboarding;user_create;http:user_create;connect ") {
		t.Errorf("phases.folded = %q, %v", folded, err)
	}
}

func TestWriteHTMLWithoutSeries(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := foldedRecorder().Summary().WriteHTML(&b, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"seconds":0`) {
		t.Error("a page without series claims seconds")
	}
}

const chromiumPath = "/usr/bin/chromium"

// screenshotCopy names a file to copy TestReportInChromium's screenshot
// to, for people to look at (testdata/report-screenshot.png was made so).
var screenshotCopy = flag.String("screenshot", "", "copy report.html's screenshot from TestReportInChromium to this file")

// figureTag matches a chart's figure element in the dumped DOM.
var figureTag = regexp.MustCompile(`<figure[^>]*\bdata-chart="[^"]*"[^>]*>`)

// TestReportInChromium renders report.html in headless Chromium, with
// every network request sent to a closed port, and checks from the DOM
// the page's script left behind that every chart drew at least one series.
// It saves a screenshot in the test's temporary folder and logs its path.
func TestReportInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("SKIPPED: %s is absent (apt-get install -y chromium); report.html was not checked in a browser", chromiumPath)
	}
	dir := t.TempDir()
	run := newSynthRun(6, 12)
	run.write(t, dir, testStart, RunMeta{Name: "synth", Target: "http://127.0.0.1:9/api/1/", Shard: "0/1",
		Host: Host{CPU: "test", GOMAXPROCS: 2}})
	sum, _, err := Rebuild(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum.Evaluate([]Rule{
		{Key: "*", Expr: "error_rate < 5%", T: Threshold{Metric: "error_rate", Op: "<", Value: 0.05}},
		{Key: "user_create", Expr: "p(99) < 20ms", T: Threshold{Metric: "p", Percentile: 99, Op: "<", Value: 20}},
	})
	if err := sum.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, HTMLFile)

	dom := chromium(t, "--dump-dom", "file://"+page)
	figs := figureTag.FindAllString(dom, -1)
	wantSeries := map[string]int{"spectrum": len(sum.Ops), "throughput": len(sum.Ops), "errors": len(sum.Ops),
		"late": 2 * len(sum.Scenarios), "cpu": 1, "sched": 2, "heap": 1, "flame": leaves(flameTree(sum.folded())), "latency": 2}
	if want := len(sum.Ops) + len(wantSeries) - 1; len(figs) != want {
		t.Fatalf("the DOM has %d charts, want %d", len(figs), want)
	}
	for _, f := range figs {
		chart := attr(f, "data-chart")
		if e := attr(f, "data-error"); e != "" {
			t.Errorf("chart %s failed: %s", chart, e)
		}
		n, err := strconv.Atoi(attr(f, "data-series"))
		if err != nil || n < 1 {
			t.Errorf("chart %s drew %q series (the script did not run, or drew nothing)", chart, attr(f, "data-series"))
			continue
		}
		if n != wantSeries[chart] {
			t.Errorf("chart %s drew %d series, want %d", chart, n, wantSeries[chart])
		}
	}
	if !strings.Contains(dom, `data-rendered="`+strconv.Itoa(len(figs))+`"`) {
		t.Error("the page's script did not finish")
	}

	shot := filepath.Join(t.TempDir(), "report-screenshot.png")
	chromium(t, "--screenshot="+shot, "--window-size=1100,5100", "--hide-scrollbars", "file://"+page)
	info, err := os.Stat(shot)
	if err != nil || info.Size() < 10_000 {
		t.Fatalf("screenshot: %v (%v)", err, info)
	}
	t.Logf("screenshot of report.html: %s", shot)
	if *screenshotCopy != "" {
		b, err := os.ReadFile(shot)
		if err == nil {
			err = os.WriteFile(*screenshotCopy, b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// chromium runs headless Chromium with the network blocked and returns its
// standard output.
func chromium(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=10000"}
	cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

// leaves counts the frames without children under n.
func leaves(n *flameNode) int {
	if len(n.Children) == 0 {
		return 1
	}
	k := 0
	for _, c := range n.Children {
		k += leaves(c)
	}
	return k
}

// attr returns the value of attribute name in tag, "" if absent.
func attr(tag, name string) string {
	m := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestGeneratorChartGaps: a second whose CPU was not measured (NaN, which
// JSON cannot carry) or that started no open iteration (no start lag) is a
// gap (null) in report.html's and the live page's charts, not a 0 that
// reads as measured.
func TestGeneratorChartGaps(t *testing.T) {
	t.Parallel()
	points := []Health{
		{Second: 0, CPUPercent: math.NaN()},
		{Second: 1, CPUPercent: 42, StartLagP99: 3 * time.Millisecond, StartLags: 50},
	}
	type second struct {
		CPU   *float64 `json:"cpu"`
		LagMS *float64 `json:"lag_ms"`
	}
	var page struct {
		CPU   []*float64 `json:"cpu"`
		LagMS []*float64 `json:"lag_ms"`
	}
	if err := json.Unmarshal([]byte(jsonOf(t, genHTML("", points))), &page); err != nil {
		t.Fatal(err)
	}
	var live []second
	if err := json.Unmarshal([]byte(jsonOf(t, []LiveHealth{liveHealth(points[0]), liveHealth(points[1])})), &live); err != nil {
		t.Fatal(err)
	}
	got := map[string][]second{"report.html": {{page.CPU[0], page.LagMS[0]}, {page.CPU[1], page.LagMS[1]}}, "live": live}
	for name, s := range got {
		if s[0].CPU != nil || s[0].LagMS != nil {
			t.Errorf("%s: second 0 (nothing measured) has cpu %v, lag %v; want gaps (null)", name, deref(s[0].CPU), deref(s[0].LagMS))
		}
		if s[1].CPU == nil || *s[1].CPU != 42 || s[1].LagMS == nil || *s[1].LagMS != 3 {
			t.Errorf("%s: second 1 has cpu %v, lag %v; want 42 and 3", name, deref(s[1].CPU), deref(s[1].LagMS))
		}
	}
}

// deref formats v for a test message: its value, or nil.
func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// TestHTMLNamesVerdicts: report.html says what report.txt says at its
// top: each scenario its own worker cap held back, with the arithmetic,
// and each cause of the generator's saturated seconds, with what to do.
func TestHTMLNamesVerdicts(t *testing.T) {
	t.Parallel()
	s := foldedRecorder().Summary()
	runq := 64.0
	s.Generator.Saturated, s.Generator.Seconds, s.Generator.SaturatedSeconds = true, 5, 2
	s.Generator.Causes, s.Generator.RunQueueMaxPct = map[string]int64{CauseMachine: 2}, &runq
	sc := &s.Scenarios[0]
	sc.MaxWorkersReachedS, sc.MaxWorkers, sc.PeakRatePerS, sc.Iterations, sc.IterationMS.Mean = 4, 50, 3000, 12000, 51
	var b bytes.Buffer
	if err := s.WriteHTML(&b, nil); err != nil {
		t.Fatal(err)
	}
	lines := append(s.WorkerCapVerdicts(), s.SaturationCauses()...)
	if len(lines) != 2 {
		t.Fatalf("verdicts %q; want a worker cap and a cause", lines)
	}
	for _, l := range lines {
		if !strings.Contains(b.String(), template.HTMLEscapeString(l)) {
			t.Errorf("report.html lacks %q", l)
		}
	}
}
