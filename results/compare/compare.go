package compare

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Config sets how Compare computes its verdicts. The zero Config uses the
// defaults.
type Config struct {
	// Seed seeds the bootstrap; the same inputs and Seed give the same
	// intervals.
	Seed uint64
	// Resamples is the number of bootstrap replicates; 0 means 2000.
	Resamples int
	// Confidence is the confidence level of the intervals; 0 means 0.95.
	Confidence float64
}

// TotalName is the Row name of all operations together.
const TotalName = "(all)"

// Comparison is a candidate run set beside a baseline.
type Comparison struct {
	Baseline  RunInfo `json:"baseline"`
	Candidate RunInfo `json:"candidate"`
	// Rows are one per op found on either side, by name, then the total.
	Rows []Row `json:"ops"`
	// MetaDiffs are the metadata both runs give that differ.
	MetaDiffs  []MetaDiff `json:"meta_differences"`
	Confidence float64    `json:"confidence"`
	Seed       uint64     `json:"seed"`
	// Failures are the gate's failures, set by ApplyGate.
	Failures []Failure `json:"gate_failures"`
}

// ApplyGate checks rules (see Gate), keeps the failures in c and returns
// them.
func (c *Comparison) ApplyGate(rules []Rule) []Failure {
	c.Failures = Gate(c, rules)
	return c.Failures
}

// RunInfo describes one side of a Comparison.
type RunInfo struct {
	Source    string            `json:"source"`
	Format    Format            `json:"format"`
	Meta      map[string]string `json:"meta"`
	DurationS Num               `json:"duration_s"`
	Warnings  []string          `json:"warnings,omitempty"`
}

// MetaDiff is one metadata key whose values differ.
type MetaDiff struct {
	Key       string `json:"key"`
	Baseline  string `json:"baseline"`
	Candidate string `json:"candidate"`
}

// Row is one op on both sides. Baseline or Candidate is nil when the op is
// missing there.
type Row struct {
	Op        string    `json:"op"`
	Baseline  *Figures  `json:"baseline"`
	Candidate *Figures  `json:"candidate"`
	Verdicts  []Verdict `json:"verdicts"`
}

// Figures are one side's figures of an op; unknown ones are null in JSON.
type Figures struct {
	Count      int64  `json:"count"`
	Errors     int64  `json:"errors"`
	ErrorRate  Num    `json:"error_rate"`
	Throughput Num    `json:"throughput_per_s"`
	Min        Num    `json:"min_ms"`
	P50        Num    `json:"p50_ms"`
	P75        Num    `json:"p75_ms"`
	P90        Num    `json:"p90_ms"`
	P95        Num    `json:"p95_ms"`
	P99        Num    `json:"p99_ms"`
	Max        Num    `json:"max_ms"`
	Mean       Num    `json:"mean_ms"`
	StdDev     Num    `json:"stddev_ms"`
	Kind       Kind   `json:"kind"`
	Note       string `json:"note,omitempty"`
}

// Value returns the figure named metric (see Metrics) as a float, NaN when
// unknown or not a metric.
func (f *Figures) Value(metric string) float64 {
	if f == nil {
		return math.NaN()
	}
	switch metric {
	case "count":
		return float64(f.Count)
	case "errors":
		return float64(f.Errors)
	case "error_rate":
		return float64(f.ErrorRate)
	case "throughput":
		return float64(f.Throughput)
	case "min":
		return float64(f.Min)
	case "p50":
		return float64(f.P50)
	case "p75":
		return float64(f.P75)
	case "p90":
		return float64(f.P90)
	case "p95":
		return float64(f.P95)
	case "p99":
		return float64(f.P99)
	case "max":
		return float64(f.Max)
	case "mean":
		return float64(f.Mean)
	case "stddev":
		return float64(f.StdDev)
	}
	return math.NaN()
}

// Metrics are the names Figures.Value and gate rules know, in report order.
func Metrics() []string {
	return []string{"count", "errors", "error_rate", "throughput", "min", "p50", "p75", "p90", "p95", "p99", "max", "mean", "stddev"}
}

// Verdict says whether one quantile changed.
type Verdict struct {
	Metric string `json:"metric"` // "p50" or "p99"
	// Delta is candidate − baseline in ms; Low and High bound it at the
	// Comparison's confidence.
	Delta Num `json:"delta_ms"`
	Low   Num `json:"low_ms"`
	High  Num `json:"high_ms"`
	// Method is "bootstrap" (both sides have distributions), "rank
	// interval" (one side has only an estimate), or "none".
	Method string `json:"method"`
	// Result is "no significant difference", "slower", "faster" or "not
	// tested".
	Result string `json:"result"`
	Note   string `json:"note,omitempty"`
}

// The Verdict results.
const (
	ResultSame      = "no significant difference"
	ResultSlower    = "slower"
	ResultFaster    = "faster"
	ResultNotTested = "not tested"
)

// Significant reports whether the verdict found a change.
func (v Verdict) Significant() bool { return v.Result == ResultSlower || v.Result == ResultFaster }

// Num is a float64 that encodes NaN and ±Inf as JSON null.
type Num float64

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return []byte(fmt.Sprint(f)), nil
}

