package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/results"
)

// noEnv is a Getenv that knows no variables.
func noEnv(string) (string, bool) { return "", false }

// stripPos returns a copy of w without positions, file name or hash, for
// comparing decoded values with expected ones.
func stripPos(w *Workload) *Workload {
	c := *w
	c.File, c.SHA256, c.files, c.faultsPos, c.Notes = "", "", nil, Pos{}, nil
	c.Target.Faults = append([]Fault(nil), w.Target.Faults...)
	for i := range c.Target.Faults {
		c.Target.Faults[i].Line = 0
	}
	c.Scenarios = append([]ScenarioSpec(nil), w.Scenarios...)
	for i := range c.Scenarios {
		s := &c.Scenarios[i]
		s.Line, s.Col = 0, 0
		s.Steps = stripSteps(s.Steps)
		s.Mix = stripSteps(s.Mix)
	}
	c.Thresholds = append([]ThresholdSpec(nil), w.Thresholds...)
	for i := range c.Thresholds {
		c.Thresholds[i].Line, c.Thresholds[i].Col = 0, 0
	}
	return &c
}

func stripSteps(steps []StepSpec) []StepSpec {
	if steps == nil {
		return nil
	}
	out := append([]StepSpec(nil), steps...)
	for i := range out {
		out[i].Line, out[i].Col, out[i].ArgPos = 0, 0, nil
	}
	return out
}

