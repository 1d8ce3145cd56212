package scenarios

import (
	"strings"
	"testing"
	"time"
)

// TestBaseURL checks that a target URL without its trailing / is taken as
// the base URL it means: a host alone is /, a path gets its / added, and
// only the latter is worth a note.
func TestBaseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, want string
		note      bool
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/", false},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/", false},
		{"https://host/api/1", "https://host/api/1/", true},
		{"https://host/api/1/", "https://host/api/1/", false},
		{"embedded", "embedded", false},
	} {
		src := "target: {url: " + tc.url + "}\nscenarios: [{name: a, executor: constant-workers, workers: 1, duration: 1s, steps: [{op: user_create}]}]\n"
		w, err := Parse("u.yaml", []byte(src), LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if w.Target.URL != tc.want || (len(w.Notes) > 0) != tc.note {
			t.Errorf("%s: URL %q, notes %q; want %q, a note: %v", tc.url, w.Target.URL, w.Notes, tc.want, tc.note)
		}
		if tc.note && !strings.Contains(w.Notes[0], tc.want) {
			t.Errorf("%s: note %q does not say what it became", tc.url, w.Notes[0])
		}
	}
}

// TestApplyLimits checks that the command line cannot ask for what a
// workload file may not: the same limits, the same refusal.
func TestApplyLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		o    Overrides
		want string
	}{
		{Overrides{Rate: 1e12}, "--rate: 1e+12/s is more than one generator can schedule"},
		{Overrides{Workers: 10_000_000}, "--workers 10000000: at most 100000 a scenario"},
		{Overrides{Duration: 1_000_000 * time.Hour}, "--duration: 1000000h0m0s is longer than a run may be"},
	} {
		w := overridesWorkload(t)
		if err := w.Apply(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Apply(%+v) = %v; want an error containing %q", tc.o, err, tc.want)
		}
	}
}

// TestScenarioDurationLimits checks that every duration of a scenario is
// held to the year a run may last, as duration and graceful_stop are:
// think_time and max_lateness too.
func TestScenarioDurationLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ field, scenario string }{
		{"think_time", "{name: a, executor: constant-workers, workers: 1, duration: 1s, think_time: 1000000h, steps: [{op: user_create}]}"},
		{"max_lateness", "{name: a, executor: constant-rate, rate: 1/s, duration: 1s, max_lateness: 1000000h, steps: [{op: user_create}]}"},
		{"graceful_stop", "{name: a, executor: constant-rate, rate: 1/s, duration: 1s, graceful_stop: 1000000h, steps: [{op: user_create}]}"},
	} {
		src := "target: {url: embedded}\nscenarios: [" + tc.scenario + "]\n"
		_, err := Parse("d.yaml", []byte(src), LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
		want := "scenarios[0]." + tc.field + ": 1000000h0m0s is longer than a run may be"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want an error containing %q", tc.field, err, want)
		}
	}
}
