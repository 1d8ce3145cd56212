package scenarios

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
)

func TestCompile(t *testing.T) {
	t.Parallel()
	w, err := Load("testdata/good/every.yaml", LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(w, testCatalog(), &ops.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "every" || p.MaxRate != 2 || p.MaxWorkers != 64 || len(p.Scenarios) != 6 {
		t.Fatalf("plan = %+v", p)
	}
	cw := p.Scenarios[0]
	wantCW := loadgen.Executor{Kind: loadgen.ConstantWorkers, Workers: 4, Duration: 90 * time.Second}
	if !reflect.DeepEqual(cw.Executor, wantCW) || cw.ThinkTime != 250*time.Millisecond || cw.StartAfter != time.Second || cw.GracefulStop != 5*time.Second {
		t.Errorf("cw = %+v", cw)
	}
	if len(cw.Steps) != 1 || cw.Steps[0].Name != "all_kinds" {
		t.Fatalf("cw steps = %+v", cw.Steps)
	}
	op := cw.Steps[0].Op.(*testOp)
	if op.name != "kitchen" || op.args["z"] != int64(1<<20) || op.args["d"] != time.Minute {
		t.Errorf("op = %+v", op)
	}
	op.args["sl"].([]string)[0] = "changed" // ops get their own copy
	if w.Scenarios[0].Steps[0].Args["sl"].([]string)[0] != "a" {
		t.Errorf("changing an op's args changed the workload")
	}
	rw := p.Scenarios[1]
	if len(rw.Mix) != 2 || rw.Steps != nil || rw.Mix[0].Weight != 3 || rw.Mix[1].Weight != 1 {
		t.Errorf("rw mix = %+v", rw.Mix)
	}
	rr := p.Scenarios[3].Executor
	if rr.Kind != loadgen.RampingRate || rr.Rate != 1 || len(rr.Stages) != 2 || rr.MaxWorkers != 0 || rr.Workers != 0 {
		t.Errorf("rr executor = %+v; want start rate 1 in Rate, workers and max_workers left to the engine", rr)
	}
	if pre, mw := rr.OpenWorkers(); pre != 1 || mw != 100 {
		t.Errorf("rr OpenWorkers = %d, %d; want the engine's defaults for 10/s: 1, 100", pre, mw)
	}
	if cr := p.Scenarios[2]; cr.MaxLateness != 2*time.Second || cr.Executor.Rate != 50 {
		t.Errorf("cr = %+v", cr)
	}
}

// TestCompileErrors checks that op construction errors get positions: the
// field's for an *ops.FieldError, the step's otherwise.
func TestCompileErrors(t *testing.T) {
	t.Parallel()
	src := `target: {url: embedded}
scenarios:
  - name: a
    executor: shared-iterations
    iterations: 1
    steps:
      - {op: kitchen, s: x, i: -4}
      - {op: kitchen, s: y, fail: true}
      - {op: kitchen, s: z}
`
	w, err := Parse("c.yaml", []byte(src), LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(w, testCatalog(), &ops.Env{})
	want := []string{
		"c.yaml:7:32: scenarios[0].steps[0].i: -4 is below 0",
		"c.yaml:8:9: scenarios[0].steps[1].op: kitchen: refused",
	}
	errs := Errors(err)
	if len(errs) != len(want) {
		t.Fatalf("errors = %v; want %d", err, len(want))
	}
	for i, e := range errs {
		if e.Error() != want[i] {
			t.Errorf("error %d = %q; want %q", i, e, want[i])
		}
	}
}

// TestCompileHTTP builds the real http op of ops.Default() from a workload:
// a good step compiles to one step, a bad method is refused at its position.
func TestCompileHTTP(t *testing.T) {
	t.Parallel()
	compile := func(method string) (*loadgen.Plan, error) {
		src := `target: {url: "http://127.0.0.1:1/api/1/"}
scenarios:
  - {name: a, executor: shared-iterations, iterations: 1, steps: [{op: http, method: ` + method + `, url: /health}]}
`
		w, err := Parse("h.yaml", []byte(src), LoadOptions{Getenv: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		target, _ := url.Parse(w.Target.URL)
		return Compile(w, nil, &ops.Env{Target: target, Timeout: time.Second})
	}
	plan, err := compile("POST")
	if err != nil {
		t.Fatalf("a good http step: %v", err)
	}
	if len(plan.Scenarios) != 1 || len(plan.Scenarios[0].Steps) != 1 || plan.Scenarios[0].Steps[0].Name != "http" {
		t.Fatalf("plan = %+v; want scenario a with one step, http", plan.Scenarios)
	}
	_, err = compile("BREW")
	if err == nil || !strings.HasPrefix(err.Error(), "h.yaml:3:86: scenarios[0].steps[0].method: ") {
		t.Fatalf("err = %v; want the method refused at its position", err)
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	w, err := Load("testdata/good/design.yaml", LoadOptions{Getenv: noEnv, Vars: map[string]string{"IRONCORE_CONFIG": "", "IRONCORE_IAK": ""}, Catalog: testCatalog()})
	if err != nil {
		t.Fatal(err)
	}
	rules := w.Rules()
	if len(rules) != 4 {
		t.Fatalf("rules = %+v", rules)
	}
	if r := rules[0]; r.Key != "document_encrypt" || r.Expr != "p(99) < 500ms" || r.T.Metric != "p" || r.T.Percentile != 99 || r.T.Value != 500 {
		t.Errorf("rule 0 = %+v", r)
	}
}
