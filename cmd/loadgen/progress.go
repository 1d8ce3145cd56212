package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// progress prints one status line a second until ctx is done: rewritten in
// place on a terminal, one line each otherwise (logs, pipes).
func progress(ctx context.Context, w io.Writer, rec *results.Recorder) {
	tty := isTerminal(w)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if tty {
				fmt.Fprintln(w)
			}
			return
		case <-t.C:
			if tty {
				fmt.Fprintf(w, "\r%s\x1b[K", rec.Progress())
			} else {
				fmt.Fprintln(w, rec.Progress())
			}
		}
	}
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
