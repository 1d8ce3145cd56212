package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// SummarySchema is the schema number of summary.json.
const SummarySchema = 1

// MaxSummarySize is the largest summary.json read back (histograms of a few
// hundred ops take a few MiB).
const MaxSummarySize = 256 << 20

// Summary is summary.json: the run, the generator's health, and per
// scenario and per (scenario, op) figures. Times are float milliseconds.
//
// A Summary from Recorder.Summary or Rebuild also holds the merged
// histograms Evaluate needs; one decoded from JSON does not.
type Summary struct {
	Schema     int               `json:"schema"`
	Run        RunMeta           `json:"run"`
	Generator  Generator         `json:"generator"`
	Scenarios  []ScenarioSummary `json:"scenarios"`
	Ops        []OpSummary       `json:"ops"`
	Thresholds []ThresholdResult `json:"thresholds"`
	// StreamLoss, when set, says that the sample stream lacks samples of
	// this run, how many and why: `loadgen report` would rebuild less.
	StreamLoss *StreamLoss `json:"stream_loss,omitempty"`

	data    *snapshot
	rebuilt bool // made by Rebuild, from the stream
	// series, when set (a merge), are the per-second series WriteFiles
	// draws in report.html; otherwise it reads them from the folder's
	// stream.
	series *Series
}

// StreamLoss is what the sample stream lacks.
type StreamLoss struct {
	// Samples is how many samples are missing; with AtLeast, a lower
	// bound (a torn frame held them; what came after it is unknown).
	Samples int64 `json:"samples"`
	AtLeast bool  `json:"at_least,omitempty"`
	// Reason says why, as far as it is known.
	Reason string `json:"reason"`
}

// ScenarioSummary is one scenario's iterations. IterationMS is the
// iterations' own duration (actual start to end).
type ScenarioSummary struct {
	Name       string `json:"name"`
	Iterations int64  `json:"iterations"`
	// Interrupted counts the iterations loadgen's own stop cut off (a
	// second SIGINT, the end of graceful_stop): not in Iterations.
	Interrupted int64 `json:"interrupted,omitempty"`
	Late        int64 `json:"late"`
	Dropped     int64 `json:"dropped"`
	IterationMS Stats `json:"iteration_ms"`
	// MaxWorkersReachedS counts the seconds in which an iteration of an
	// open scenario was due while every worker it may have was busy: it
	// queued behind loadgen's own cap, not the target. When it is not 0,
	// MaxWorkers is that cap (MaxWorkersBudget: what target.max_workers
	// left the scenario) and PeakRatePerS the scenario's peak rate.
	MaxWorkersReachedS int64   `json:"max_workers_reached_s"`
	MaxWorkers         int     `json:"max_workers,omitempty"`
	MaxWorkersBudget   bool    `json:"max_workers_budget,omitempty"`
	PeakRatePerS       float64 `json:"peak_rate_per_s,omitempty"`
	// Capacity is the scenario's capacity search (capacity executor).
	Capacity *CapacitySummary `json:"capacity,omitempty"`
	// Failed counts iterations with a failed step; not in summary.json.
	Failed int64 `json:"-"`
}

// OpSummary is one (scenario, op). LatencyMS is from the intended start
// (open executors) and ServiceTimeMS from the actual start. UnaccountedMS
// and OverlapMS are set only for ops that reported phases. Histogram is the
// latency histogram (µs) in the HdrHistogram V2 compressed encoding, base64.
type OpSummary struct {
	Scenario     string           `json:"scenario"`
	Op           string           `json:"op"`
	Count        int64            `json:"count"`
	OK           int64            `json:"ok"`
	Errors       int64            `json:"errors"`
	ErrorClasses map[string]int64 `json:"error_classes"`
	// Interrupted counts the op's samples cut off by loadgen's own stop
	// (class canceled: a second SIGINT, the end of graceful_stop). They
	// are not the target's: not in Count, Errors or the latencies.
	Interrupted    int64          `json:"interrupted,omitempty"`
	ThroughputPerS float64        `json:"throughput_per_s"`
	LatencyMS      Stats          `json:"latency_ms"`
	ServiceTimeMS  Stats          `json:"service_time_ms"`
	Phases         []PhaseSummary `json:"phases"`
	UnaccountedMS  *Stats         `json:"unaccounted_ms,omitempty"`
	OverlapMS      *Stats         `json:"overlap_ms,omitempty"`
	Histogram      string         `json:"histogram"`
	// ErrorReasons counts the errors of classes other and workload by
	// their short reason (HTTP status and message): the 8 most frequent,
	// the rest under "(further reasons)".
	ErrorReasons map[string]int64 `json:"error_reasons,omitempty"`

	// Not in summary.json: final HTTP status counts; the shares of service
	// time that were unaccounted and overlapped; values outside the
	// histogram range (clamped).
	Statuses         map[int]int64 `json:"-"`
	UnaccountedShare float64       `json:"-"`
	OverlapShare     float64       `json:"-"`
	OutOfRange       int64         `json:"-"`
	// PhasedCount, not in summary.json, is how many samples reported
	// phases: those UnaccountedMS and OverlapMS are computed from.
	PhasedCount int64 `json:"-"`
}

