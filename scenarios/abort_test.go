package scenarios

import (
	"testing"
	"time"
)

func TestAbortRules(t *testing.T) {
	w, err := Load("testdata/good/abort.yaml", LoadOptions{Getenv: noEnv, Catalog: testCatalog()})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Rules()) != 3 {
		t.Fatalf("Rules() = %d rules, want 3", len(w.Rules()))
	}
	got := w.AbortRules()
	want := []struct {
		key, expr string
		delay     time.Duration
	}{
		{"http", "error_rate < 5%", 2 * time.Second},
		{"*", "p(95) < 1s", 0},
	}
	if len(got) != len(want) {
		t.Fatalf("AbortRules() = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].Key != w.key || got[i].Expr != w.expr || got[i].Delay != w.delay {
			t.Errorf("AbortRules()[%d] = %+v, want %+v", i, got[i], w)
		}
	}
}
