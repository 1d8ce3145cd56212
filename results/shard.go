package results

import (
	"strings"
	"sync"
	"sync/atomic"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// phaseUS is a phase in integer microseconds from the op's start.
type phaseUS struct {
	name       string
	start, end int64
}

// sampleUS is a Sample in integer microseconds with its class resolved: the
// form both the Recorder and Rebuild record, so both agree exactly.
type sampleUS struct {
	scenario, op, class     string
	reason                  string // of class other or workload; "" else
	status                  int
	start, latency, service int64
	phases                  []phaseUS
}

// iterUS is an Iteration in integer microseconds.
type iterUS struct {
	scenario                string
	start, latency, service int64
	failed, interrupted     bool
}

// opKey names one (scenario, op).
type opKey struct{ scenario, op string }

// opRec is what one shard (or a merge of shards) knows of one (scenario, op).
type opRec struct {
	latency, service *stat
	// unaccounted and overlap are nil until a sample with phases arrives.
	unaccounted, overlap *stat
	phases               map[string]*stat
	errors               int64
	interrupted          int64 // samples of ClassCanceled: not measured (see recordSample)
	classes              map[string]int64
	statuses             map[int]int64
	reasons              map[string]int64 // of errors whose class keepsReason

	// The current second: count, errors and latency at 2 significant
	// digits; the writer reads and resets them every second.
	secN, secErr int64
	sec          *hdrhistogram.PackedHistogram

	// Stream name ids of the scenario and op, 0 until first encoded.
	scenID, opID uint64

	// slots index the first maxPhaseSlots phases for the hot path: a scan
	// comparing names (mostly the very strings the op reported last time)
	// is cheaper than hashing each name, twice, per sample.
	slots []phaseSlot
}

// maxPhaseSlots bounds opRec.slots; further phases go through the map.
const maxPhaseSlots = 16

// phaseSlot is one phase of an opRec: its stat and stream name id (0 until
// first encoded).
type phaseSlot struct {
	name string
	st   *stat
	id   uint64
}

// phase returns the slot of the named phase, creating its stat, or nil if
// the op has more than maxPhaseSlots phases and this one is not among the
// first.
func (r *opRec) phase(name string) *phaseSlot {
	for i := range r.slots {
		if r.slots[i].name == name {
			return &r.slots[i]
		}
	}
	if len(r.slots) == maxPhaseSlots {
		return nil
	}
	r.slots = append(r.slots, phaseSlot{name: name, st: r.phaseStat(name)})
	return &r.slots[len(r.slots)-1]
}

// phaseStat returns the stat of the named phase, creating it.
func (r *opRec) phaseStat(name string) *stat {
	s := r.phases[name]
	if s == nil {
		s = newStat()
		r.phases[name] = s
	}
	return s
}

func newOpRec() *opRec {
	return &opRec{
		latency:  newStat(),
		service:  newStat(),
		phases:   make(map[string]*stat),
		classes:  make(map[string]int64),
		statuses: make(map[int]int64),
		reasons:  make(map[string]int64),
		sec:      hdrhistogram.NewPacked(lowestUS, highestUS, secSigFigs),
	}
}

// merge adds o's totals to r (not its current second).
func (r *opRec) merge(o *opRec) {
	r.latency.merge(o.latency)
	r.service.merge(o.service)
	if o.unaccounted != nil {
		if r.unaccounted == nil {
			r.unaccounted, r.overlap = newStat(), newStat()
		}
		r.unaccounted.merge(o.unaccounted)
		r.overlap.merge(o.overlap)
	}
	for name, s := range o.phases {
		p := r.phases[name]
		if p == nil {
			p = newStat()
			r.phases[name] = p
		}
		p.merge(s)
	}
	r.errors += o.errors
	r.interrupted += o.interrupted
	for c, n := range o.classes {
		r.classes[c] += n
	}
	for c, n := range o.statuses {
		r.statuses[c] += n
	}
	for c, n := range o.reasons {
		r.addReason(c, n)
	}
}

// addReason counts n errors of reason, or of otherReasons once
// maxKeptReasons reasons are kept, and returns the key it counted them
// under.
func (r *opRec) addReason(reason string, n int64) string {
	if _, ok := r.reasons[reason]; !ok && len(r.reasons) >= maxKeptReasons {
		reason = otherReasons
	}
	r.reasons[reason] += n
	return reason
}

// scenRec is what one shard knows of one scenario's iterations.
type scenRec struct {
	iter        *stat // iteration service time (actual start to end)
	failed      int64
	interrupted int64 // cut off by loadgen's stop: not in iter
}

// shard is one recording shard. Everything but the atomics is guarded by mu.
type shard struct {
	mu     sync.Mutex
	ops    map[opKey]*opRec
	scens  map[string]*scenRec
	ids    map[string]uint64 // stream name ids seen by this shard
	buf    []byte            // stream records since the last flush
	bufN   int64             // sample records in buf
	body   []byte            // scratch for one record's body
	tmp    sampleUS          // scratch for RecordSample
	spans  []phaseUS         // scratch for the phase union
	last   opKey             // the last op recorded, and its record
	lastOp *opRec
	// lastEnd is the latest start+service seen, in µs since the run start.
	lastEnd int64

	// Counters Progress reads without the lock.
	iterations, errors atomic.Int64
	_                  [64]byte // keep neighbouring shards off this cache line
}

func newShard() *shard {
	return &shard{
		ops:   make(map[opKey]*opRec),
		scens: make(map[string]*scenRec),
		ids:   make(map[string]uint64),
	}
}

// op returns the record of (scenario, op), creating it.
func (sh *shard) op(scenario, op string) *opRec {
	if sh.lastOp != nil && sh.last.scenario == scenario && sh.last.op == op {
		return sh.lastOp
	}
	k := opKey{scenario, op}
	r := sh.ops[k]
	if r == nil {
		r = newOpRec()
		sh.ops[k] = r
	}
	sh.last, sh.lastOp = k, r
	return r
}

// scen returns the record of a scenario, creating it.
func (sh *shard) scen(name string) *scenRec {
	s := sh.scens[name]
	if s == nil {
		s = &scenRec{iter: newStat()}
		sh.scens[name] = s
	}
	return s
}

// recordSample adds m to the shard's figures. sh.mu must be held.
//
// A sample of ClassCanceled was cut off by loadgen's own stop (a second
// SIGINT, the end of graceful_stop): it says nothing of the target, so it
// is counted as interrupted only, not in the count, errors or latencies
// that error_rate and the thresholds judge.
func (sh *shard) recordSample(m *sampleUS) {
	r := sh.op(m.scenario, m.op)
	if m.class == ClassCanceled {
		r.interrupted++
		sh.lastEnd = max(sh.lastEnd, m.start+m.service)
		return
	}
	r.latency.record(m.latency)
	r.service.record(m.service)
	r.secN++
	_ = r.sec.RecordValue(min(max(m.latency, 0), highestUS))
	if m.class != "" {
		r.errors++
		r.secErr++
		r.classes[m.class]++
		sh.errors.Add(1)
		if m.reason != "" {
			m.reason = r.addReason(m.reason, 1)
		}
	}
	if m.status != 0 {
		r.statuses[m.status]++
	}
	sh.lastEnd = max(sh.lastEnd, m.start+m.service)
	if len(m.phases) == 0 {
		return
	}
	for _, p := range m.phases {
		if slot := r.phase(p.name); slot != nil {
			slot.st.record(p.end - p.start)
		} else {
			r.phaseStat(p.name).record(p.end - p.start)
		}
	}
	union, sum := sh.phaseUnion(m.phases, m.service)
	if r.unaccounted == nil {
		r.unaccounted, r.overlap = newStat(), newStat()
	}
	r.unaccounted.record(max(m.service, 0) - union)
	r.overlap.record(sum - union)
}

// phaseUnion returns the length of the union of the top-level phases (names
// without "/": sub-phases lie inside their parent) clipped to [0, service],
// and the sum of their clipped lengths. It uses sh.spans as scratch.
func (sh *shard) phaseUnion(phases []phaseUS, service int64) (union, sum int64) {
	service = max(service, 0)
	sp := sh.spans[:0]
	for _, p := range phases {
		if strings.IndexByte(p.name, '/') >= 0 {
			continue
		}
		s, e := max(p.start, 0), min(p.end, service)
		if e <= s {
			continue
		}
		sum += e - s
		// Insertion sort by start: ops have a handful of phases.
		i := len(sp)
		sp = append(sp, phaseUS{})
		for i > 0 && sp[i-1].start > s {
			sp[i] = sp[i-1]
			i--
		}
		sp[i] = phaseUS{start: s, end: e}
	}
	sh.spans = sp
	var curS, curE int64 = 0, -1
	for _, p := range sp {
		if p.start > curE {
			if curE >= 0 {
				union += curE - curS
			}
			curS, curE = p.start, p.end
			continue
		}
		curE = max(curE, p.end)
	}
	if curE >= 0 {
		union += curE - curS
	}
	return union, sum
}

// recordIteration adds m to the shard's figures. sh.mu must be held.
func (sh *shard) recordIteration(m *iterUS) {
	s := sh.scen(m.scenario)
	sh.iterations.Add(1)
	if m.interrupted {
		s.interrupted++
		sh.lastEnd = max(sh.lastEnd, m.start+m.service)
		return
	}
	s.iter.record(m.service)
	if m.failed {
		s.failed++
	}
	sh.lastEnd = max(sh.lastEnd, m.start+m.service)
}

// id returns the stream id of name, through the shard's cache.
func (sh *shard) id(r *Recorder, name string) uint64 {
	if id, ok := sh.ids[name]; ok {
		return id
	}
	id := r.nameID(name)
	sh.ids[name] = id
	return id
}

// encodeSample appends m's stream record to sh.buf. sh.mu must be held.
func (sh *shard) encodeSample(r *Recorder, m *sampleUS) {
	o := sh.op(m.scenario, m.op)
	if o.opID == 0 {
		o.scenID, o.opID = sh.id(r, m.scenario), sh.id(r, m.op)
	}
	b := sh.body[:0]
	b = appendUvarint(b, o.scenID)
	b = appendUvarint(b, o.opID)
	b = appendVarint(b, m.start)
	b = appendVarint(b, m.latency)
	b = appendVarint(b, m.service)
	var class uint64
	if m.class != "" {
		class = sh.id(r, m.class)
	}
	b = appendUvarint(b, class)
	b = appendUvarint(b, uint64(max(m.status, 0)))
	b = appendUvarint(b, uint64(len(m.phases)))
	for _, p := range m.phases {
		var id uint64
		if slot := o.phase(p.name); slot != nil {
			if slot.id == 0 {
				slot.id = sh.id(r, p.name)
			}
			id = slot.id
		} else {
			id = sh.id(r, p.name)
		}
		b = appendUvarint(b, id)
		b = appendVarint(b, p.start)
		b = appendVarint(b, p.end)
	}
	sh.body = b
	sh.buf = appendRecord(sh.buf, recSample, b)
	sh.bufN++
	if m.reason != "" {
		sh.buf = appendUvarints(sh.buf, recReason, o.scenID, o.opID, sh.id(r, m.reason))
	}
}

// encodeIteration appends m's stream record to sh.buf. sh.mu must be held.
func (sh *shard) encodeIteration(r *Recorder, m *iterUS) {
	b := sh.body[:0]
	b = appendUvarint(b, sh.id(r, m.scenario))
	b = appendVarint(b, m.start)
	b = appendVarint(b, m.latency)
	b = appendVarint(b, m.service)
	var failed uint64 // 0 ok, 1 failed, 2 interrupted
	switch {
	case m.interrupted:
		failed = 2
	case m.failed:
		failed = 1
	}
	b = appendUvarint(b, failed)
	sh.body = b
	sh.buf = appendRecord(sh.buf, recIteration, b)
}
