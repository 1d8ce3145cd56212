package scenarios_test

import (
	"fmt"

	"github.com/ironcorelabs/loadgen/scenarios"
)

func ExampleParse() {
	src := []byte(`target: {url: embedded}
scenarios:
  - name: health
    executor: constant-rate
    rate: fast
    duration: 1m
    steps: [{op: http, url: /health, expect_status: [200]}]
`)
	_, err := scenarios.Parse("health.yaml", src, scenarios.LoadOptions{})
	for _, e := range scenarios.Errors(err) {
		fmt.Println(e)
	}
	// Output:
	// health.yaml:5:11: scenarios[0].rate: "fast" is not a rate; want N/s, N/m or N/h, e.g. 200/s
}

func ExampleWorkload_Apply() {
	src := []byte(`target: {url: embedded}
scenarios:
  - {name: browse, executor: constant-rate, rate: 10/s, duration: 1m, steps: [{op: http, url: /}]}
  - {name: upload, executor: constant-workers, workers: 2, duration: 1m, steps: [{op: http, url: /}]}
`)
	w, err := scenarios.Parse("w.yaml", src, scenarios.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Apply(scenarios.Overrides{Scenario: "browse", Rate: 50, Duration: 30_000_000_000}); err != nil {
		fmt.Println(err)
		return
	}
	s := w.Scenarios[0]
	fmt.Println(len(w.Scenarios), s.Name, s.Rate, s.Duration)
	// Output:
	// 1 browse 50 30s
}