// PhaseSummary is one phase of an op. Share (not in summary.json) is the
// phase's total time over the op's total service time; phases may overlap,
// so shares may add up to more than 1.
type PhaseSummary struct {
	Name      string  `json:"name"`
	Count     int64   `json:"count"`
	LatencyMS Stats   `json:"latency_ms"`
	Share     float64 `json:"-"`
}

// snapshot is the shards merged.
type snapshot struct {
	ops       map[opKey]*opRec
	scens     map[string]*scenRec
	durationS float64
}

// snapshot merges the shards.
func (r *Recorder) snapshot() *snapshot {
	s := &snapshot{ops: make(map[opKey]*opRec), scens: make(map[string]*scenRec)}
	for _, sh := range r.shards {
		sh.mu.Lock()
		for k, o := range sh.ops {
			m := s.ops[k]
			if m == nil {
				m = newOpRec()
				s.ops[k] = m
			}
			m.merge(o)
		}
		for k, sc := range sh.scens {
			m := s.scens[k]
			if m == nil {
				m = &scenRec{iter: newStat()}
				s.scens[k] = m
			}
			m.iter.merge(sc.iter)
			m.failed += sc.failed
			m.interrupted += sc.interrupted
		}
		sh.mu.Unlock()
	}
	return s
}

// Summary returns the figures so far. It may be called during the run (the
// end is then now) and after it; it merges the shards, taking each shard's
// lock in turn.
func (r *Recorder) Summary() *Summary {
	snap := r.snapshot()
	run := r.runMeta
	run.End = r.endTime()
	// Wall clock on both ends, so a rebuilt summary (whose times come from
	// the stream, without monotonic readings) computes the same duration.
	run.DurationS = max(run.End.Round(0).Sub(run.Start.Round(0)).Seconds(), 0)
	snap.durationS = run.DurationS
	r.healthMu.Lock()
	gen := r.health.generator()
	caps := make(map[string]WorkerCap, len(r.caps))
	for k, c := range r.caps {
		caps[k] = c
	}

	s := &Summary{Schema: SummarySchema, Run: run, Generator: gen,
		Scenarios: []ScenarioSummary{}, Ops: []OpSummary{}, Thresholds: []ThresholdResult{}, data: snap}

	names := make(map[string]bool)
	for k := range snap.scens {
		names[k] = true
	}
	for k := range snap.ops {
		names[k.scenario] = true
	}
	for _, m := range []*sync.Map{&r.late, &r.dropped} {
		m.Range(func(k, _ any) bool {
			names[k.(string)] = true
			return true
		})
	}
	for k := range caps {
		names[k] = true
	}
	levels := levelsByScenario(r.levels)
	r.healthMu.Unlock()
	for k := range levels {
		names[k] = true
	}
	for _, name := range sortedKeys(names) {
		sc := ScenarioSummary{Name: name, Late: counter(&r.late, name).Load(), Dropped: counter(&r.dropped, name).Load()}
		if c, ok := caps[name]; ok {
			sc.MaxWorkersReachedS, sc.MaxWorkers, sc.MaxWorkersBudget, sc.PeakRatePerS = c.Seconds, c.MaxWorkers, c.Budget, c.PeakRate
		}
		if rec := snap.scens[name]; rec != nil {
			sc.Iterations, sc.Failed, sc.IterationMS = rec.iter.n, rec.failed, rec.iter.stats()
			sc.Interrupted = rec.interrupted
		}
		sc.Capacity = capacitySummary(levels[name])
		s.Scenarios = append(s.Scenarios, sc)
	}

	keys := sortedOpKeys(snap.ops)
	var count int64
	for _, k := range keys {
		s.Ops = append(s.Ops, opSummary(k, snap.ops[k], run.DurationS))
		count += s.Ops[len(s.Ops)-1].Count + s.Ops[len(s.Ops)-1].Interrupted
	}
	if p := r.streamErr.Load(); p != nil {
		s.StreamLoss = &StreamLoss{Samples: count - r.streamed.Load(), Reason: (*p).Error()}
	}
	return s
}

