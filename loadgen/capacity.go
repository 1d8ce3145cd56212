package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ironcorelabs/loadgen/results"
)

// CapacitySearch configures the capacity executor, an open executor that
// looks for the highest arrival rate the target sustains within an SLO.
//
// It offers Executor.Rate for Step, then Factor times that, and so on up
// to MaxRate, each rate a level. After each level it judges the SLO on
// that level's own samples (latency from the intended start, as for every
// open executor). Once a level fails, it bisects between the highest rate
// that passed and the lowest that failed until they are within Precision
// of each other. A level the generator could not drive (its worker cap
// bound, iterations were dropped, or the generator was saturated) is
// neither a pass nor the target's failure: it bounds the search from above
// and the verdict names the generator. An Abort rule that holds on a
// level's samples so far ends the search at once. Between levels the
// target rests for Cooldown; Executor.Duration, when set, bounds the whole
// search (max_duration).
//
// The workers of all levels are one pool (Executor.Workers pre-allocated,
// at most OpenWorkers' maximum, sized for MaxRate), so per-worker state
// lives across levels.
type CapacitySearch struct {
	Factor    float64       // > 1; 0 = DefaultCapacityFactor
	Step      time.Duration // how long each level offers its rate
	MaxRate   float64       // the highest rate offered, iterations/s
	Precision float64       // in (0, 1); 0 = DefaultCapacityPrecision
	Cooldown  time.Duration // rest between levels
	// SLO rules a level must meet: keys are a step's name or "*" (all
	// the scenario's ops together). Abort rules end the search when one
	// holds.
	SLO, Abort []results.Rule
}

// LevelSink is a Sink that keeps capacity levels (results.Recorder does).
// A capacity search hands each finished level to its Sink if the Sink is a
// LevelSink.
type LevelSink interface {
	RecordCapacityLevel(l *results.CapacityLevel)
}

// capacityMinIterations is the fewest iterations a level must offer: the
// search does not bisect below the rate that gives them in one step.
const capacityMinIterations = 10

// validate reports what is wrong with a capacity search starting at rate.
func (c *CapacitySearch) validate(rate float64) error {
	if c == nil {
		return errors.New("capacity: no search configured")
	}
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	bad := func(r float64) bool { return !(r > 0) || math.IsInf(r, 0) }
	if bad(rate) {
		add("rate %v: must be a finite number > 0", rate)
	}
	if bad(c.MaxRate) || c.MaxRate < rate {
		add("max_rate %v: must be a finite number >= rate %v", c.MaxRate, rate)
	}
	if c.Step <= 0 {
		add("step %v: must be > 0", c.Step)
	}
	if c.Factor != 0 && (!(c.Factor > 1) || math.IsInf(c.Factor, 0)) {
		add("factor %v: must be a finite number > 1", c.Factor)
	}
	if c.Precision != 0 && !(c.Precision > 0 && c.Precision < 1) {
		add("precision %v: must be between 0 and 1 (5%% = 0.05)", c.Precision)
	}
	if c.Cooldown < 0 {
		add("cooldown %v: must be >= 0", c.Cooldown)
	}
	if len(c.SLO) == 0 {
		add("slo: at least one rule is required, such as p(99) < 100ms")
	}
	return errors.Join(errs...)
}

// levelOutcome is how a level went.
type levelOutcome int

const (
	levelPass levelOutcome = iota
	levelFail
	levelLimited // the generator could not drive it
)

// search is the rate-choosing state of a capacity search: geometric growth
// until a level fails or is limited, then bisection between the highest
// pass and the lowest failure (or limit).
type search struct {
	factor, maxRate, precision, minRate float64
	pass, fail, limit                   float64 // fail and limit +Inf until seen
}

func newSearch(c *CapacitySearch) *search {
	s := &search{factor: c.Factor, maxRate: c.MaxRate, precision: c.Precision,
		minRate: capacityMinIterations / c.Step.Seconds(), fail: math.Inf(1), limit: math.Inf(1)}
	if s.factor == 0 {
		s.factor = DefaultCapacityFactor
	}
	if s.precision == 0 {
		s.precision = DefaultCapacityPrecision
	}
	return s
}

