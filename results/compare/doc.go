// Package compare sets the results of one load test run beside another's and
// says, per operation, whether latency, errors and throughput changed.
//
// Each input is loaded into a Run by Load, which detects its format: a
// loadgen run folder or summary.json (per-op HdrHistograms), a Gatling
// simulation.log (the tab-separated text layouts of 3.0–3.3 and 3.4–3.12,
// and the binary layout of 3.13 and later), a Gatling stats.json or
// global_stats.json (percentile summaries only), vegeta results (gob, JSON or
// CSV, through vegeta's own decoders), a CSV or JSON-lines file of samples
// whose columns the caller names (Columns), and a CSV of percentile
// summaries per op. Operation names are mapped to loadgen's op names through
// a Mapping (DefaultMapping knows the ironoxide-java and ironoxide-scala
// method names).
//
// Compare sets a candidate Run beside a baseline. Where both sides hold a
// distribution (every sample, or an HdrHistogram), the change in the median
// and in p99 gets a percentile bootstrap confidence interval, computed from a
// seeded random source so the same inputs always give the same verdict; an
// interval that spans zero reads "no significant difference". Where one side
// holds only percentiles (Gatling's are t-digest estimates rounded to whole
// milliseconds), the other side's quantiles at the same rank ±1% and the
// rounding error bound the comparison instead, and the verdict says so.
//
// A Gate of Rules ("p99>+10%", "error_rate>+0.5pp") turns a Comparison into
// pass or fail. Reports are written as text, JSON or a self-contained HTML
// page.
//
// All durations are float64 milliseconds. compare imports results and no
// other package of loadgen's.
package compare
