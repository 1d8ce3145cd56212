package results

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/ironcorelabs/loadgen/internal/capped"
)

// maxReadFrame bounds the frame length Rebuild accepts; a larger one is
// taken as corruption.
const maxReadFrame = 64 << 20

// MaxStreamSize is the largest sample stream Rebuild reads (days of a busy
// run); it reads the stream frame by frame, in bounded memory.
const MaxStreamSize = 64 << 30

// Rebuild reads dir/StreamFile and returns the summary it describes, as the
// Recorder would have made it, with thresholds unevaluated.
//
// It reads a killed run too: a torn or corrupt frame ends the reading with a
// warning, keeping every frame before it, and a stream without an end
// record gets a warning and an end estimated from the last sample, iteration
// or health record. It fails only if the file cannot be read, is larger
// than MaxStreamSize or is not a sample stream.
//
// When the stream lacks samples, the Summary's StreamLoss says how many and
// why, as far as the folder tells: the summary.json the run wrote counts
// every sample the run measured (and says why its stream failed, when it
// did); without one, a torn frame's whole records give a lower bound.
func Rebuild(dir string) (*Summary, []string, error) {
	rb := new(rebuilder)
	sum, warnings, err := rb.replay(dir)
	if err != nil {
		return nil, warnings, err
	}
	sum.rebuilt = true
	sum.StreamLoss = rb.loss(dir, sum)
	if l := sum.StreamLoss; l != nil {
		n := fmt.Sprintf("%d", l.Samples)
		if l.AtLeast {
			n = "at least " + n
		}
		rb.warnf("%s lacks %s samples of the run: %s", StreamFile, n, l.Reason)
	}
	return sum, rb.warnings, nil
}

// loss returns what the rebuilt sum lacks (see Rebuild), or nil.
func (rb *rebuilder) loss(dir string, sum *Summary) *StreamLoss {
	var count int64
	for _, o := range sum.Ops {
		count += o.Count + o.Interrupted
	}
	b, err := capped.ReadFile(filepath.Join(dir, "summary.json"), MaxSummarySize, "a summary.json")
	var prev struct {
		Ops []struct {
			Count, Interrupted int64
		} `json:"ops"`
		StreamLoss *StreamLoss `json:"stream_loss"`
	}
	if err == nil && json.Unmarshal(b, &prev) == nil {
		var n int64
		for _, o := range prev.Ops {
			n += o.Count + o.Interrupted // before Interrupted, Count had them
		}
		switch {
		case n > count:
			reason := rb.cut
			if prev.StreamLoss != nil {
				reason = prev.StreamLoss.Reason
			}
			if reason == "" {
				reason = "the stream ends early"
			}
			return &StreamLoss{Samples: n - count, Reason: fmt.Sprintf("summary.json counts %d samples, the stream %d; %s", n, count, reason)}
		case n == count && prev.StreamLoss != nil:
			return prev.StreamLoss // an earlier report's, carried on
		}
		return nil
	}
	if rb.cutSamples > 0 {
		return &StreamLoss{Samples: rb.cutSamples, AtLeast: true, Reason: rb.cut}
	}
	return nil
}

// replay reads dir/StreamFile into rb (see Rebuild), calling rb's observers
// on the way.
func (rb *rebuilder) replay(dir string) (*Summary, []string, error) {
	path := filepath.Join(dir, StreamFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("results: rebuild: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("results: rebuild: %w", err)
	}
	size := info.Size()
	if size == 0 && info.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("results: rebuild: %s is empty: the run recorded nothing (killed before its first flush, or its disk was full)", path)
	}
	if size > MaxStreamSize {
		return nil, nil, fmt.Errorf("results: rebuild: %w", &capped.TooLargeError{Name: path, What: "a sample stream", Limit: MaxStreamSize})
	}
	br := bufio.NewReaderSize(capped.Reader(f, MaxStreamSize, path, "a sample stream"), 1<<20)
	magic := make([]byte, len(streamMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != streamMagic {
		return nil, nil, fmt.Errorf("results: rebuild: %s is not a loadgen sample stream", path)
	}
	rb.names = make(map[uint64]string)
	off := int64(len(streamMagic))
	var hdr [8]byte
	var payload []byte
	for {
		n, err := io.ReadFull(br, hdr[:])
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				rb.cutf("%s: torn frame header at byte %d (%d bytes) skipped; the run was killed, or could not write its stream", StreamFile, off, n)
				break
			}
			return nil, rb.warnings, fmt.Errorf("results: rebuild: %w", err)
		}
		l := binary.LittleEndian.Uint32(hdr[:4])
		if l > maxReadFrame {
			rb.cutf("%s: corrupt frame at byte %d (length %d); it and everything after it skipped", StreamFile, off, l)
			break
		}
		if rest := size - off - 8; int64(l) > rest {
			if rest > 0 {
				payload = payload[:0]
				if cap(payload) < int(rest) {
					payload = make([]byte, rest)
				}
				k, _ := io.ReadFull(br, payload[:rest])
				rb.cutSamples += countSamples(payload[:k])
			}
			rb.cutf("%s: torn frame at byte %d (%d of %d bytes) skipped; the run was killed, or could not write its stream", StreamFile, off, max(rest, 0), l)
			break
		}
		if cap(payload) < int(l) {
			payload = make([]byte, l)
		}
		payload = payload[:l]
		if n, err := io.ReadFull(br, payload); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
				rb.cutSamples += countSamples(payload[:n])
				rb.cutf("%s: torn frame at byte %d (%d of %d bytes) skipped; the run was killed, or could not write its stream", StreamFile, off, n, l)
				break
			}
			return nil, rb.warnings, fmt.Errorf("results: rebuild: %w", err)
		}
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(hdr[4:]) {
			rb.cutSamples += countSamples(payload)
			rb.cutf("%s: frame at byte %d fails its checksum; it and everything after it skipped", StreamFile, off)
			break
		}
		if err := rb.frame(payload, off); err != nil {
			return nil, rb.warnings, err
		}
		off += 8 + int64(l)
	}
	if rb.r == nil {
		return nil, rb.warnings, fmt.Errorf("results: rebuild: %s has no header record", path)
	}
	if !rb.ended {
		rb.r.estimateEnd = true
		rb.warnf("%s: no end record (the run was killed, or could not write its stream); its end is estimated from the last record, and what it measured after its last flush is lost", StreamFile)
		if rb.cut == "" {
			rb.cut = StreamFile + " ends without its end record (the run was killed, or could not write its stream)"
		}
	}
	return rb.r.Summary(), rb.warnings, nil
}

