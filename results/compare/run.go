package compare

import (
	"math"
	"sort"
)

// Format names the kind of file a Run was loaded from.
type Format string

// The formats Load detects.
const (
	FormatLoadgen      Format = "loadgen"            // run folder or summary.json
	FormatGatlingText  Format = "gatling-log"        // simulation.log, text (3.0–3.12)
	FormatGatlingBin   Format = "gatling-log-bin"    // simulation.log, binary (3.13+)
	FormatGatlingStats Format = "gatling-stats"      // stats.json or global_stats.json
	FormatVegeta       Format = "vegeta"             // vegeta results: gob, JSON or CSV
	FormatSamples      Format = "samples"            // CSV or JSON lines of samples, columns named
	FormatPercentiles  Format = "percentile-summary" // CSV of percentiles per op
)

// Run is one loaded input: its operations and what is known about how it was
// made.
type Run struct {
	// Source is the path the run was loaded from.
	Source string
	Format Format
	// Meta holds what the input says about the run: "tool", "version",
	// "commit", "workload", "workload_sha256", "target", "host", "cpu",
	// "gomaxprocs", "kernel". Missing keys are unknown.
	Meta map[string]string
	// DurationS is the run's length in seconds, 0 when unknown.
	DurationS float64
	// Ops are the run's operations, sorted by name, one per name after
	// mapping.
	Ops []*Op
	// Total is all operations together, nil when the input cannot say.
	Total *Op
	// Warnings are problems that did not stop the loading.
	Warnings []string
}

// metaKeys are the Meta keys compared between runs, in report order.
var metaKeys = [...]string{"tool", "version", "commit", "workload", "workload_sha256", "target", "host", "cpu", "gomaxprocs", "kernel"}

// Op returns the op named name, or nil.
func (r *Run) Op(name string) *Op {
	for _, o := range r.Ops {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// Op is one operation of a run. Stats fields that the input does not give
// are NaN.
type Op struct {
	Name   string
	Count  int64
	Errors int64
	// ThroughputPerS is operations per second, NaN when unknown.
	ThroughputPerS float64
	Stats          Stats
	// Dist is the latency distribution, nil when the input gives only
	// percentiles.
	Dist *Dist
	// Kind says what Stats rest on (KindSamples, KindHistogram,
	// KindEstimate).
	Kind Kind
	// Resolution is the rounding step of the input's figures in ms (1 for
	// Gatling's whole milliseconds, 0 when exact).
	Resolution float64
	// Note explains how the figures were made when that matters for the
	// comparison (Gatling's t-digest percentiles).
	Note string
}

// Kind says what an op's figures rest on.
type Kind string

// The kinds of an op's figures.
const (
	KindSamples   Kind = "samples"   // every sample: exact quantiles
	KindHistogram Kind = "histogram" // an HdrHistogram (3 significant digits), exact moments
	KindEstimate  Kind = "estimate"  // reported percentiles only
)

// ErrorRate returns Errors/Count, or NaN for an op without samples.
func (o *Op) ErrorRate() float64 {
	if o.Count == 0 {
		return math.NaN()
	}
	return float64(o.Errors) / float64(o.Count)
}

// Stats are an op's latency figures in milliseconds; unknown ones are NaN.
type Stats struct {
	Min    float64 `json:"min"`
	P50    float64 `json:"p50"`
	P75    float64 `json:"p75"`
	P90    float64 `json:"p90"`
	P95    float64 `json:"p95"`
	P99    float64 `json:"p99"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"stddev"`
}

// unknownStats returns Stats with every field NaN.
func unknownStats() Stats {
	n := math.NaN()
	return Stats{n, n, n, n, n, n, n, n, n}
}

// statsOf returns the figures of d: exact order statistics and moments.
func statsOf(d *Dist) Stats {
	if d == nil || d.N() == 0 {
		return unknownStats()
	}
	return Stats{
		Min: d.Min(), P50: d.Quantile(0.50), P75: d.Quantile(0.75), P90: d.Quantile(0.90),
		P95: d.Quantile(0.95), P99: d.Quantile(0.99), Max: d.Max(), Mean: d.Mean(), StdDev: d.StdDev(),
	}
}

// opAcc accumulates the samples of one op while an input is read.
type opAcc struct {
	b      distBuilder
	errors int64
}

// buildOps turns accumulated ops into sorted Ops of kind KindSamples, with
// throughput over durationS (NaN when it is 0), and their Total.
func buildOps(acc map[string]*opAcc, durationS float64, resolution float64) ([]*Op, *Op) {
	names := make([]string, 0, len(acc))
	for k := range acc {
		names = append(names, k)
	}
	sort.Strings(names)
	ops := make([]*Op, 0, len(names))
	var all distBuilder
	var errs int64
	for _, n := range names {
		a := acc[n]
		d := a.b.build()
		all.addDist(d)
		errs += a.errors
		ops = append(ops, sampleOp(n, d, a.errors, durationS, resolution))
	}
	if len(ops) == 0 {
		return ops, nil
	}
	return ops, sampleOp("", all.build(), errs, durationS, resolution)
}

// sampleOp returns an op of kind KindSamples.
func sampleOp(name string, d *Dist, errors int64, durationS, resolution float64) *Op {
	o := &Op{Name: name, Count: d.N(), Errors: errors, Stats: statsOf(d), Dist: d, Kind: KindSamples,
		Resolution: resolution, ThroughputPerS: math.NaN()}
	if durationS > 0 {
		o.ThroughputPerS = float64(d.N()) / durationS
	}
	return o
}

// sortOps sorts ops by name.
func sortOps(ops []*Op) {
	sort.Slice(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name })
}

// percentileOf returns the Stats field of rank p (0 and 100 are Min and
// Max), NaN when Stats has none.
func percentileOf(s Stats, p float64) float64 {
	switch p {
	case 0:
		return s.Min
	case 50:
		return s.P50
	case 75:
		return s.P75
	case 90:
		return s.P90
	case 95:
		return s.P95
	case 99:
		return s.P99
	case 100:
		return s.Max
	}
	return math.NaN()
}

// Empty reports whether the run holds no measurement: no op, or only ops
// with a count of 0 and no latency figure. A gate must not pass on such a
// run (see CheckGate).
func (r *Run) Empty() bool {
	for _, o := range r.Ops {
		if o.Count > 0 || o.Dist != nil && o.Dist.N() > 0 || !math.IsNaN(o.Stats.P50) || !math.IsNaN(o.Stats.Mean) {
			return false
		}
	}
	return true
}
