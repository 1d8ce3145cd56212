package testhook

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := WithDelay(context.Background(), "a", 20*time.Millisecond)
		for _, tt := range []struct {
			op   string
			want time.Duration
		}{{"a", 20 * time.Millisecond}, {"b", 0}} {
			start := time.Now()
			if err := Delay(ctx, tt.op); err != nil {
				t.Fatal(err)
			}
			if got := time.Since(start); got != tt.want {
				t.Errorf("Delay(%s) slept %v, want %v", tt.op, got, tt.want)
			}
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
		defer cancel()
		if err := Delay(cctx, "a"); err != context.DeadlineExceeded {
			t.Errorf("Delay past the context's deadline = %v, want DeadlineExceeded", err)
		}
	})
}

func TestProcessDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		process = map[string]time.Duration{"a": 7 * time.Millisecond}
		defer func() { process = nil }()
		start := time.Now()
		if err := Delay(context.Background(), "a"); err != nil || time.Since(start) != 7*time.Millisecond {
			t.Errorf("process delay: slept %v, %v; want 7ms", time.Since(start), err)
		}
		start = time.Now()
		if err := Delay(WithDelay(context.Background(), "a", 0), "a"); err != nil || time.Since(start) != 0 {
			t.Errorf("a context's zero delay should win over the process's: slept %v", time.Since(start))
		}
	})
}