// rebuilder replays stream records into a one-shard Recorder.
type rebuilder struct {
	r        *Recorder
	names    map[uint64]string
	ended    bool
	warnings []string
	// cut says why the reading stopped early, and cutSamples counts the
	// whole sample records of the frame it stopped at (a lower bound of
	// what is lost).
	cut        string
	cutSamples int64
	m          sampleUS
	bad        int // malformed records, warned about once per frame

	// Optional observers, for readers that want more than the summary
	// (per-second series, vegeta's format, merges). Each is called with a
	// record after it was decoded and replayed into r; what it is given
	// is reused afterwards and must not be kept.
	onSample    func(m *sampleUS)
	onIteration func(m *iterUS)
	onCounts    func(scenario string, late, dropped int64)
	onHealth    func(h Health)
	onLevel     func(l *CapacityLevel) // kept by the rebuilt Recorder too: do not change it
	onReason    func(scenario, op, reason string)

	// seriesOnly skips the histograms of samples and iterations (the
	// observers still see every record, and the run's end is still
	// estimated), for readers that need only the run's time span.
	seriesOnly bool
}

func (rb *rebuilder) warnf(format string, a ...any) {
	rb.warnings = append(rb.warnings, fmt.Sprintf(format, a...))
}

// cutf warns that the reading stopped early, and why.
func (rb *rebuilder) cutf(format string, a ...any) {
	rb.cut = fmt.Sprintf(format, a...)
	rb.warnings = append(rb.warnings, rb.cut)
}

// countSamples counts the whole sample records at the start of p, a frame's
// payload that is torn or fails its checksum.
func countSamples(p []byte) int64 {
	var n int64
	for len(p) > 0 {
		l, k := binary.Uvarint(p[1:])
		if k <= 0 || uint64(len(p)-1-k) < l {
			break
		}
		if p[0] == recSample {
			n++
		}
		p = p[1+k+int(l):]
	}
	return n
}

// frame replays the records of one frame that passed its checksum.
func (rb *rebuilder) frame(p []byte, off int64) error {
	for len(p) > 0 {
		typ := p[0]
		l, k := binary.Uvarint(p[1:])
		if k <= 0 || uint64(len(p)-1-k) < l {
			rb.warnf("%s: malformed record in the frame at byte %d; rest of the frame skipped", StreamFile, off)
			return nil
		}
		body := p[1+k : 1+k+int(l)]
		p = p[1+k+int(l):]
		if rb.r == nil && typ != recHeader {
			return fmt.Errorf("results: rebuild: %s does not start with a header record", StreamFile)
		}
		if err := rb.record(typ, body); err != nil {
			return err
		}
		if rb.bad > 0 {
			rb.warnf("%s: malformed %q record in the frame at byte %d skipped", StreamFile, typ, off)
			rb.bad = 0
		}
	}
	return nil
}

