// Package results records what a load test measures and turns it into
// summaries, reports and threshold verdicts.
//
// A Recorder receives every finished op (a Sample), every finished iteration
// and the generator's own health from the engine, concurrently. It keeps, per
// (scenario, op), HdrHistograms of latency and service time (1 µs to 1 h, 3
// significant digits), one per phase, and for ops that report phases the
// unaccounted time (service time minus the union of its top-level phases) and
// the overlap (sum of top-level phase lengths minus their union). Beside each
// histogram it keeps the exact count, sum, sum of squares, minimum and
// maximum in integer microseconds, so merged means and standard deviations are
// exact rather than bucket estimates.
//
// Recording is sharded: GOMAXPROCS shards, each with its own mutex, merged
// when read. A sample goes to the shard its Sample.Worker prefers, or to a
// free one when that shard is busy, so recording never waits on a lock. Memory is fixed by the number of distinct
// (scenario, op, phase) names and the number of populated histogram buckets;
// it does not grow with run length or worker count.
//
// With a run folder, the Recorder also writes the durable sample stream
// (samples.bin, see STREAM.md and the StreamFile doc) from a background
// writer at least once per FlushInterval, so a killed run keeps what it
// measured up to the last flush. Rebuild reads the stream back into a Summary.
//
// Summary.WriteFiles writes a run folder's summary.json, report.txt,
// report.html (WriteHTML: self-contained SVG charts, with the per-second
// series of ReadSeries) and phases.folded (WriteFolded, for flame-graph
// tools). WriteVegeta exports the stream as vegeta's results, and Merge
// merges the run folders of a sharded run exactly. report.html's template,
// script and styles are files under assets/ (embedded).
//
// A Dashboard serves a running Recorder over HTTP: the same page and script,
// following the run through server-sent events (/events), and the summary so
// far. Once a Dashboard asks for it, the Recorder's goroutine keeps the
// per-second figures it rolls anyway (about 50 bytes per op and second);
// recording a sample costs the same with or without it.
//
// results imports nothing else of loadgen's.
package results
