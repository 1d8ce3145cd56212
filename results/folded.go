package results

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// FoldedFile is the name of the phase flame graph input in a run folder.
const FoldedFile = "phases.folded"

// foldedLine is one stack of the phase flame graph and its value.
type foldedLine struct {
	stack []string // scenario, op, phase[, part]
	key   string   // the stack as its folded line writes it
	us    int64
}

// WriteFolded writes the ops' phases in the folded-stack format that
// flame-graph tools read (Brendan Gregg's flamegraph.pl, speedscope,
// inferno): one line per stack, "scenario;op;phase;part value", sorted.
// Values are total microseconds over the run.
//
// A top-level phase ("kind:name") is a frame under its op; a sub-phase
// ("kind:name/part") is a frame "part" under its phase, and the phase's own
// line holds its time outside its parts. "unaccounted" is the op's service
// time outside every top-level phase. Phases may overlap, so an op's frame
// is its service time plus its overlap. An op without phases is one line of
// its total service time. Lines with a zero value are left out; ';' in a
// name becomes ',' and line breaks become spaces.
//
// A Summary decoded from JSON has no exact sums; its values are then count
// times mean, rounded.
func (s *Summary) WriteFolded(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, l := range s.folded() {
		ew.printf("%s %d\n", l.key, l.us)
	}
	if ew.err != nil {
		return fmt.Errorf("results: %s: %w", FoldedFile, ew.err)
	}
	return nil
}

// folded returns the flame graph's stacks, sorted.
func (s *Summary) folded() []foldedLine {
	ops := make([]foldOp, 0, len(s.Ops))
	for i := range s.Ops {
		o := &s.Ops[i]
		f := foldOp{scenario: o.Scenario, op: o.Op, service: s.serviceSum(o), phases: s.phaseSums(o)}
		if o.UnaccountedMS != nil {
			u := s.unaccountedSum(o)
			f.unaccounted = &u
		}
		ops = append(ops, f)
	}
	return foldStacks(ops)
}

// foldOp is what the flame graph needs of one op: total microseconds of
// its service time, of each phase and, once a sample had phases, of the
// time outside them.
type foldOp struct {
	scenario, op string
	service      int64
	phases       map[string]int64
	unaccounted  *int64
}

// foldStacks returns the flame graph's stacks of ops, sorted.
func foldStacks(ops []foldOp) []foldedLine {
	var out []foldedLine
	add := func(us int64, stack ...string) {
		if us <= 0 {
			return
		}
		for i, f := range stack {
			stack[i] = frameName.Replace(f)
		}
		out = append(out, foldedLine{stack: stack, key: strings.Join(stack, ";"), us: us})
	}
	for _, o := range ops {
		if len(o.phases) == 0 {
			add(o.service, o.scenario, o.op)
			continue
		}
		parts := make(map[string]int64) // top-level phase → sum of its parts
		for name, us := range o.phases {
			if parent, part, ok := strings.Cut(name, "/"); ok {
				add(us, o.scenario, o.op, parent, part)
				parts[parent] += us
			}
		}
		for name, us := range o.phases {
			if !strings.Contains(name, "/") {
				add(us-parts[name], o.scenario, o.op, name)
			}
		}
		if o.unaccounted != nil {
			add(*o.unaccounted, o.scenario, o.op, "unaccounted")
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// frameName makes a name a frame of the folded format: ';' splits frames
// and a line break ends the stack.
var frameName = strings.NewReplacer(";", ",", "\n", " ", "\r", " ")

// phaseSums returns the total microseconds of each of o's phases.
func (s *Summary) phaseSums(o *OpSummary) map[string]int64 {
	sums := make(map[string]int64, len(o.Phases))
	if rec := s.rec(o); rec != nil {
		for name, st := range rec.phases {
			sums[name] = int64(st.sum)
		}
		return sums
	}
	for _, p := range o.Phases {
		sums[p.Name] = approxSum(p.Count, p.LatencyMS.Mean)
	}
	return sums
}

func (s *Summary) serviceSum(o *OpSummary) int64 {
	if rec := s.rec(o); rec != nil {
		return int64(rec.service.sum)
	}
	return approxSum(o.Count, o.ServiceTimeMS.Mean)
}

func (s *Summary) unaccountedSum(o *OpSummary) int64 {
	if rec := s.rec(o); rec != nil && rec.unaccounted != nil {
		return int64(rec.unaccounted.sum)
	}
	return approxSum(o.Count, o.UnaccountedMS.Mean)
}

// rec returns o's merged record, nil for a Summary decoded from JSON.
func (s *Summary) rec(o *OpSummary) *opRec {
	if s.data == nil {
		return nil
	}
	return s.data.ops[opKey{o.Scenario, o.Op}]
}

// approxSum returns n values of mean ms as whole microseconds.
func approxSum(n int64, meanMS float64) int64 {
	return int64(math.Round(float64(n) * meanMS * 1000))
}
