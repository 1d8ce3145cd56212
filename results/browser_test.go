package results

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// devtools is a Chrome DevTools Protocol client over --remote-debugging-pipe
// (Chromium reads commands from its fd 3 and writes answers to its fd 4,
// each message a JSON text ended by a NUL byte): no WebSocket needed.
type devtools struct {
	t       *testing.T
	w       *os.File
	r       *bufio.Reader
	id      int
	session string
}

// call sends method with params (to the attached page, once there is one)
// and returns its result, skipping the events in between.
func (d *devtools) call(method string, params any, result any) {
	d.t.Helper()
	d.id++
	msg := map[string]any{"id": d.id, "method": method, "params": params}
	if d.session != "" {
		msg["sessionId"] = d.session
	}
	b, _ := json.Marshal(msg)
	if _, err := d.w.Write(append(b, 0)); err != nil {
		d.t.Fatalf("devtools %s: %v", method, err)
	}
	for {
		line, err := d.r.ReadBytes(0)
		if err != nil {
			d.t.Fatalf("devtools %s: %v", method, err)
		}
		var m struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(bytes.TrimSuffix(line, []byte{0}), &m); err != nil {
			d.t.Fatalf("devtools %s: %v", method, err)
		}
		if m.ID != d.id {
			continue // an event
		}
		if m.Error != nil {
			d.t.Fatalf("devtools %s: %s", method, m.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				d.t.Fatalf("devtools %s: %v", method, err)
			}
		}
		return
	}
}