// opSummary turns one merged opRec into its summary.
func opSummary(k opKey, o *opRec, durationS float64) OpSummary {
	n := o.latency.n
	s := OpSummary{
		Scenario: k.scenario, Op: k.op, Count: n, OK: n - o.errors, Errors: o.errors,
		ErrorClasses: make(map[string]int64, len(o.classes)), Statuses: make(map[int]int64, len(o.statuses)),
		LatencyMS: o.latency.stats(), ServiceTimeMS: o.service.stats(), Phases: []PhaseSummary{},
		OutOfRange: o.latency.clamped + o.service.clamped, Interrupted: o.interrupted,
	}
	if durationS > 0 {
		s.ThroughputPerS = float64(n) / durationS
	}
	for c, v := range o.classes {
		s.ErrorClasses[c] = v
	}
	for c, v := range o.statuses {
		s.Statuses[c] = v
	}
	s.ErrorReasons = topReasons(o.reasons)
	if h, err := o.latency.encode(); err == nil {
		s.Histogram = h
	}
	total := float64(o.service.sum)
	share := func(st *stat) float64 {
		if total == 0 {
			return 0
		}
		return float64(st.sum) / total
	}
	for _, name := range sortedKeys(o.phases) {
		p := o.phases[name]
		s.Phases = append(s.Phases, PhaseSummary{Name: name, Count: p.n, LatencyMS: p.stats(), Share: share(p)})
		s.OutOfRange += p.clamped
	}
	if o.unaccounted != nil {
		u, v := o.unaccounted.stats(), o.overlap.stats()
		s.UnaccountedMS, s.OverlapMS = &u, &v
		s.PhasedCount = o.unaccounted.n
		s.UnaccountedShare, s.OverlapShare = share(o.unaccounted), share(o.overlap)
	}
	return s
}

// sortedOpKeys returns m's keys by scenario, then op.
func sortedOpKeys[V any](m map[opKey]V) []opKey {
	keys := make([]opKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].scenario != keys[j].scenario {
			return keys[i].scenario < keys[j].scenario
		}
		return keys[i].op < keys[j].op
	})
	return keys
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// WriteFiles writes summary.json, report.txt, report.html (HTMLFile) and
// phases.folded (FoldedFile) into dir, each through a temporary file renamed
// into place. report.html draws the per-second series of a merge (Merge),
// else those of the sample stream in dir if there is one (ReadSeries; a
// stream that cannot be read leaves the charts over time empty).
func (s *Summary) WriteFiles(dir string) error {
	js, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encoding summary.json: %w", err)
	}
	var txt bytes.Buffer
	if err := s.Text(&txt); err != nil {
		return fmt.Errorf("results: report.txt: %w", err)
	}
	series := s.series
	if series == nil {
		series, _, _ = ReadSeries(dir)
	}
	var html, folded bytes.Buffer
	if err := s.WriteHTML(&html, series); err != nil {
		return err
	}
	if err := s.WriteFolded(&folded); err != nil {
		return err
	}
	return errors.Join(
		writeFile(filepath.Join(dir, "summary.json"), append(js, '\n')),
		writeFile(filepath.Join(dir, "report.txt"), txt.Bytes()),
		writeFile(filepath.Join(dir, HTMLFile), html.Bytes()),
		writeFile(filepath.Join(dir, FoldedFile), folded.Bytes()),
	)
}

// writeFile writes data to path through a temporary file in the same
// folder, which a failure (a full disk) removes again.
func writeFile(path string, data []byte) error {
	tmp := fmt.Sprintf("%s.tmp%d", path, time.Now().UnixNano())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp) // written in part, or not at all
		return fmt.Errorf("results: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(fmt.Errorf("results: %w", err), os.Remove(tmp))
	}
	return nil
}
