package scenarios

import (
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
)

const capacityYAML = `
target: {url: embedded}
scenarios:
  - name: find
    executor: capacity
    rate: 20/s
    max_rate: 2000/s
    factor: 2
    step: 5s
    precision: 10%
    cooldown: 1s
    max_duration: 2m
    slo:
      "*": ["p(99) < 100ms", "error_rate < 1%"]
      decrypt: "p(50) < 20ms"
    abort: "error_rate > 20%"
    steps: [{op: document_decrypt, name: decrypt}, {op: user_create}]
`

func TestCapacityCompile(t *testing.T) {
	t.Parallel()
	w, err := Parse("cap.yaml", []byte(capacityYAML), LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Split(Shard{Index: 1, Count: 4}); err != nil {
		t.Fatal(err)
	}
	p, err := Compile(w, testCatalog(), &ops.Env{})
	if err != nil {
		t.Fatal(err)
	}
	e := p.Scenarios[0].Executor
	c := e.Capacity
	if e.Kind != loadgen.Capacity || e.Rate != 5 || e.Duration != 2*time.Minute || c == nil {
		t.Fatalf("executor %+v", e)
	}
	if c.MaxRate != 500 || c.Factor != 2 || c.Step != 5*time.Second || c.Precision != 0.1 || c.Cooldown != time.Second {
		t.Errorf("search %+v", c)
	}
	var got []string
	for _, r := range c.SLO {
		got = append(got, r.Key+": "+r.T.String())
	}
	want := []string{"*: p(99) < 100ms", "*: error_rate < 1%", "decrypt: p(50) < 20ms"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("slo %q, want %q", got, want)
	}
	if len(c.Abort) != 1 || c.Abort[0].Key != "*" || c.Abort[0].T.String() != "error_rate > 20%" {
		t.Errorf("abort %+v", c.Abort)
	}
	if err := p.Validate(); err != nil {
		t.Error(err)
	}
}

func TestCapacityOverrides(t *testing.T) {
	t.Parallel()
	w, err := Parse("cap.yaml", []byte(capacityYAML), LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
	if err != nil {
		t.Fatal(err)
	}
	// --rate starts the search there (and lifts max_rate to it), --workers
	// caps its workers, --duration is its max_duration.
	if err := w.Apply(Overrides{Rate: 3000, Workers: 40, Duration: time.Minute}); err != nil {
		t.Fatal(err)
	}
	s := w.Scenarios[0]
	if s.Rate != 3000 || s.Capacity.MaxRate != 3000 || s.MaxWorkers != 40 || s.Duration != time.Minute {
		t.Errorf("rate %g, max_rate %g, max_workers %d, max_duration %v", s.Rate, s.Capacity.MaxRate, s.MaxWorkers, s.Duration)
	}
}
