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
// place on a terminal, one line each otherwise (logs, pipes). Its rate is
// the iterations since the last line over the time since it, so each line
// has its own second's rate (the first one's too).
func progress(ctx context.Context, w io.Writer, rec *results.Recorder) {
	tty := isTerminal(w)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var last int64
	lastAt := time.Now()
	line := func() results.Progress {
		p := rec.Progress()
		now := time.Now()
		if el := now.Sub(lastAt).Seconds(); el > 0 {
			p.Rate = float64(p.Iterations-last) / el
		}
		last, lastAt = p.Iterations, now
		return p
	}
	for {
		select {
		case <-ctx.Done():
			if tty {
				fmt.Fprintln(w)
			}
			return
		case <-t.C:
			if tty {
				fmt.Fprintf(w, "\r%s\x1b[K", line())
			} else {
				fmt.Fprintln(w, line())
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
