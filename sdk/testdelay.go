package sdk

import (
	"context"
	"time"
)

type testDelayKey struct{ op string }

// WithTestDelay returns a context in which the operation op ("generate_device"
// is the one that honours it) sleeps for d between two of its phases, outside
// every phase. It exists so tests of the load generator can check that time
// no phase accounts for shows up as unaccounted; do not use it otherwise.
func WithTestDelay(ctx context.Context, op string, d time.Duration) context.Context {
	return context.WithValue(ctx, testDelayKey{op}, d)
}

// testDelay sleeps for the delay WithTestDelay put in ctx for op, if any.
func testDelay(ctx context.Context, op string) error {
	d, _ := ctx.Value(testDelayKey{op}).(time.Duration)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
