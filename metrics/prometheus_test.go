package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ironcorelabs/loadgen/results"
)

func TestLatencyBucketsWithin10Percent(t *testing.T) {
	t.Parallel()
	b := latencyBuckets
	if b[0] > 100e-6*1.0001 || b[len(b)-1] < 60*0.9999 {
		t.Errorf("buckets span %g–%g s, want 100 µs–60 s", b[0], b[len(b)-1])
	}
	for i := 1; i < len(b); i++ {
		if r := b[i] / b[i-1]; r > 1.1 {
			t.Errorf("bucket %g–%g s is %.1f%% wide", b[i-1], b[i], 100*(r-1))
		}
	}
}

// TestSeriesPerOp checks the series count per op the package doc gives:
// 290 + 23 per phase + 1 per error class + 1 once an op was interrupted.
func TestSeriesPerOp(t *testing.T) {
	t.Parallel()
	e := New(nil, prometheus.Labels{"run": "r"})
	feed(e) // 2 phases, 1 error class, 1 interrupted
	n := 0
	for _, line := range strings.Split(scrape(t, e.Handler()), "\n") {
		if !strings.HasPrefix(line, "#") && strings.Contains(line, `op="document_encrypt"`) {
			n++
		}
	}
	if want := 290 + 23*2 + 1 + 1; n != want {
		t.Errorf("%d series for one op, the doc says %d", n, want)
	}
}

// prometheusPath is Debian's prometheus package's binary.
const prometheusPath = "/usr/bin/prometheus"

// TestPrometheusQuantiles runs a real Prometheus (two: one scraping the
// classic buckets, one the native histograms), scraping an Exporter on
// loopback while samples of known, skewed distributions are recorded
// through it into a Recorder, and compares histogram_quantile at the end
// with the Recorder's summary (summary.json's p50, p90, p99): within 10%.
func TestPrometheusQuantiles(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: -short; Prometheus's quantiles were not compared with summary.json")
	}
	if _, err := os.Stat(prometheusPath); err != nil {
		t.Skipf("SKIPPED: %s is absent (apt-get install -y prometheus); Prometheus's quantiles were not compared with summary.json", prometheusPath)
	}
	t.Parallel()
	rec, err := results.NewRecorder(results.Config{Meta: results.RunMeta{Name: "prom"}})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	exp := New(rec, prometheus.Labels{"run": "prom", "shard": ""})
	target := httptest.NewServer(exp.Handler())
	defer target.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	proms := map[string]string{
		"classic": startPrometheus(ctx, t, target.Listener.Addr().String(), false),
		"native":  startPrometheus(ctx, t, target.Listener.Addr().String(), true),
	}

	// Two ops, 20,000 samples each over about 2 s while Prometheus scrapes:
	// a log-normal one (median 5 ms, p99 about 20 ms) and a two-mode one
	// (85% near 1 ms, 15% near 50 ms: p90 and p99 in the slow mode).
	rng := rand.New(rand.NewPCG(1, 2))
	lognormal := func(medianMS, sigma float64) time.Duration {
		return time.Duration(medianMS * math.Exp(sigma*rng.NormFloat64()) * float64(time.Millisecond))
	}
	const n = 20000
	total := 0
	for i := 0; i < n; i++ {
		a := lognormal(5, 0.6)
		b := lognormal(1, 0.3)
		if rng.Float64() < 0.15 {
			b = lognormal(50, 0.3)
		}
		for _, s := range []*results.Sample{
			{Scenario: "s", Op: "lognormal", Latency: a, ServiceTime: a},
			{Scenario: "s", Op: "two_modes", Latency: b, ServiceTime: b},
		} {
			exp.RecordSample(s)
			total++
		}
		if i%1000 == 999 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	sum := rec.Summary()

	for kind, base := range proms {
		// Wait for a scrape that saw every sample.
		count := `sum(loadgen_op_latency_seconds_count)`
		if kind == "native" {
			count = `histogram_count(sum(loadgen_op_latency_seconds))`
		}
		for {
			v, err := promQuery(ctx, base, count)
			if err == nil && v == float64(total) {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("%s Prometheus never scraped all %d samples (last: %v, %v)", kind, total, v, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		for _, o := range sum.Ops {
			for _, q := range []struct {
				p    float64
				want float64
			}{{0.5, o.LatencyMS.P50}, {0.9, o.LatencyMS.P90}, {0.99, o.LatencyMS.P99}} {
				sel := fmt.Sprintf(`{op=%q}`, o.Op)
				expr := fmt.Sprintf(`histogram_quantile(%g, sum by (le) (loadgen_op_latency_seconds_bucket%s))`, q.p, sel)
				if kind == "native" {
					expr = fmt.Sprintf(`histogram_quantile(%g, sum(loadgen_op_latency_seconds%s))`, q.p, sel)
				}
				v, err := promQuery(ctx, base, expr)
				if err != nil {
					t.Fatalf("%s: %s: %v", kind, expr, err)
				}
				got := v * 1000
				dev := got/q.want - 1
				t.Logf("%-7s %-9s p%-2g: Prometheus %8.3f ms, summary.json %8.3f ms (%+.1f%%)", kind, o.Op, 100*q.p, got, q.want, 100*dev)
				if math.Abs(dev) > 0.10 {
					t.Errorf("%s %s p%g: histogram_quantile %.3f ms, summary.json %.3f ms: %+.1f%%, over 10%%", kind, o.Op, 100*q.p, got, q.want, 100*dev)
				}
			}
		}
	}
}

// startPrometheus starts Prometheus scraping target every second, its
// data in a temporary folder, and returns its base URL once it is ready.
// It is killed when the test ends.
func startPrometheus(ctx context.Context, t *testing.T, target string, native bool) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: loadgen\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	args := []string{"--config.file=" + filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + addr, "--log.level=warn"}
	if native {
		args = append(args, "--enable-feature=native-histograms")
	}
	cmd := exec.Command(prometheusPath, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus (native=%v) said:\n%s", native, logs.String())
		}
	})
	base := "http://" + addr
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("prometheus did not get ready: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePort returns a loopback address with a port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// promQuery evaluates expr (an instant query, now) and returns its one
// scalar or single-sample vector value.
func promQuery(ctx context.Context, base, expr string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(expr), nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return 0, err
	}
	if r.Status != "success" {
		return 0, fmt.Errorf("prometheus: %s", r.Error)
	}
	if len(r.Data.Result) != 1 {
		return 0, fmt.Errorf("%d results", len(r.Data.Result))
	}
	s, _ := r.Data.Result[0].Value[1].(string)
	return strconv.ParseFloat(s, 64)
}