func TestParseGood(t *testing.T) {
	t.Parallel()
	defaults := Target{Timeout: 30 * time.Second, Connections: ConnPerIdentity, HTTP2: "auto"}
	tests := []struct {
		file string
		vars map[string]string
		want *Workload
	}{
		{
			file: "minimal.yaml",
			want: &Workload{
				Name:   "minimal",
				Target: func() Target { t := defaults; t.URL = "embedded"; return t }(),
				Scenarios: []ScenarioSpec{{
					Name: "ping", Executor: loadgen.ConstantWorkers, Workers: 1, Duration: time.Second,
					GracefulStop: 30 * time.Second,
					Steps:        []StepSpec{{Op: "http", Name: "http", Args: ops.Args{"url": "/health"}}},
				}},
				Output: Output{Dir: "runs/{name}-{time}"},
			},
		},
		{
			file: "merge.yaml",
			want: &Workload{
				Name:   "merge",
				Target: func() Target { t := defaults; t.URL = "embedded"; return t }(),
				Scenarios: []ScenarioSpec{
					{
						Name: "first", Executor: loadgen.ConstantWorkers, Workers: 2, Duration: 10 * time.Second, GracefulStop: 30 * time.Second,
						Steps: []StepSpec{{Op: "user_create", Name: "user_create", Args: ops.Args{}}},
					},
					{
						Name: "second", Executor: loadgen.ConstantWorkers, Workers: 3, Duration: 10 * time.Second, GracefulStop: 30 * time.Second,
						Steps: []StepSpec{{Op: "user_create", Name: "user_create", Args: ops.Args{}}},
					},
					{
						Name: "third", Executor: loadgen.ConstantWorkers, Workers: 9, Duration: 10 * time.Second, GracefulStop: 30 * time.Second,
						Steps: []StepSpec{
							{Op: "document_encrypt", Name: "document_encrypt", Args: ops.Args{"size": int64(1024)}},
							{Op: "document_encrypt", Name: "big", Args: ops.Args{"size": int64(1 << 20)}},
						},
					},
				},
				Output: Output{Dir: "runs/{name}-{time}"},
			},
		},
		{
			file: "design.yaml",
			vars: map[string]string{"IRONCORE_CONFIG": "cfg.json", "IRONCORE_IAK": "iak.pem"},
			want: &Workload{
				Name: "smoke",
				Target: Target{
					URL: "embedded", Timeout: 30 * time.Second, Connections: ConnPerIdentity, MaxRate: 200, HTTP2: "auto",
					Faults: []Fault{{
						Route:     "POST /users",
						Latency:   &LatencySpec{Dist: DistLognormal, Median: 20 * time.Millisecond, P99: 200 * time.Millisecond},
						ErrorRate: 0.02, Status: 503,
					}},
				},
				Identity: Identity{Config: "cfg.json", KeyFile: "iak.pem"},
				Setup:    Setup{Users: 20, Groups: 5, Documents: 50},
				Teardown: true,
				Scenarios: []ScenarioSpec{
					{
						Name: "onboarding", Executor: loadgen.ConstantRate, Rate: 2, Duration: time.Minute,
						MaxWorkers: 20, GracefulStop: 30 * time.Second,
						Steps: []StepSpec{
							{Op: "user_create", Name: "user_create", Args: ops.Args{}},
							{Op: "generate_device", Name: "generate_device", Args: ops.Args{}},
						},
					},
					{
						Name: "documents", Executor: loadgen.RampingWorkers, StartAfter: 10 * time.Second,
						Stages: []loadgen.Stage{
							{Duration: 30 * time.Second, Target: 10}, {Duration: time.Minute, Target: 10}, {Duration: 10 * time.Second, Target: 0},
						},
						ThinkTime: 100 * time.Millisecond, GracefulStop: 30 * time.Second,
						Mix: []StepSpec{
							{Op: "document_encrypt", Name: "document_encrypt", Weight: 8, Args: ops.Args{"size": int64(4096)}},
							{Op: "document_decrypt", Name: "document_decrypt", Weight: 2, Args: ops.Args{}},
						},
					},
					{
						Name: "health", Executor: loadgen.ConstantRate, Rate: 1, Duration: time.Minute,
						GracefulStop: 30 * time.Second,
						Steps: []StepSpec{{Op: "http", Name: "http", Args: ops.Args{
							"method": "GET", "url": "/health", "expect_status": []int64{200},
						}}},
					},
				},
				Thresholds: []ThresholdSpec{
					thr(t, "document_encrypt", "p(99) < 500ms"),
					thr(t, "document_encrypt", "error_rate < 1%"),
					thr(t, "generate_device/crypto:pbkdf2", "mean < 80ms"),
					thr(t, "*", "error_rate < 5%"),
				},
				Output: Output{Dir: "runs/{name}-{time}"},
			},
		},
		{
			file: "every.yaml",
			want: &Workload{
				Name: "every",
				Target: Target{
					URL: "https://staging.example.com:8443/api/1/", Timeout: 5 * time.Second, Connections: ConnPerCall,
					MaxRate: 2, MaxWorkers: 64, TLS: TLS{CAFile: "ca.pem", InsecureSkipVerify: true}, HTTP2: "off",
					Faults: []Fault{
						{Route: "*", Latency: &LatencySpec{Dist: DistFixed, Fixed: 5 * time.Millisecond}},
						{Route: "GET /users/current", Latency: &LatencySpec{Dist: DistUniform, Min: time.Millisecond, Max: 9 * time.Millisecond},
							ErrorRate: 0.02, Status: 503, RetryAfter: 3 * time.Second},
						{Route: "POST /documents", Latency: &LatencySpec{Dist: DistNormal, Mean: 10 * time.Millisecond, StdDev: 2 * time.Millisecond},
							ErrorRate: 0.5, Status: 429},
						{Route: "DELETE /groups", Reset: 0.1, Stall: 2 * time.Second, StallAfter: 100 * time.Millisecond},
					},
				},
				Identity: Identity{Config: "./ironcore-config.json", KeyFile: "./iak.pem"},
				Setup:    Setup{Users: 3, Groups: 2, Documents: 1, From: "runs/prev/identities.json"},
				Scenarios: []ScenarioSpec{
					{
						Name: "cw", Executor: loadgen.ConstantWorkers, Workers: 4, Duration: 90 * time.Second,
						ThinkTime: 250 * time.Millisecond, StartAfter: time.Second, GracefulStop: 5 * time.Second,
						Steps: []StepSpec{{Op: "kitchen", Name: "all_kinds", Args: ops.Args{
							"s": "text", "i": int64(0), "b": true, "d": time.Minute, "z": int64(1 << 20),
							"sl": []string{"a", "b"}, "il": []int64{200, 204},
							"sm": map[string]string{"X-One": "1", "X-Two": "two"},
						}}},
					},
					{
						Name: "rw", Executor: loadgen.RampingWorkers, Workers: 2, GracefulStop: 30 * time.Second,
						Stages: []loadgen.Stage{{Duration: 10 * time.Second, Target: 8}, {Duration: 5 * time.Second, Target: 0}},
						Mix: []StepSpec{
							{Op: "document_encrypt", Name: "document_encrypt", Weight: 3, Args: ops.Args{"size": int64(4000)}},
							{Op: "document_decrypt", Name: "document_decrypt", Weight: 1, Args: ops.Args{}},
						},
					},
					{
						Name: "cr", Executor: loadgen.ConstantRate, Rate: 50, Duration: 10 * time.Second, Workers: 5, MaxWorkers: 10,
						MaxLateness: 2 * time.Second, GracefulStop: 30 * time.Second,
						Steps: []StepSpec{{Op: "http", Name: "http", Args: ops.Args{
							"method": "POST", "url": "users", "body": "{}",
							"headers": map[string]string{"Content-Type": "application/json"}, "expect_status": []int64{201},
						}}},
					},
					{
						Name: "rr", Executor: loadgen.RampingRate, StartRate: 1,
						Stages:       []loadgen.Stage{{Duration: time.Minute, Target: 1}, {Duration: time.Minute, Target: 10}},
						GracefulStop: 30 * time.Second,
						Steps: []StepSpec{
							{Op: "user_create", Name: "user_create", Args: ops.Args{}},
							{Op: "generate_device", Name: "device", Args: ops.Args{}},
						},
					},
					{
						Name: "si", Executor: loadgen.SharedIterations, Iterations: 100, Workers: 3, Duration: time.Hour,
						GracefulStop: 30 * time.Second, Steps: []StepSpec{{Op: "user_create", Name: "user_create", Args: ops.Args{}}},
					},
					{
						Name: "pwi", Executor: loadgen.PerWorkerIterations, Iterations: 7, Workers: 1,
						GracefulStop: 30 * time.Second, Steps: []StepSpec{{Op: "user_create", Name: "user_create", Args: ops.Args{}}},
					},
				},
				Thresholds: []ThresholdSpec{
					thr(t, "*", "error_rate < 5%"),
					thr(t, "all_kinds", "p(99.9) < 1s"),
					thr(t, "all_kinds", "count >= 1"),
					thr(t, "cr/http", "rate > 40/s"),
					thr(t, "rr/*", "max <= 2s"),
					thr(t, "device/crypto:pbkdf2", "mean < 80ms"),
				},
				Output: Output{Dir: "out/{name}/{time}"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", "good", tt.file)
			w, err := Load(path, LoadOptions{Getenv: noEnv, Vars: tt.vars, Catalog: testCatalog()})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if w.File != path || w.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("File, SHA256 = %q, %q; want %q and the file's hash", w.File, w.SHA256, path)
			}
			if got := stripPos(w); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decoded workload differs\n got: %+v\nwant: %+v", got, tt.want)
				diffWorkloads(t, got, tt.want)
			}
		})
	}
}