// next records how the level at rate went and returns the next rate to
// try, or false when the search is over.
func (s *search) next(rate float64, o levelOutcome) (float64, bool) {
	switch o {
	case levelPass:
		s.pass = max(s.pass, rate)
	case levelFail:
		s.fail = min(s.fail, rate)
	case levelLimited:
		s.limit = min(s.limit, rate)
	}
	upper := min(s.fail, s.limit)
	if math.IsInf(upper, 1) {
		if rate >= s.maxRate {
			return 0, false
		}
		return min(rate*s.factor, s.maxRate), true
	}
	if upper <= s.pass || upper-s.pass <= s.precision*upper {
		return 0, false
	}
	n := (s.pass + upper) / 2
	if n < s.minRate {
		return 0, false
	}
	return n, true
}

// levelSink passes everything on to the scenario's Sink and also feeds
// the current level's statistics.
type levelSink struct {
	Sink
	cur atomic.Pointer[results.LevelStats]
}

func (s *levelSink) RecordSample(x *results.Sample) {
	if l := s.cur.Load(); l != nil {
		l.AddSample(x)
	}
	s.Sink.RecordSample(x)
}

func (s *levelSink) RecordIteration(it *results.Iteration) {
	if l := s.cur.Load(); l != nil {
		l.AddIteration(it)
	}
	s.Sink.RecordIteration(it)
}

// noteHealth counts, for capacity searches, the seconds the generator was
// saturated, but for those the embedded service caused: a target that
// shares loadgen's process and uses its CPU is at its own capacity on
// this machine, which is what the search measures.
func noteHealth(runs []*scenarioRun, h results.Health) {
	if !h.Saturated || h.Cause == results.CauseService {
		return
	}
	cause := h.Cause
	for _, r := range runs {
		if r.exec.Kind == Capacity {
			r.saturated.Add(1)
			r.satCause.Store(&cause)
		}
	}
}

// runCapacity runs a capacity search: level after level on one dispatcher
// and one pool of workers, until the search is over, the scenario ends
// (max_duration, a stop) or ctx is done.
func (r *scenarioRun) runCapacity(ctx context.Context) {
	c := r.exec.Capacity
	sink := &levelSink{Sink: r.sink}
	r.sink = sink // before any worker starts
	keep, _ := sink.Sink.(LevelSink)
	d := r.newDispatcher(ctx)
	defer d.close()
	d.level, d.stop = true, r.ending

	s := newSearch(c)
	rate := r.exec.Rate
	for {
		lv, out, over := r.runLevel(ctx, d, sink, rate)
		if keep != nil {
			keep.RecordCapacityLevel(lv)
		}
		if over {
			return
		}
		next, ok := s.next(rate, out)
		if !ok || !r.rest(ctx, c.Cooldown) {
			return
		}
		rate = next
	}
}

// rest waits for d and reports false if the scenario ended or ctx was done
// first.
func (r *scenarioRun) rest(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return !r.ended() && ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.ending:
	case <-ctx.Done():
	}
	return false
}

