package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Stop reasons.
const (
	stopSignal = "signal" // the first SIGINT or SIGTERM
	stopAbort  = "abort"  // an abort_on_fail threshold
)

// stopper is how a run is stopped: the first signal (or an abort) closes
// c, which stops starting iterations and lets those in flight finish; the
// second signal cancels the run's context at once and marks the stop hard
// (teardown is skipped); a third takes the signal's default action.
type stopper struct {
	c      chan struct{} // closed by the first stop
	once   sync.Once
	mu     sync.Mutex
	reason string
	hard   atomic.Bool
	cancel context.CancelFunc // cancels the run's context

	unsubscribe func()
	done        chan struct{} // closed when the signal watcher returns
}

// watchSignals subscribes to SIGINT and SIGTERM until close is called.
// cancel cancels the run's context, ctx.
func watchSignals(ctx context.Context, cancel context.CancelFunc, st *state) *stopper {
	s := &stopper{c: make(chan struct{}), cancel: cancel, done: make(chan struct{})}
	sigs, unsubscribe := st.signals()
	s.unsubscribe = unsubscribe
	go func() {
		defer close(s.done)
		n := 0
		for {
			select {
			case <-ctx.Done():
				return
			case sig, ok := <-sigs:
				if !ok {
					return
				}
				n++
				if n == 1 {
					fmt.Fprintf(st.stderr, "\nloadgen: %v: stopping gracefully (again to stop at once)\n", sig)
					s.stop(stopSignal)
					continue
				}
				fmt.Fprintf(st.stderr, "\nloadgen: %v: stopping now (measured results are still written; a third signal kills)\n", sig)
				s.hard.Store(true)
				cancel()
				unsubscribe() // a third signal takes its default action
				return
			}
		}
	}()
	return s
}

// stop stops the run gracefully; the first reason given is kept.
func (s *stopper) stop(reason string) {
	s.once.Do(func() {
		s.mu.Lock()
		s.reason = reason
		s.mu.Unlock()
		close(s.c)
	})
}

// abort stops the run for a failed abort_on_fail threshold: at once.
func (s *stopper) abort() {
	s.stop(stopAbort)
	s.cancel()
}

// stopped returns the reason of the stop, or "" while the run goes on.
func (s *stopper) stopped() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason
}

// close cancels the run's context, waits for the signal watcher and
// unsubscribes.
func (s *stopper) close() {
	s.cancel()
	<-s.done
	s.unsubscribe()
}