// diffWorkloads logs which top-level parts of two workloads differ.
func diffWorkloads(t *testing.T, got, want *Workload) {
	t.Helper()
	gv, wv := reflect.ValueOf(*got), reflect.ValueOf(*want)
	for i := range gv.NumField() {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Logf("%s:\n got: %+v\nwant: %+v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
	for i := range min(len(got.Scenarios), len(want.Scenarios)) {
		if !reflect.DeepEqual(got.Scenarios[i], want.Scenarios[i]) {
			t.Logf("scenario %d:\n got: %+v\nwant: %+v", i, got.Scenarios[i], want.Scenarios[i])
		}
	}
}

// thr is the ThresholdSpec Parse makes of key and expr, without position.
func thr(t *testing.T, key, expr string) ThresholdSpec {
	t.Helper()
	th, err := results.ParseThreshold(expr)
	if err != nil {
		t.Fatal(err)
	}
	return ThresholdSpec{Key: key, Expr: expr, T: th}
}

// TestPositions checks that decoded values keep where they came from.
func TestPositions(t *testing.T) {
	t.Parallel()
	w, err := Load("testdata/good/every.yaml", LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		what      string
		got, want Pos
	}{
		{"fault 1", Pos{w.Target.Faults[1].Line, 0}, Pos{13, 0}},
		{"scenario cw", Pos{w.Scenarios[0].Line, w.Scenarios[0].Col}, Pos{25, 5}},
		{"step all_kinds", Pos{w.Scenarios[0].Steps[0].Line, w.Scenarios[0].Steps[0].Col}, Pos{33, 9}},
		{"arg z", w.Scenarios[0].Steps[0].ArgPos["z"], Pos{39, 12}},
		{"threshold count", Pos{w.Thresholds[2].Line, w.Thresholds[2].Col}, Pos{75, 31}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s at %v; want %v", tt.what, tt.got, tt.want)
		}
	}
}
