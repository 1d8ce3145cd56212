package results

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr    string
		want    Threshold
		wantErr string // substring of the error; "" for success
	}{
		{"p(99) < 500ms", Threshold{Metric: "p", Percentile: 99, Op: "<", Value: 500}, ""},
		{"p(99.9) <= 1s", Threshold{Metric: "p", Percentile: 99.9, Op: "<=", Value: 1000}, ""},
		{"  mean<80ms ", Threshold{Metric: "mean", Op: "<", Value: 80}, ""},
		{"avg < 1.5s", Threshold{Metric: "mean", Op: "<", Value: 1500}, ""},
		{"med > 250us", Threshold{Metric: "med", Op: ">", Value: 0.25}, ""},
		{"max >= 2m", Threshold{Metric: "max", Op: ">=", Value: 120000}, ""},
		{"min == 0", Threshold{Metric: "min", Op: "==", Value: 0}, ""},
		{"stddev != 12.5", Threshold{Metric: "stddev", Op: "!=", Value: 12.5}, ""}, // bare number: ms
		{"error_rate < 1%", Threshold{Metric: "error_rate", Op: "<", Value: 0.01}, ""},
		{"error_rate < 0.01", Threshold{Metric: "error_rate", Op: "<", Value: 0.01}, ""},
		{"count > 100", Threshold{Metric: "count", Op: ">", Value: 100}, ""},
		{"rate >= 50", Threshold{Metric: "rate", Op: ">=", Value: 50}, ""},
		{"rate >= 50/s", Threshold{Metric: "rate", Op: ">=", Value: 50}, ""},
		{"P(50) < 1s", Threshold{Metric: "p", Percentile: 50, Op: "<", Value: 1000}, ""},
		{"p99 < 500ms", Threshold{Metric: MetricPercentile, Percentile: 99, Op: CmpLess, Value: 500}, ""},
		{"p99.9 <= 1s", Threshold{Metric: MetricPercentile, Percentile: 99.9, Op: CmpLessEq, Value: 1000}, ""},
		{"P50>=2ms", Threshold{Metric: MetricPercentile, Percentile: 50, Op: CmpGreaterEq, Value: 2}, ""},

		{"p(99) 500ms", Threshold{}, "no comparison"},
		{"p(99) = 500ms", Threshold{}, "no comparison"},
		{"p(99) < 5 < 6", Threshold{}, "more than one comparison"},
		{"p < 500ms", Threshold{}, "unknown metric"},
		{"pmax < 500ms", Threshold{}, "unknown metric"},
		{"p101 < 1s", Threshold{}, "0 < N ≤ 100"},
		{"p99x < 1s", Threshold{}, "percentile"},
		{"p(0) < 1s", Threshold{}, "0 < N ≤ 100"},
		{"p(101) < 1s", Threshold{}, "0 < N ≤ 100"},
		{"p(x) < 1s", Threshold{}, "percentile"},
		{"latency < 1s", Threshold{}, "want one of p(N)"},
		{"< 1s", Threshold{}, "no metric"},
		{"mean <", Threshold{}, "no value"},
		{"mean < fast", Threshold{}, "such as 500ms"},
		{"mean < -5ms", Threshold{}, "≥ 0"},
		{"error_rate < 150%", Threshold{}, "between 0 and 1"},
		{"error_rate < lots", Threshold{}, "percentage"},
		{"count > many", Threshold{}, "a number"},
		{"rate > -1", Threshold{}, "≥ 0"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			got, err := ParseThreshold(tt.expr)
			if tt.wantErr != "" {
				var te *ThresholdError
				if !errors.As(err, &te) || te.Expr != tt.expr || !strings.Contains(te.Reason, tt.wantErr) {
					t.Fatalf("ParseThreshold(%q) error = %#v, want a *ThresholdError whose reason contains %q", tt.expr, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseThreshold(%q): %v", tt.expr, err)
			}
			if got != tt.want {
				t.Errorf("ParseThreshold(%q) = %+v, want %+v", tt.expr, got, tt.want)
			}
			// The canonical form parses back to the same threshold.
			again, err := ParseThreshold(got.String())
			if err != nil || again != got {
				t.Errorf("round trip of %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

// thresholdSummary: s/a has latencies 1..1000 ms (1% errors) over 10 s;
// t/a and t/b have 100 samples of 10 ms each, t/b all failed; t/a has a
// 4 ms phase "crypto:pbkdf2".
func thresholdSummary() *Summary {
	r := testRecorder(2)
	for _, s := range knownSamples() {
		r.RecordSample(&s)
	}
	// Cut off by loadgen's own stop (a second SIGINT): not the target's
	// errors, not in count or error_rate.
	for i := 0; i < 30; i++ {
		s := Sample{Scenario: "s", Op: "a", Worker: i, Latency: 3 * time.Second, ServiceTime: 3 * time.Second,
			Err: context.Canceled, Class: ClassCanceled}
		r.RecordSample(&s)
	}
	for i := 0; i < 100; i++ {
		s := Sample{Scenario: "t", Op: "a", Worker: i, Latency: 10 * time.Millisecond, ServiceTime: 10 * time.Millisecond,
			Phases: []Phase{{Name: "crypto:pbkdf2", End: 4 * time.Millisecond}}}
		r.RecordSample(&s)
		s = Sample{Scenario: "t", Op: "b", Worker: i, Latency: 10 * time.Millisecond, ServiceTime: 10 * time.Millisecond,
			Class: ClassTimeout}
		r.RecordSample(&s)
	}
	r.SetEnd(testStart.Add(10 * time.Second))
	return r.Summary()
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	sum := thresholdSummary()
	tests := []struct {
		key, expr string
		ok        bool
		value     float64
		err       error  // the failure: errors.Is for a sentinel; for a *KeyError or *Violation, its type
		msg       string // substring of the failure's message
	}{
		{"s/a", "p(99) < 1s", true, 990, nil, ""},
		{"s/a", "p99 < 1s", true, 990, nil, ""},
		{"s/a", "p(50) < 400ms", false, 500, &Violation{}, "s/a is 500.2"},
		{"s/a", "mean == 500.5", true, 500.5, nil, ""},
		{"s/a", "error_rate <= 1%", true, 0.01, nil, ""},
		{"s/a", "count > 1000", false, 1000, &Violation{}, "not >"},
		{"s/a", "rate >= 100", true, 100, nil, ""},
		{"s/a", "min >= 1ms", true, 1, nil, ""},
		{"s/a", "max <= 1s", true, 1000, nil, ""},
		{"s/a", "count == 1000", true, 1000, nil, ""}, // and 30 interrupted
		{"s/a", "error_rate == 1%", true, 0.01, nil, ""},
		{"b", "error_rate < 5%", false, 1, &Violation{}, ""},
		{"a", "count == 1100", true, 1100, nil, ""}, // op a in both scenarios
		{"t/*", "count == 200", true, 200, nil, ""},
		{"t/*", "error_rate == 50%", true, 0.5, nil, ""},
		{"*", "count == 1200", true, 1200, nil, ""},
		{"a/crypto:pbkdf2", "mean == 4ms", true, 4, nil, ""},
		{"a/crypto:pbkdf2", "error_rate < 1%", false, 0, ErrPhaseErrorRate, "phases have no errors"},
		{"nope", "count > 0", false, 0, &KeyError{}, `key "nope" matches nothing measured (measured: s/a, t/a, t/b)`},
		{"s/nope", "count > 0", false, 0, &KeyError{}, "matches nothing"},
		{"x/*", "count > 0", false, 0, &KeyError{}, "matches nothing"},
		{"a/crypto:scrypt", "count > 0", false, 0, &KeyError{}, "matches nothing"},
	}
	rules := make([]Rule, len(tests))
	for i, tt := range tests {
		th, err := ParseThreshold(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		rules[i] = Rule{Key: tt.key, Expr: tt.expr, T: th}
	}
	res := sum.Evaluate(rules)
	if len(res) != len(tests) || len(sum.Thresholds) != len(tests) {
		t.Fatalf("%d results, %d stored; want %d", len(res), len(sum.Thresholds), len(tests))
	}
	for i, tt := range tests {
		r := res[i]
		if r.Key != tt.key || r.Expr != tt.expr || r.OK != tt.ok {
			t.Errorf("%s %q: got %+v, want ok=%v", tt.key, tt.expr, r, tt.ok)
		}
		if tt.value != 0 && (r.Value < tt.value*0.999 || r.Value > tt.value*1.001) {
			t.Errorf("%s %q: value %v, want %v", tt.key, tt.expr, r.Value, tt.value)
		}
		if !errIsKind(r.Err, tt.err) {
			t.Errorf("%s %q: err %#v, want %T %v", tt.key, tt.expr, r.Err, tt.err, tt.err)
		}
		if _, violated := tt.err.(*Violation); r.Measured() != (tt.ok || violated) {
			t.Errorf("%s %q: Measured() = %v", tt.key, tt.expr, r.Measured())
		}
		if tt.msg != "" && !strings.Contains(r.Message(), tt.msg) {
			t.Errorf("%s %q: message %q, want one containing %q", tt.key, tt.expr, r.Message(), tt.msg)
		}
		if v, ok := r.Err.(*Violation); ok && (v.Key != tt.key || v.T != rules[i].T || v.Value != r.Value) {
			t.Errorf("%s %q: violation %+v", tt.key, tt.expr, v)
		}
	}
}

// errIsKind reports whether err is want: nil for nil, the same type for a
// *KeyError or *Violation, else errors.Is.
func errIsKind(err, want error) bool {
	var ke *KeyError
	var v *Violation
	switch want.(type) {
	case nil:
		return err == nil
	case *KeyError:
		return errors.As(err, &ke)
	case *Violation:
		return errors.As(err, &v)
	}
	return errors.Is(err, want)
}

func TestEvaluateWithoutHistograms(t *testing.T) {
	t.Parallel()
	var s Summary
	th, _ := ParseThreshold("count > 0")
	res := s.Evaluate([]Rule{{Key: "*", Expr: "count > 0", T: th}})
	if res[0].OK || !errors.Is(res[0].Err, ErrNoHistograms) || res[0].Measured() {
		t.Errorf("got %+v, want ErrNoHistograms", res[0])
	}
}

func TestThresholdResultString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    ThresholdResult
		want string
	}{
		{ThresholdResult{Key: "a", Expr: "p(99) < 1s", OK: true, Value: 12.5}, "ok   a: p(99) < 1s (value 12.5)"},
		{ThresholdResult{Key: "*", Expr: "error_rate < 1%", Value: 0.02,
			Err: &Violation{Key: "*", T: Threshold{Metric: MetricErrorRate, Op: CmpLess, Value: 0.01}, Value: 0.02}},
			"FAIL *: error_rate < 1% (value 0.02): * is 2%, not < 1%"},
		{ThresholdResult{Key: "x", Expr: "count > 0", Err: &KeyError{Key: "x"}},
			`FAIL x: count > 0 (value 0): key "x" matches nothing measured (measured: nothing); keys are op, scenario/op, scenario/*, op/kind:phase or *`},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestHostInfo(t *testing.T) {
	t.Parallel()
	h := HostInfo()
	if h.CPU == "" || h.Kernel == "" || h.GOMAXPROCS < 1 {
		t.Errorf("HostInfo() = %+v", h)
	}
}
