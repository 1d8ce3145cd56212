package scenarios

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
)

// overridesWorkload has one scenario of each executor.
func overridesWorkload(t *testing.T) *Workload {
	t.Helper()
	src := `target: {url: embedded}
scenarios:
  - {name: cw, executor: constant-workers, workers: 2, duration: 10s, steps: [{op: user_create}]}
  - {name: rw, executor: ramping-workers, workers: 1, stages: [{duration: 10s, target: 4}, {duration: 30s, target: 2}], steps: [{op: user_create}]}
  - {name: cr, executor: constant-rate, rate: 10/s, duration: 10s, workers: 20, steps: [{op: user_create}]}
  - {name: rr, executor: ramping-rate, start_rate: 2/s, stages: [{duration: 1m, target: 8/s}], steps: [{op: user_create}]}
  - {name: si, executor: shared-iterations, iterations: 50, steps: [{op: user_create}]}
`
	w, err := Parse("o.yaml", []byte(src), LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestApply(t *testing.T) {
	t.Parallel()
	type sc struct {
		Workers, MaxWorkers int
		Rate, StartRate     float64
		Duration            time.Duration
		Stages              []loadgen.Stage
	}
	pick := func(s ScenarioSpec) sc {
		return sc{s.Workers, s.MaxWorkers, s.Rate, s.StartRate, s.Duration, s.Stages}
	}
	tests := []struct {
		name string
		o    Overrides
		want map[string]sc // scenarios kept, by name
		err  string
	}{
		{
			name: "none",
			want: map[string]sc{
				"cw": {Workers: 2, Duration: 10 * time.Second},
				"rw": {Workers: 1, Stages: []loadgen.Stage{{Duration: 10 * time.Second, Target: 4}, {Duration: 30 * time.Second, Target: 2}}},
				"cr": {Workers: 20, Rate: 10, Duration: 10 * time.Second},
				"rr": {StartRate: 2, Stages: []loadgen.Stage{{Duration: time.Minute, Target: 8}}},
				"si": {Workers: 1},
			},
		},
		{
			name: "scenario",
			o:    Overrides{Scenario: "cr"},
			want: map[string]sc{"cr": {Workers: 20, Rate: 10, Duration: 10 * time.Second}},
		},
		{
			name: "rate scales ramps to their peak",
			o:    Overrides{Rate: 4},
			want: map[string]sc{
				"cw": {Workers: 2, Duration: 10 * time.Second},
				"rw": {Workers: 1, Stages: []loadgen.Stage{{Duration: 10 * time.Second, Target: 4}, {Duration: 30 * time.Second, Target: 2}}},
				"cr": {Workers: 20, Rate: 4, Duration: 10 * time.Second},
				"rr": {StartRate: 1, Stages: []loadgen.Stage{{Duration: time.Minute, Target: 4}}},
				"si": {Workers: 1},
			},
		},
		{
			name: "workers",
			o:    Overrides{Workers: 8},
			want: map[string]sc{
				"cw": {Workers: 8, Duration: 10 * time.Second},
				"rw": {Workers: 2, Stages: []loadgen.Stage{{Duration: 10 * time.Second, Target: 8}, {Duration: 30 * time.Second, Target: 4}}},
				"cr": {Workers: 8, MaxWorkers: 8, Rate: 10, Duration: 10 * time.Second},
				"rr": {MaxWorkers: 8, StartRate: 2, Stages: []loadgen.Stage{{Duration: time.Minute, Target: 8}}},
				"si": {Workers: 8},
			},
		},
		{
			name: "duration scales stages to sum to it",
			o:    Overrides{Duration: 20 * time.Second, Scenario: "rw"},
			want: map[string]sc{
				"rw": {Workers: 1, Stages: []loadgen.Stage{{Duration: 5 * time.Second, Target: 4}, {Duration: 15 * time.Second, Target: 2}}},
			},
		},
		{
			name: "duration caps iterations",
			o:    Overrides{Duration: time.Minute, Scenario: "si"},
			want: map[string]sc{"si": {Workers: 1, Duration: time.Minute}},
		},
		{name: "unknown scenario", o: Overrides{Scenario: "zz"}, err: `--scenario "zz": no such scenario in o.yaml (scenarios: cw, rw, cr, rr, si)`},
		{name: "near miss", o: Overrides{Scenario: "crr"}, err: `did you mean "cr"?`},
		{name: "rate without rate scenario", o: Overrides{Scenario: "cw", Rate: 5}, err: "no scenario has a rate executor"},
		{name: "negative", o: Overrides{Rate: -1, Workers: -1, Duration: -time.Second}, err: "--rate -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := overridesWorkload(t)
			before := stripPos(w)
			err := w.Apply(tt.o)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v; want %q", err, tt.err)
				}
				if !reflect.DeepEqual(stripPos(w), before) {
					t.Errorf("a failed Apply changed the workload")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]sc{}
			for _, s := range w.Scenarios {
				got[s.Name] = pick(s)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("after Apply(%+v):\n got %+v\nwant %+v", tt.o, got, tt.want)
			}
		})
	}
}

// TestApplyKeepsOriginalStages checks that Apply does not write through to
// stage slices shared with a copy of the workload.
func TestApplyKeepsOriginalStages(t *testing.T) {
	t.Parallel()
	w := overridesWorkload(t)
	shared := w.Scenarios[1].Stages
	if err := w.Apply(Overrides{Workers: 100}); err != nil {
		t.Fatal(err)
	}
	if shared[0].Target != 4 {
		t.Errorf("original stage target changed to %v", shared[0].Target)
	}
}
