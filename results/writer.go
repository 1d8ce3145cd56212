package results

import (
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// writer writes frames to the stream file. It belongs to the Recorder's
// background goroutine (and to Close once that has stopped).
type writer struct {
	f   *os.File
	out []byte
	off int64 // bytes written whole
	err error // the first write error; later writes are skipped
}

// newWriter writes the magic and the header record to f.
func newWriter(f *os.File, header []byte) (*writer, error) {
	w := &writer{f: f}
	w.out = append(w.out, streamMagic...)
	w.write(header)
	if w.err != nil {
		return nil, w.err
	}
	return w, nil
}

// write frames bufs, in order, and writes them with one write(2). It
// reports whether they were written: after the first failure nothing is
// written any more, and a frame written in part (a full disk) is cut off
// again, so the stream ends on a whole frame.
func (w *writer) write(bufs ...[]byte) bool {
	for _, b := range bufs {
		w.out = appendFrames(w.out, b)
	}
	ok := w.err == nil
	if ok && len(w.out) > 0 {
		n, err := w.f.Write(w.out)
		if err != nil {
			w.err = fmt.Errorf("results: writing the sample stream: %w", err)
			ok = false
			if n > 0 {
				w.f.Truncate(w.off) // best effort; a reader skips a torn frame anyway
			}
		} else {
			w.off += int64(n)
		}
	}
	w.out = w.out[:0]
	return ok
}

// close closes the file and returns the first error.
func (w *writer) close() error {
	if err := w.f.Close(); err != nil {
		w.err = errors.Join(w.err, fmt.Errorf("results: closing the sample stream: %w", err))
	}
	return w.err
}

// secAgg is one (scenario, op)'s figures for the current second, merged
// from the shards.
type secAgg struct {
	n, errs int64
	h       *hdrhistogram.PackedHistogram
}

// ticker is the background goroutine's state.
type ticker struct {
	held      [][]byte // spare stream buffers, one per shard
	heldN     []int64  // sample records in each of held
	meta      []byte   // spare meta buffer
	local     []byte   // P and C records of this flush
	sec       map[opKey]*secAgg
	late, drp map[string]int64 // counter values last written
	lastRoll  time.Time
	lastIters int64
}

// newTicker returns the background goroutine's initial state.
func (r *Recorder) newTicker() *ticker {
	return &ticker{
		held:     make([][]byte, len(r.shards)),
		heldN:    make([]int64, len(r.shards)),
		sec:      make(map[opKey]*secAgg),
		late:     make(map[string]int64),
		drp:      make(map[string]int64),
		lastRoll: r.start,
	}
}

// run is the Recorder's background goroutine: every interval it flushes the
// stream and, every second, rolls the per-second figures. It exits, after a
// final flush, when r.stop is closed.
func (r *Recorder) run() {
	defer close(r.done)
	t := r.newTicker()
	tk := time.NewTicker(r.interval)
	defer tk.Stop()
	for {
		select {
		case <-tk.C:
			r.tick(t, time.Now(), false)
		case <-r.stop:
			r.tick(t, time.Now(), true)
			return
		}
	}
}

// tick swaps the shards' stream buffers, rolls the second if one has passed
// (or final), and writes meta, then P and C records, then the shard buffers:
// every name a record uses is defined in the same flush or an earlier one,
// because the shard buffers are swapped before the meta buffer.
func (r *Recorder) tick(t *ticker, now time.Time, final bool) {
	roll := final || now.Sub(t.lastRoll) >= time.Second-r.interval/2
	stream := r.w != nil
	for i, sh := range r.shards {
		sh.mu.Lock()
		if roll {
			for k, op := range sh.ops {
				if op.secN == 0 {
					continue
				}
				a := t.sec[k]
				if a == nil {
					a = &secAgg{h: hdrhistogram.NewPacked(lowestUS, highestUS, secSigFigs)}
					t.sec[k] = a
				}
				a.n += op.secN
				a.errs += op.secErr
				a.h.Merge(op.sec)
				op.secN, op.secErr = 0, 0
				op.sec.Reset()
			}
		}
		if stream {
			sh.buf, t.held[i] = t.held[i][:0], sh.buf
			t.heldN[i], sh.bufN = sh.bufN, 0
		}
		sh.mu.Unlock()
	}
	if roll {
		r.rollSecond(t, now, stream, final)
	}
	if !stream {
		return
	}
	r.appendCounters(t)
	r.metaMu.Lock()
	r.meta, t.meta = t.meta[:0], r.meta
	r.metaMu.Unlock()
	bufs := append([][]byte{t.meta, t.local}, t.held...)
	var n int64
	for _, k := range t.heldN {
		n += k
	}
	if r.w.write(bufs...) {
		r.streamed.Add(n)
	} else {
		r.streamFailed()
	}
	t.local = t.local[:0]
}

// rollSecond ends the current second: it updates the progress rate, the
// live view (if a dashboard keeps one) and appends a P record per
// (scenario, op) that had samples.
func (r *Recorder) rollSecond(t *ticker, now time.Time, stream, final bool) {
	var iters int64
	for _, sh := range r.shards {
		iters += sh.iterations.Load()
	}
	if el := now.Sub(t.lastRoll).Seconds(); el > 0 {
		r.rate.Store(math.Float64bits(float64(iters-t.lastIters) / el))
	}
	second := uint64(max(math.Round(t.lastRoll.Sub(r.start).Seconds()), 0))
	t.lastIters, t.lastRoll = iters, now
	r.rollLive(int64(second), now, t.sec, final)
	for k, a := range t.sec {
		if a.n == 0 {
			continue
		}
		if stream {
			t.local = appendUvarints(t.local, recSecond, second, r.nameID(k.scenario), r.nameID(k.op),
				uint64(a.n), uint64(a.errs), uint64(a.h.ValueAtPercentile(50)), uint64(a.h.ValueAtPercentile(99)))
		}
		a.n, a.errs = 0, 0
		a.h.Reset()
	}
}

// appendCounters appends a C record for every scenario whose late or
// dropped count changed since the last flush.
func (r *Recorder) appendCounters(t *ticker) {
	changed := func(key, value any) bool {
		name := key.(string)
		late, drp := counter(&r.late, name).Load(), counter(&r.dropped, name).Load()
		if late != t.late[name] || drp != t.drp[name] {
			t.late[name], t.drp[name] = late, drp
			t.local = appendUvarints(t.local, recCounts, r.nameID(name), uint64(late), uint64(drp))
		}
		return true
	}
	r.late.Range(changed)
	r.dropped.Range(changed)
}
