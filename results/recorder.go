package results

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultFlushInterval is the stream flush interval when Config.FlushInterval
// is zero; it is also the largest allowed.
const DefaultFlushInterval = time.Second

// Host describes the machine that ran the load generator.
type Host struct {
	CPU        string `json:"cpu"` // CPU model
	GOMAXPROCS int    `json:"gomaxprocs"`
	Kernel     string `json:"kernel"`
}

// RunMeta is the "run" object of summary.json. The Recorder fills Start, End
// and DurationS; the caller fills the rest.
type RunMeta struct {
	// ID tells runs apart: NewRecorder draws a random one when the caller
	// gives none. Merge refuses a run given twice by it.
	ID        string    `json:"id,omitempty"`
	Name      string    `json:"name"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	DurationS float64   `json:"duration_s"`
	// Shard is "index/count" when the workload is split over several
	// generators (Kubernetes Indexed Job), "" otherwise.
	Shard          string `json:"shard"`
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	WorkloadSHA256 string `json:"workload_sha256"`
	// WorkloadCopySHA256 is the SHA-256 of the run folder's workload.yaml
	// when it differs from the workload run (secrets masked in the copy).
	WorkloadCopySHA256 string `json:"workload_copy_sha256,omitempty"`
	Seed               int64  `json:"seed"`
	// Target is the target's base URL. It must not carry credentials.
	Target string `json:"target"`
	Host   Host   `json:"host"`
}

// Config configures a Recorder.
type Config struct {
	// Dir is the run folder; the sample stream is written to Dir/StreamFile.
	// Empty means memory only: no stream.
	Dir string
	// Start is the wall time of the run's start (with its monotonic
	// reading, as time.Now gives it). Sample offsets are relative to it.
	// Zero means the time NewRecorder is called.
	Start time.Time
	// Meta describes the run; it heads the stream and summary.json.
	Meta RunMeta
	// FlushInterval is how often the stream is written out and per-second
	// figures roll over; 0 means DefaultFlushInterval, larger values are
	// lowered to it.
	FlushInterval time.Duration
	// OnStreamError, if set, is called once, from the Recorder's
	// goroutine, when writing the stream first fails (a full disk, a
	// removed folder): the run goes on in memory, and its Summary says
	// how many samples the stream lacks.
	OnStreamError func(error)
}

// Recorder aggregates what the engine measures. It implements the engine's
// Sink: RecordSample, RecordIteration, AddLate, AddDropped and RecordHealth
// may be called from many goroutines at once and never block on I/O; they
// take one shard's mutex (the worker's, or another if that one is held)
// and no global lock.
//
// A Recorder owns one background goroutine, which rolls the per-second
// figures and writes the stream; Close stops it. Summary and Progress may be
// called at any time, also after Close.
type Recorder struct {
	start    time.Time
	runMeta  RunMeta
	interval time.Duration
	shards   []*shard

	// streaming is true while samples are encoded for the stream.
	streaming atomic.Bool

	// metaMu guards names and meta: stream name ids and the records that
	// are not per shard (names, health, end).
	metaMu sync.Mutex
	names  map[string]uint64
	meta   []byte

	late, dropped sync.Map // scenario → *atomic.Int64

	healthMu sync.Mutex
	health   healthAgg
	caps     map[string]WorkerCap // by scenario; guarded by healthMu
	levels   []*CapacityLevel     // capacity searches' levels; guarded by healthMu
	// lastLevel is the last level judged, for Progress; guarded by healthMu.
	lastLevel string

	endMu sync.Mutex
	end   time.Time
	// estimateEnd is set for rebuilt runs without an end record: the end is
	// the last moment the stream shows.
	estimateEnd bool

	rate atomic.Uint64 // math.Float64bits of iterations/s over the last second

	// live, once a dashboard asked for it, keeps the run second by second.
	live atomic.Pointer[live]

	// streamed counts the samples written to the stream; once a write
	// fails, streamErr is set and nothing more is streamed.
	streamed      atomic.Int64
	streamErr     atomic.Pointer[error]
	onStreamError func(error)

	w         *writer // nil when memory only or rebuilding
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// NewRecorder returns a Recorder and starts its background goroutine. With
// cfg.Dir set it creates Dir (if needed) and Dir/StreamFile, writes the
// stream header and fails if it cannot.
func NewRecorder(cfg Config) (*Recorder, error) {
	if cfg.Meta.ID == "" {
		cfg.Meta.ID = newRunID()
	}
	r := newRecorder(cfg, runtime.GOMAXPROCS(0))
	if cfg.Dir != "" {
		if err := r.openStream(cfg.Dir); err != nil {
			return nil, err
		}
	}
	go r.run()
	return r, nil
}

// newRunID returns a random run id, 16 hex digits.
func newRunID() string {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// openStream creates dir and the stream file in it and writes the header.
func (r *Recorder) openStream(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results: run folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, StreamFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("results: sample stream: %w", err)
	}
	w, err := newWriter(f, r.header())
	if err != nil {
		return errors.Join(err, f.Close())
	}
	r.w = w
	r.streaming.Store(true)
	return nil
}

// newRecorder returns a Recorder with n shards and no goroutine.
func newRecorder(cfg Config, n int) *Recorder {
	if n < 1 {
		n = 1
	}
	start := cfg.Start
	if start.IsZero() {
		start = time.Now()
	}
	run := cfg.Meta
	run.Start = start
	interval := cfg.FlushInterval
	if interval <= 0 || interval > DefaultFlushInterval {
		interval = DefaultFlushInterval
	}
	r := &Recorder{
		start:    start,
		runMeta:  run,
		interval: interval,
		shards:   make([]*shard, n),
		names:    make(map[string]uint64),
		caps:     make(map[string]WorkerCap),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),

		onStreamError: cfg.OnStreamError,
	}
	for i := range r.shards {
		r.shards[i] = newShard()
	}
	return r
}

// lockShard locks and returns a shard for worker: the worker's own if it
// is free, else the first other shard that is free, else the worker's own
// once it frees. A sample may go to any shard (shards are merged when read,
// and stream records carry their own times), so a worker need not wait
// behind another that holds its shard, or that the OS preempted holding it.
func (r *Recorder) lockShard(worker int) *shard {
	if worker < 0 {
		worker = -worker
	}
	n := len(r.shards)
	i := worker % n
	sh := r.shards[i]
	if sh.mu.TryLock() {
		return sh
	}
	for k := 1; k < n; k++ {
		if o := r.shards[(i+k)%n]; o.mu.TryLock() {
			return o
		}
	}
	sh.mu.Lock()
	return sh
}

// RecordSample records one finished op. s is not kept: the caller may reuse
// it (and its Phases) when RecordSample returns. An error sample without a
// Class is classified with Classify.
func (r *Recorder) RecordSample(s *Sample) {
	class := s.Class
	if class == "" && s.Err != nil {
		class = Classify(s.Err)
	}
	sh := r.lockShard(s.Worker)
	m := &sh.tmp
	m.scenario, m.op, m.class, m.status = s.Scenario, s.Op, class, s.Status
	m.reason = ""
	if keepsReason(class) {
		m.reason = reason(s.Status, s.Err)
	}
	m.start, m.latency, m.service = s.Start.Microseconds(), s.Latency.Microseconds(), s.ServiceTime.Microseconds()
	m.phases = m.phases[:0]
	for _, p := range s.Phases {
		m.phases = append(m.phases, phaseUS{name: p.Name, start: p.Start.Microseconds(), end: p.End.Microseconds()})
	}
	sh.recordSample(m)
	if r.streaming.Load() {
		sh.encodeSample(r, m)
	}
	sh.mu.Unlock()
}

// RecordIteration records one finished iteration; it is not kept.
func (r *Recorder) RecordIteration(it *Iteration) {
	sh := r.lockShard(it.Worker)
	m := iterUS{scenario: it.Scenario, start: it.Start.Microseconds(), latency: it.Latency.Microseconds(),
		service: it.ServiceTime.Microseconds(), failed: it.Failed, interrupted: it.Interrupted}
	sh.recordIteration(&m)
	if r.streaming.Load() {
		sh.encodeIteration(r, &m)
	}
	sh.mu.Unlock()
}

// AddLate adds n iterations of scenario that started after their intended
// time.
func (r *Recorder) AddLate(scenario string, n int64) { counter(&r.late, scenario).Add(n) }

// AddDropped adds n iterations of scenario that were dropped for being later
// than the scenario's max_lateness.
func (r *Recorder) AddDropped(scenario string, n int64) { counter(&r.dropped, scenario).Add(n) }

// counter returns m's counter for key, creating it.
func counter(m *sync.Map, key string) *atomic.Int64 {
	if c, ok := m.Load(key); ok {
		return c.(*atomic.Int64)
	}
	c, _ := m.LoadOrStore(key, new(atomic.Int64))
	return c.(*atomic.Int64)
}

// setCounter sets m's counter for key to v (rebuilding from the stream).
func setCounter(m *sync.Map, key string, v int64) { counter(m, key).Store(v) }

// RecordHealth records the generator's health over one second.
func (r *Recorder) RecordHealth(h Health) {
	r.healthMu.Lock()
	r.health.add(h)
	r.healthMu.Unlock()
	if l := r.live.Load(); l != nil {
		l.addHealth(h)
	}
	if r.streaming.Load() {
		var cause uint64
		if h.Cause != "" {
			cause = r.nameID(h.Cause)
		}
		r.metaMu.Lock()
		r.meta = appendHealth(r.meta, h, cause)
		r.metaMu.Unlock()
	}
}

// RecordWorkerCap records that an open scenario's worker cap bound; the
// record with the most seconds counts.
func (r *Recorder) RecordWorkerCap(c WorkerCap) {
	r.healthMu.Lock()
	if c.Seconds >= r.caps[c.Scenario].Seconds {
		r.caps[c.Scenario] = c
	}
	r.healthMu.Unlock()
	if r.streaming.Load() {
		id := r.nameID(c.Scenario)
		r.metaMu.Lock()
		r.meta = appendWorkerCap(r.meta, id, c)
		r.metaMu.Unlock()
	}
}

// SetEnd records the wall time the run ended; Close uses the current time if
// SetEnd was not called.
func (r *Recorder) SetEnd(t time.Time) {
	r.endMu.Lock()
	r.end = t
	r.endMu.Unlock()
	if r.streaming.Load() {
		r.metaMu.Lock()
		r.meta = appendEnd(r.meta, t)
		r.metaMu.Unlock()
	}
}

// streamFailed stops streaming after the writer's first error and tells
// the OnStreamError callback. It runs on the Recorder's goroutine.
func (r *Recorder) streamFailed() {
	if r.streamErr.Load() != nil {
		return
	}
	err := r.w.err
	r.streamErr.Store(&err)
	r.streaming.Store(false)
	if r.onStreamError != nil {
		r.onStreamError(err)
	}
}

// endTime returns the run's end: the time SetEnd gave, else (rebuilt runs)
// the last moment the stream shows, else now.
func (r *Recorder) endTime() time.Time {
	r.endMu.Lock()
	end := r.end
	r.endMu.Unlock()
	if !end.IsZero() {
		return end
	}
	if r.estimateEnd {
		var last int64
		for _, sh := range r.shards {
			sh.mu.Lock()
			last = max(last, sh.lastEnd)
			sh.mu.Unlock()
		}
		r.healthMu.Lock()
		if r.health.n > 0 {
			last = max(last, (r.health.lastSecond+1)*int64(time.Second/time.Microsecond))
		}
		r.healthMu.Unlock()
		return r.start.Add(time.Duration(last) * time.Microsecond)
	}
	return time.Now()
}

// Close writes the end record, flushes the stream, stops the background
// goroutine and closes the stream file. It returns the first error met
// writing the stream. Close is idempotent; later calls return the same
// error. Samples recorded after Close still count in Summary but are not
// streamed.
func (r *Recorder) Close() error {
	r.closeOnce.Do(func() {
		r.endMu.Lock()
		ended := !r.end.IsZero()
		r.endMu.Unlock()
		if !ended {
			r.SetEnd(time.Now())
		}
		close(r.stop)
		<-r.done
		if r.w != nil {
			r.streaming.Store(false)
			r.closeErr = r.w.close()
		}
	})
	return r.closeErr
}

// name returns the stream id of s, appending its definition to the meta
// buffer the first time.
func (r *Recorder) nameID(s string) uint64 {
	r.metaMu.Lock()
	id, ok := r.names[s]
	if !ok {
		id = uint64(len(r.names) + 1)
		r.names[s] = id
		r.meta = appendName(r.meta, id, s)
	}
	r.metaMu.Unlock()
	return id
}
