// Package testhook holds delays that tests put into an operation, between
// two of its phases and outside every phase, to check that time no phase
// accounts for shows as unaccounted. Nothing outside tests sets them: a
// test puts a delay in a context with WithDelay, and a binary built with
// -tags testhooks (the cmd/loadgen integration tests build one) takes
// process-wide delays from $LOADGEN_TEST_DELAY. Neither the workload schema
// nor the SDK's API has a way to set one.
package testhook

import (
	"context"
	"time"
)

type delayKey struct{ op string }

// process holds the delays of the process by op, set only from
// $LOADGEN_TEST_DELAY in a binary built with -tags testhooks, before main.
var process map[string]time.Duration

// WithDelay returns a context in which Delay(ctx, op) sleeps for d.
func WithDelay(ctx context.Context, op string, d time.Duration) context.Context {
	return context.WithValue(ctx, delayKey{op}, d)
}

// Delay sleeps for op's delay, the one WithDelay put in ctx or else the
// process's, if any, or until ctx ends.
func Delay(ctx context.Context, op string) error {
	d, ok := ctx.Value(delayKey{op}).(time.Duration)
	if !ok {
		d = process[op]
	}
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