// record replays one record.
func (rb *rebuilder) record(typ byte, body []byte) error {
	d := &decoder{b: body, names: rb.names}
	switch typ {
	case recHeader:
		var h streamHeader
		if err := json.Unmarshal(body, &h); err != nil {
			return fmt.Errorf("results: rebuild: header: %w", err)
		}
		if h.Version > streamVersion {
			return fmt.Errorf("results: rebuild: stream version %d is newer than this loadgen reads (%d)", h.Version, streamVersion)
		}
		if rb.r != nil {
			rb.warnf("%s: second header record ignored", StreamFile)
			return nil
		}
		rb.r = newRecorder(Config{Start: h.Run.Start, Meta: h.Run, FlushInterval: time.Duration(h.FlushIntervalMS) * time.Millisecond}, 1)
		return nil
	case recName:
		id := d.u()
		if !d.failed {
			rb.names[id] = string(d.b)
		}
	case recSample:
		m := &rb.m
		m.scenario, m.op = d.name(), d.name()
		m.start, m.latency, m.service = d.i(), d.i(), d.i()
		m.class = ""
		if c := d.u(); c != 0 {
			m.class = d.lookup(c)
		}
		m.status = int(min(d.u(), math.MaxInt32))
		n := d.u()
		m.phases = m.phases[:0]
		for i := uint64(0); i < n && !d.failed; i++ {
			m.phases = append(m.phases, phaseUS{name: d.name(), start: d.i(), end: d.i()})
		}
		if !d.failed {
			if sh := rb.r.shards[0]; rb.seriesOnly {
				sh.lastEnd = max(sh.lastEnd, m.start+m.service)
			} else {
				sh.recordSample(m)
			}
			if rb.onSample != nil {
				rb.onSample(m)
			}
		}
	case recIteration:
		m := iterUS{scenario: d.name(), start: d.i(), latency: d.i(), service: d.i()}
		switch d.u() {
		case 0:
		case 2:
			m.interrupted = true
		default:
			m.failed = true
		}
		if !d.failed && !rb.seriesOnly {
			rb.r.shards[0].recordIteration(&m)
		}
		if !d.failed {
			if rb.onIteration != nil {
				rb.onIteration(&m)
			}
		}
	case recCounts:
		name, late, drp := d.name(), d.u(), d.u()
		if !d.failed {
			setCounter(&rb.r.late, name, int64(late))
			setCounter(&rb.r.dropped, name, int64(drp))
			if rb.onCounts != nil {
				rb.onCounts(name, int64(late), int64(drp))
			}
		}
	case recHealth:
		h := Health{Second: d.i(), CPUPercent: math.Float64frombits(d.u()),
			SchedLatencyP99: time.Duration(d.i()), StartLagP99: time.Duration(d.i()),
			Goroutines: int(min(d.u(), math.MaxInt32)), HeapBytes: d.u(), Saturated: d.u() != 0}
		readHealthTail(d, &h)
		if !d.failed {
			rb.r.health.add(h)
			if rb.onHealth != nil {
				rb.onHealth(h)
			}
		}
	case recCap:
		c := WorkerCap{Scenario: d.name(), MaxWorkers: int(min(d.u(), math.MaxInt32)), Budget: d.u() != 0,
			PeakRate: math.Float64frombits(d.u()), Seconds: int64(min(d.u(), math.MaxInt64))}
		if !d.failed {
			rb.r.RecordWorkerCap(c)
		}
	case recLevel:
		l, err := levelFromWire(body)
		if err != nil {
			rb.bad++
			break
		}
		rb.r.RecordCapacityLevel(l)
		if rb.onLevel != nil {
			rb.onLevel(l)
		}
	case recReason:
		scen, op, why := d.name(), d.name(), d.name()
		if !d.failed {
			rb.r.shards[0].op(scen, op).addReason(why, 1)
			if rb.onReason != nil {
				rb.onReason(scen, op, why)
			}
		}
	case recEnd:
		ns := d.i()
		if !d.failed {
			rb.r.end = time.Unix(0, ns)
			rb.ended = true
		}
	default:
		// A record type from a newer writer; its length lets us skip it.
		// recSecond is also skipped: the samples give everything it says.
	}
	if d.failed {
		rb.bad++
	}
	return nil
}

// readHealthTail reads the fields newer writers add to a T record; an
// older record leaves them not measured (NaN), its start lag measured and
// its cause unknown.
func readHealthTail(d *decoder, h *Health) {
	nan := math.NaN()
	h.ThreadCPUMaxPercent, h.CryptoCPUPercent, h.ServiceCPUPercent, h.GCCPUPercent, h.RunQueuePercent = nan, nan, nan, nan, nan
	h.ThreadRunnableMaxPercent = nan
	if len(d.b) == 0 {
		h.StartLags = 1
		return
	}
	for _, p := range []*float64{&h.ThreadCPUMaxPercent, &h.CryptoCPUPercent, &h.ServiceCPUPercent, &h.GCCPUPercent, &h.RunQueuePercent} {
		*p = math.Float64frombits(d.u())
	}
	h.StartLags = int64(min(d.u(), math.MaxInt64))
	if c := d.u(); c != 0 {
		h.Cause = d.lookup(c)
	}
	h.ThreadRunnableMaxPercent = nan
	if len(d.b) > 0 {
		h.ThreadRunnableMaxPercent = math.Float64frombits(d.u())
	}
}

// decoder reads varints from a record body; after the first failure every
// read returns zero and failed is set.
type decoder struct {
	b      []byte
	names  map[uint64]string
	failed bool
}

func (d *decoder) u() uint64 {
	if d.failed {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.failed = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) i() int64 {
	if d.failed {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.failed = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

// name reads a name id and returns its name.
func (d *decoder) name() string { return d.lookup(d.u()) }

func (d *decoder) lookup(id uint64) string {
	if d.failed {
		return ""
	}
	s, ok := d.names[id]
	if !ok {
		d.failed = true
	}
	return s
}