// eval evaluates a JavaScript expression in the page and decodes its JSON
// value into out; it returns the exception's text if it threw (the page
// is not loaded yet, say).
func (d *devtools) eval(expr string, out any) (exception string) {
	d.t.Helper()
	var r struct {
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	d.call("Runtime.evaluate", map[string]any{"expression": "JSON.stringify(" + expr + ")", "returnByValue": true}, &r)
	if r.Exception != nil {
		return r.Exception.Text
	}
	if err := json.Unmarshal([]byte(r.Result.Value), out); err != nil {
		d.t.Fatalf("eval %s = %q: %v", expr, r.Result.Value, err)
	}
	return ""
}

// openInChromium starts headless Chromium (network blocked but for
// loopback, which the page's server is on) with the DevTools protocol on a pipe, opens url and returns
// the client attached to that page.
func openInChromium(t *testing.T, url string) *devtools {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	toChrome, ourW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ourR, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--proxy-server=127.0.0.1:9", // a closed port; loopback bypasses proxies by default
		"--user-data-dir="+t.TempDir(), "--window-size=1100,900",
		"--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // fds 3 and 4
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	fromChrome.Close()
	t.Cleanup(func() {
		ourW.Close() // Chromium exits when its pipe closes
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		ourR.Close()
		if t.Failed() {
			t.Logf("chromium said:\n%s", stderr.String())
		}
	})
	d := &devtools{t: t, w: ourW, r: bufio.NewReader(ourR)}
	var target struct {
		TargetID string `json:"targetId"`
	}
	d.call("Target.createTarget", map[string]any{"url": url}, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	d.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	d.session = att.SessionID
	return d
}

// livePageState is what TestDashboardInChromium reads from the page.
type livePageState struct {
	Status string            `json:"status"`
	Points map[string]string `json:"points"` // chart → data-points
	Errors []string          `json:"errors"` // data-error of failed charts
	Ended  bool              `json:"ended"`
	Table  []string          `json:"table"` // the live ops table's first cells
}

const livePageStateJS = `(function () {
  var s = {status: (document.getElementById("live-status") || {}).textContent || "", points: {}, errors: [],
    ended: document.body.getAttribute("data-ended") === "true", table: []};
  document.querySelectorAll("#live-ops tbody tr").forEach(function (tr) { s.table.push(tr.cells[0].textContent); });
  document.querySelectorAll("figure[data-chart]").forEach(function (f) {
    var k = f.getAttribute("data-chart") + (f.hasAttribute("data-op") ? f.getAttribute("data-op") : "");
    s.points[k] = f.getAttribute("data-points") || "";
    if (f.getAttribute("data-error")) { s.errors.push(k + ": " + f.getAttribute("data-error")); }
  });
  return s;
})()`

// TestDashboardInChromium opens the live page in headless Chromium during
// a run and reads its DOM twice through the DevTools protocol: the charts'
// points grow as the page follows /events, and it notes the run's end.
func TestDashboardInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("SKIPPED: %s is absent (apt-get install -y chromium); the live dashboard was not checked in a browser", chromiumPath)
	}
	t.Parallel()
	l := startLiveRun(t)
	d := openInChromium(t, l.srv.URL+"/")

	read := func(until func(livePageState) bool, what string) livePageState {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			var s livePageState
			exc := d.eval(livePageStateJS, &s)
			if exc == "" && len(s.Errors) > 0 {
				t.Fatalf("charts failed: %v", s.Errors)
			}
			if exc == "" && until(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("the page never showed %s: %+v %s", what, s, exc)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	points := func(s livePageState, chart string) int {
		var n int
		fmt.Sscan(s.Points[chart], &n)
		return n
	}
	first := read(func(s livePageState) bool {
		return strings.HasPrefix(s.Status, "live: ") && strings.Contains(s.Status, "samples") && points(s, "throughput") > 0
	}, "a live second")
	second := read(func(s livePageState) bool { return points(s, "throughput") >= points(first, "throughput")+2 }, "two more seconds")
	t.Logf("throughput chart: %d points, then %d; status %q", points(first, "throughput"), points(second, "throughput"), second.Status)
	for _, chart := range []string{"latency0", "errors", "spectrum", "cpu", "flame"} {
		if points(second, chart) == 0 && chart != "flame" {
			t.Errorf("chart %s drew no points: %+v", chart, second.Points)
		}
	}
	if len(second.Table) != 1 || second.Table[0] != "docs/get" {
		t.Errorf("live ops table %q, want docs/get", second.Table)
	}
	if _, ok := second.Points["latency0"]; !ok {
		t.Errorf("no small multiple for the op: %+v", second.Points)
	}

	var shot struct {
		Data string `json:"data"`
	}
	d.call("Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil || len(png) < 10_000 {
		t.Fatalf("screenshot: %v (%d bytes)", err, len(png))
	}
	path := filepath.Join(t.TempDir(), "dashboard-screenshot.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the live page: %s", path)
	if *screenshotCopy != "" {
		if err := os.WriteFile(strings.TrimSuffix(*screenshotCopy, ".png")+"-live.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	l.stop()
	read(func(s livePageState) bool { return s.Ended }, "the run's end")
}

// TestReportSmallMultiples renders report.html of a run with 30 ops in
// Chromium and measures the per-op latency charts: several to a row, the
// 30 within three screens (900 px each) at 1100 px wide.
func TestReportSmallMultiples(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("SKIPPED: %s is absent (apt-get install -y chromium); report.html's grid was not measured in a browser", chromiumPath)
	}
	t.Parallel()
	const ops, seconds = 30, 20
	r := testRecorder(1)
	series := &Series{Start: testStart, Seconds: seconds}
	for k := 0; k < ops; k++ {
		op := OpSeries{Scenario: "s", Op: fmt.Sprintf("op_with_a_longish_name_%02d", k)}
		for sec := int64(0); sec < seconds; sec++ {
			op.Points = append(op.Points, SecondPoint{Second: sec, Count: 10, P50MS: float64(k + 1), P99MS: float64(2*k + 3)})
		}
		series.Ops = append(series.Ops, op)
		r.RecordSample(&Sample{Scenario: "s", Op: op.Op, Latency: time.Duration(k+1) * time.Millisecond})
	}
	r.SetEnd(testStart.Add(seconds * time.Second))
	page := filepath.Join(t.TempDir(), HTMLFile)
	var b bytes.Buffer
	if err := r.Summary().WriteHTML(&b, series); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	d := openInChromium(t, "file://"+page)
	var got struct {
		Figs, Drawn, Rows int
		Height            float64
	}
	const js = `(function () {
  var figs = Array.prototype.slice.call(document.querySelectorAll("[data-multiples] figure")), tops = {};
  figs.forEach(function (f) { tops[Math.round(f.getBoundingClientRect().top + window.scrollY)] = true; });
  return {Figs: figs.length, Rows: Object.keys(tops).length, Height: document.getElementById("latency").getBoundingClientRect().height,
    Drawn: figs.filter(function (f) { return f.getAttribute("data-series") === "2"; }).length};
})()`
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if exc := d.eval(js, &got); exc == "" && got.Drawn == ops {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page drew %+v, want %d latency charts", got, ops)
		}
	}
	t.Logf("%d latency charts in %d rows, %.0f px", got.Figs, got.Rows, got.Height)
	if got.Rows > ops/3 || got.Height > 3*900 {
		t.Errorf("%d latency charts take %d rows and %.0f px: want at least 3 a row, within 2700 px", got.Figs, got.Rows, got.Height)
	}
}