// Compare sets cand beside base. It does not change either run.
func Compare(base, cand *Run, cfg Config) *Comparison {
	if cfg.Resamples <= 0 {
		cfg.Resamples = 2000
	}
	if cfg.Confidence <= 0 || cfg.Confidence >= 1 {
		cfg.Confidence = 0.95
	}
	c := &Comparison{Baseline: runInfo(base), Candidate: runInfo(cand), Confidence: cfg.Confidence, Seed: cfg.Seed}
	for _, k := range metaKeys {
		b, okb := base.Meta[k]
		d, okc := cand.Meta[k]
		if okb && okc && b != d {
			c.MetaDiffs = append(c.MetaDiffs, MetaDiff{Key: k, Baseline: b, Candidate: d})
		}
	}
	names := make(map[string]bool)
	for _, o := range base.Ops {
		names[o.Name] = true
	}
	for _, o := range cand.Ops {
		names[o.Name] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for i, n := range sorted {
		c.Rows = append(c.Rows, compareOp(n, base.Op(n), cand.Op(n), cfg, uint64(i)))
	}
	if base.Total != nil || cand.Total != nil {
		c.Rows = append(c.Rows, compareOp(TotalName, base.Total, cand.Total, cfg, uint64(len(sorted))))
	}
	return c
}

func runInfo(r *Run) RunInfo {
	d := math.NaN()
	if r.DurationS > 0 {
		d = r.DurationS
	}
	return RunInfo{Source: r.Source, Format: r.Format, Meta: r.Meta, DurationS: Num(d), Warnings: r.Warnings}
}

// figures returns an op's figures, nil for a missing op.
func figures(o *Op) *Figures {
	if o == nil {
		return nil
	}
	s := o.Stats
	return &Figures{Count: o.Count, Errors: o.Errors, ErrorRate: Num(o.ErrorRate()), Throughput: Num(o.ThroughputPerS),
		Min: Num(s.Min), P50: Num(s.P50), P75: Num(s.P75), P90: Num(s.P90), P95: Num(s.P95), P99: Num(s.P99),
		Max: Num(s.Max), Mean: Num(s.Mean), StdDev: Num(s.StdDev), Kind: o.Kind, Note: o.Note}
}

// compareOp compares one op. Each op's bootstrap draws from its own
// random stream (seed, index), so adding an op does not move the others.
func compareOp(name string, b, c *Op, cfg Config, index uint64) Row {
	row := Row{Op: name, Baseline: figures(b), Candidate: figures(c)}
	if b == nil || c == nil {
		return row
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, index))
	for _, q := range []float64{0.50, 0.99} {
		row.Verdicts = append(row.Verdicts, verdict(q, b, c, cfg, rng))
	}
	return row
}

// verdict compares the q-quantile of b and c.
func verdict(q float64, b, c *Op, cfg Config, rng *rand.Rand) Verdict {
	metric := fmt.Sprintf("p%.0f", q*100)
	bv, cv := percentileOf(b.Stats, q*100), percentileOf(c.Stats, q*100)
	v := Verdict{Metric: metric, Delta: Num(cv - bv), Low: Num(math.NaN()), High: Num(math.NaN()), Method: "none", Result: ResultNotTested}
	bd, cd := b.Dist, c.Dist
	if bd.N() == 0 {
		bd = nil
	}
	if cd.N() == 0 {
		cd = nil
	}
	alpha := (1 - cfg.Confidence) / 2
	switch {
	case bd != nil && cd != nil:
		// Independent bootstraps of each side; the interval of the
		// difference is the percentile interval of paired replicates.
		bs := bootQuantile(bd, q, cfg.Resamples, rng)
		cs := bootQuantile(cd, q, cfg.Resamples, rng)
		rng.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
		ds := make([]float64, len(bs))
		for i := range ds {
			ds[i] = cs[i] - bs[i]
		}
		sort.Float64s(ds)
		v.Delta = Num(cd.Quantile(q) - bd.Quantile(q))
		v.Low, v.High = Num(sortedQuantile(ds, alpha)), Num(sortedQuantile(ds, 1-alpha))
		v.Method = "bootstrap"
		if b.Kind == KindHistogram || c.Kind == KindHistogram {
			v.Note = "HdrHistogram buckets: values within 0.1%"
		}
	case bd != nil || cd != nil:
		// One side is an estimate: the side with a distribution gives the
		// range an estimator within ±1% of rank could report (with its own
		// sampling error), the estimate its rounding.
		dist, est, sign := bd, c, -1.0 // delta = est − dist when the candidate is the estimate
		if cd != nil {
			dist, est, sign = cd, b, 1
		}
		e := percentileOf(est.Stats, q*100)
		if math.IsNaN(e) {
			v.Note = "the estimate side does not give " + metric
			return v
		}
		lo := sortedQuantile(bootQuantile(dist, max(q-0.01, 0), cfg.Resamples, rng), alpha)
		hi := sortedQuantile(bootQuantile(dist, min(q+0.01, 1), cfg.Resamples, rng), 1-alpha)
		lb, hb := dist.QuantileBounds(max(q-0.01, 0))
		lb2, hb2 := dist.QuantileBounds(min(q+0.01, 1))
		lo, hi = min(lo, lb, lb2), max(hi, hb, hb2)
		r := est.Resolution / 2
		if sign > 0 {
			v.Low, v.High = Num(lo-(e+r)), Num(hi-(e-r))
		} else {
			v.Low, v.High = Num((e-r)-hi), Num((e+r)-lo)
		}
		v.Method = "rank interval"
		side := "baseline"
		if est == c {
			side = "candidate"
		}
		v.Note = fmt.Sprintf("%s has only percentile estimates", side)
		if est.Note != "" {
			v.Note += " (" + est.Note + ")"
		}
		v.Note += "; compared with the other side's quantiles at rank ±1%"
	default:
		v.Note = "neither side has a distribution, only reported figures"
		return v
	}
	switch {
	case float64(v.Low) > 0:
		v.Result = ResultSlower
	case float64(v.High) < 0:
		v.Result = ResultFaster
	default:
		v.Result = ResultSame
	}
	return v
}