// runLevel offers rate for one step, waits for the level's iterations to
// end, and judges it. over reports that the search must end (an abort
// rule held, or the level was cut short).
func (r *scenarioRun) runLevel(ctx context.Context, d *dispatcher, sink *levelSink, rate float64) (lv *results.CapacityLevel, out levelOutcome, over bool) {
	c := r.exec.Capacity
	start := time.Now()
	lv = &results.CapacityLevel{
		Scenario: r.sc.Name, Rate: rate, Start: start.Sub(r.runStart), Step: c.Step,
		Stats: results.NewLevelStats(start.Add(c.Step).Sub(r.runStart)),
		Spec:  results.CapacitySpec{SLO: c.SLO, Abort: c.Abort, Precision: c.Precision, MaxRate: c.MaxRate},
	}
	if lv.Spec.Precision == 0 {
		lv.Spec.Precision = DefaultCapacityPrecision
	}
	capped0, dropped0, sat0 := r.capped.Load(), r.dropped.Load(), r.saturated.Load()
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sink.cur.Store(lv.Stats)
	defer sink.cur.Store(nil)

	// Abort rules are checked on the level's samples so far, ten times a
	// step (at most once a second), and once more at its end.
	var abortedBy atomic.Pointer[string]
	check := func() bool {
		if why := lv.Stats.Breached(c.Abort, c.Step.Seconds()); why != "" {
			abortedBy.CompareAndSwap(nil, &why)
			cancel()
			return true
		}
		return false
	}
	var watch sync.WaitGroup
	if len(c.Abort) > 0 {
		watch.Go(func() {
			t := time.NewTicker(min(max(c.Step/10, 100*time.Millisecond), time.Second))
			defer t.Stop()
			for {
				select {
				case <-t.C:
					if check() {
						return
					}
				case <-lctx.Done():
					return
				}
			}
		})
	}

	d.ctx, d.sched, d.start = lctx, ConstantSchedule(rate, c.Step), start
	d.loop()
	full := d.sleepUntil(start.Add(c.Step)) && lctx.Err() == nil
	r.drain(d, cancel)
	cancel()
	watch.Wait()
	if len(c.Abort) > 0 {
		check()
	}
	lv.End = time.Since(r.runStart)

	lv.Limited = r.levelLimits(lv, d.spawned, capped0, dropped0, sat0, abortedBy.Load() == nil && full)
	switch why := abortedBy.Load(); {
	case why != nil:
		lv.Cut = "abort: " + *why
		return lv, levelFail, true
	case isClosed(r.halted):
		lv.Cut = "stopped"
	case r.exec.Duration > 0 && !time.Now().Before(r.start.Add(r.exec.Duration)):
		lv.Cut = "max_duration"
	case ctx.Err() != nil:
		lv.Cut = "canceled"
	case !full || r.ended():
		lv.Cut = "ended early"
	}
	if lv.Cut != "" {
		return lv, levelFail, true
	}
	if lv.Limited != "" {
		return lv, levelLimited, false
	}
	if pass, _ := lv.Stats.Judge(c.SLO, c.Step.Seconds()); pass {
		return lv, levelPass, false
	}
	return lv, levelFail, false
}

// levelLimits says why the generator could not drive a level, or "":
// the worker cap bound, iterations were dropped (but for those an abort
// or a stop dropped: counted is false then), or the generator was
// saturated in at least half the level's seconds (one busy second, a
// neighbour's burst, does not make a level the generator's). The *0
// arguments are the counters at the level's start.
func (r *scenarioRun) levelLimits(lv *results.CapacityLevel, workers int, capped0, dropped0, sat0 int64, counted bool) string {
	var why string
	if n := r.capped.Load() - capped0; n > 0 {
		why = fmt.Sprintf("every one of its %d workers busy in %d s (max_workers)", workers, n)
	}
	if n := r.dropped.Load() - dropped0; n > 0 && counted {
		why = joinReason(why, fmt.Sprintf("%d iterations dropped", n))
	}
	secs := max(1, int64(math.Round((lv.End - lv.Start).Seconds())))
	if n := r.saturated.Load() - sat0; n > 0 && 2*n >= secs {
		cause := results.CauseUnknown
		if p := r.satCause.Load(); p != nil {
			cause = *p
		}
		why = joinReason(why, fmt.Sprintf("generator saturated %d s (%s)", n, cause))
	}
	return why
}

// drain waits until every worker is idle: the level's iterations have all
// ended. Those still running the scenario's GracefulStop (or
// DefaultCapacityDrain) after the step are canceled (cancel), and waited
// for.
func (r *scenarioRun) drain(d *dispatcher, cancel context.CancelFunc) {
	limit := r.sc.GracefulStop
	if limit <= 0 {
		limit = DefaultCapacityDrain
	}
	t := time.NewTimer(limit)
	defer t.Stop()
	for d.idle.Load() < int64(d.spawned) {
		select {
		case <-d.freed:
		case <-t.C:
			cancel()
		}
	}
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
