package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrMergeMismatch is returned by Merge for run folders that cannot be one
// run: different workloads, or a shard index seen twice.
var ErrMergeMismatch = errors.New("results: run folders do not merge")

// Merge merges the run folders dirs, the shards of one workload split over
// several generators, into one Summary, as if one generator had recorded
// every sample. Each folder is read from its sample stream (a killed shard
// is read up to its last good frame, with a warning).
//
// Samples are replayed on one time line starting at the earliest shard's
// start (wall clock), so histograms, exact sums (means and standard
// deviations), error classes, statuses, phases and iterations are those of
// one run. Late and dropped counts are summed. The run's span is from the
// earliest start to the latest end, but its duration (and so every
// throughput and the rate threshold) is the length of the union of the
// shards' spans, so shards that ran one after another are not charged for
// the gap. Generator health is merged per second (the largest CPU and p99s;
// a second counts once however many shards recorded it, and as saturated
// if any shard was).
// The Summary also carries the merged per-second series for report.html
// (see WriteFiles). Thresholds are not evaluated: the caller evaluates them
// with Evaluate.
//
// Merge refuses (with ErrMergeMismatch) a folder given twice (by path, or
// a copy: the same run id, or start and shard for runs without one),
// folders whose workload hashes differ, a shard index seen twice, and shard
// counts that differ; folders without a shard index merge freely. The
// merged run's shard is "" when all n shards of a split are present, else
// the indexes present ("0,2/4").
// Other differences (version, target, seed) are warnings.
func Merge(dirs []string) (*Summary, []string, error) {
	if len(dirs) == 0 {
		return nil, nil, errors.New("results: no run folders")
	}
	if err := distinctDirs(dirs); err != nil {
		return nil, nil, err
	}
	var warnings []string
	runs := make([]*Summary, len(dirs))
	for i, dir := range dirs {
		sum, w, err := Rebuild(dir)
		for _, s := range w {
			warnings = append(warnings, dir+": "+s)
		}
		if err != nil {
			return nil, warnings, err // "results: rebuild: <path>: ..." already
		}
		runs[i] = sum
	}
	meta, w, err := mergeMeta(dirs, runs)
	warnings = append(warnings, w...)
	if err != nil {
		return nil, warnings, err
	}

	r := newRecorder(Config{Start: meta.Start, Meta: meta}, 1)
	r.end = meta.End
	acc := newSeriesAcc()
	// The merged run's seconds, and those in which any shard was
	// saturated: the shards' records of one second count once.
	seconds, saturated := make(map[int64]bool), make(map[int64]bool)
	levels := make([][]*CapacityLevel, len(dirs))
	for i, dir := range dirs {
		shift := runs[i].Run.Start.Round(0).Sub(meta.Start).Microseconds()
		src := acc.source(sourceName(dir, runs[i].Run.Shard), shift)
		rb := &rebuilder{
			onSample: func(m *sampleUS) {
				src.sample(m)
				m.start += shift
				r.shards[0].recordSample(m)
				m.start -= shift
			},
			onIteration: func(m *iterUS) {
				m.start += shift
				r.shards[0].recordIteration(m)
				m.start -= shift
			},
			onCounts: src.counts,
			onLevel: func(l *CapacityLevel) {
				c := *l
				d := time.Duration(shift) * time.Microsecond
				c.Start, c.End = c.Start+d, c.End+d
				levels[i] = append(levels[i], &c)
			},
			onReason: func(scen, op, why string) { r.shards[0].op(scen, op).addReason(why, 1) },
			onHealth: func(h Health) {
				src.health(h)
				h.Second += roundDiv(shift, int64(time.Second/time.Microsecond))
				r.health.add(h)
				seconds[h.Second] = true
				if h.Saturated {
					saturated[h.Second] = true
				}
			},
		}
		if _, _, err := rb.replay(dir); err != nil {
			return nil, warnings, err
		}
		for _, sc := range runs[i].Scenarios {
			r.AddLate(sc.Name, sc.Late)
			r.AddDropped(sc.Name, sc.Dropped)
			if sc.MaxWorkersReachedS > 0 {
				// The shards' caps and rates add up; their seconds may
				// overlap, so the most any shard saw counts.
				r.healthMu.Lock()
				c := r.caps[sc.Name]
				c.Scenario, c.Budget = sc.Name, c.Budget || sc.MaxWorkersBudget
				c.MaxWorkers += sc.MaxWorkers
				c.PeakRate += sc.PeakRatePerS
				c.Seconds = max(c.Seconds, sc.MaxWorkersReachedS)
				r.caps[sc.Name] = c
				r.healthMu.Unlock()
			}
		}
	}

	r.levels = mergeLevels(levels, len(dirs))
	sum := r.Summary()
	sum.rebuilt = true
	for i, run := range runs {
		if l := run.StreamLoss; l != nil {
			if sum.StreamLoss == nil {
				sum.StreamLoss = &StreamLoss{}
			}
			sum.StreamLoss.Samples += l.Samples
			sum.StreamLoss.AtLeast = sum.StreamLoss.AtLeast || l.AtLeast
			sum.StreamLoss.Reason = strings.TrimPrefix(sum.StreamLoss.Reason+"; "+dirs[i]+": "+l.Reason, "; ")
		}
	}
	sum.Generator.Seconds, sum.Generator.SaturatedSeconds = int64(len(seconds)), int64(len(saturated))
	union := unionSeconds(runs)
	sum.Run.DurationS = union
	sum.data.durationS = union
	for i := range sum.Ops {
		sum.Ops[i].ThroughputPerS = 0
		if union > 0 {
			sum.Ops[i].ThroughputPerS = float64(sum.Ops[i].Count) / union
		}
	}
	sum.series = acc.series(meta.Start, meta.End.Round(0).Sub(meta.Start).Seconds())
	return sum, warnings, nil
}

// distinctDirs refuses a run folder given twice, by path or through a
// link, before anything is read.
func distinctDirs(dirs []string) error {
	type seenDir struct {
		name string
		fi   os.FileInfo
	}
	var seen []seenDir
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("results: %s is not a run folder", d)
		}
		for _, s := range seen {
			if os.SameFile(s.fi, fi) {
				return fmt.Errorf("%w: %s and %s are the same folder; give each run once", ErrMergeMismatch, s.name, d)
			}
		}
		seen = append(seen, seenDir{d, fi})
	}
	return nil
}

// sourceName names a shard's generator in the merged health series.
func sourceName(dir, shard string) string {
	if shard != "" {
		return "shard " + shard
	}
	return filepath.Base(dir)
}

// mergeMeta checks that the runs can merge and returns the merged run's
// RunMeta, with warnings about fields that differ.
func mergeMeta(dirs []string, runs []*Summary) (RunMeta, []string, error) {
	var warnings []string
	first := runs[0].Run
	meta := first
	count := -1
	seen := make(map[int]string)
	ids := make(map[string]string)
	for i, s := range runs {
		run := s.Run
		// A run is known by its id; one recorded before ids, by its
		// start to the nanosecond and its shard.
		id := run.ID
		if id == "" {
			id = "started " + run.Start.Format(time.RFC3339Nano) + ", shard " + orNone(run.Shard)
		}
		if d, ok := ids[id]; ok {
			return meta, warnings, fmt.Errorf("%w: %s and %s hold the same run (%s); give each run once", ErrMergeMismatch, d, dirs[i], id)
		}
		ids[id] = dirs[i]
		if run.WorkloadSHA256 != first.WorkloadSHA256 {
			return meta, warnings, fmt.Errorf("%w: %s has workload %s, %s has %s", ErrMergeMismatch,
				dirs[0], orNone(first.WorkloadSHA256), dirs[i], orNone(run.WorkloadSHA256))
		}
		idx, n, err := parseShard(run.Shard)
		if err != nil {
			return meta, warnings, fmt.Errorf("%w: %s: %w", ErrMergeMismatch, dirs[i], err)
		}
		if n > 0 {
			if count >= 0 && n != count {
				return meta, warnings, fmt.Errorf("%w: %s is a shard of %d, an earlier folder of %d", ErrMergeMismatch, dirs[i], n, count)
			}
			count = n
		}
		for _, x := range idx {
			if d, ok := seen[x]; ok {
				return meta, warnings, fmt.Errorf("%w: shard index %d is in both %s and %s", ErrMergeMismatch, x, d, dirs[i])
			}
			seen[x] = dirs[i]
		}
		for _, f := range []struct{ name, a, b string }{
			{"name", first.Name, run.Name},
			{"version", first.Version + " " + first.Commit, run.Version + " " + run.Commit},
			{"target", first.Target, run.Target},
			{"seed", strconv.FormatInt(first.Seed, 10), strconv.FormatInt(run.Seed, 10)},
		} {
			if f.a != f.b {
				warnings = append(warnings, fmt.Sprintf("%s: %s %q differs from %s's %q; the merge keeps the first", dirs[i], f.name, f.b, dirs[0], f.a))
			}
		}
		if run.Start.Before(meta.Start) {
			meta.Start = run.Start
		}
		if run.End.After(meta.End) {
			meta.End = run.End
		}
		if run.Host != first.Host {
			meta.Host = Host{} // the shards ran on different kinds of hosts
		}
	}
	meta.Start, meta.End = meta.Start.Round(0), meta.End.Round(0)
	meta.Shard, meta.ID = "", ""
	if count > 0 && len(seen) < count {
		idx := make([]int, 0, len(seen))
		for x := range seen {
			idx = append(idx, x)
		}
		slices.Sort(idx)
		parts := make([]string, len(idx))
		for i, x := range idx {
			parts[i] = strconv.Itoa(x)
		}
		meta.Shard = strings.Join(parts, ",") + "/" + strconv.Itoa(count)
		warnings = append(warnings, fmt.Sprintf("only shards %s of %d are merged", strings.Join(parts, ","), count))
	}
	return meta, warnings, nil
}

// parseShard parses a run's shard, "" or "i/n", or a partial merge's
// "i,j,.../n", into its indexes and count (0 for "").
func parseShard(s string) ([]int, int, error) {
	if s == "" {
		return nil, 0, nil
	}
	list, count, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 1 {
		return nil, 0, fmt.Errorf("shard %q is not index/count", s)
	}
	var idx []int
	for _, p := range strings.Split(list, ",") {
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 || x >= n {
			return nil, 0, fmt.Errorf("shard %q: index %q is not in 0..%d", s, p, n-1)
		}
		idx = append(idx, x)
	}
	return idx, n, nil
}

// unionSeconds returns the length in seconds of the union of the runs'
// [start, end] spans.
func unionSeconds(runs []*Summary) float64 {
	type span struct{ s, e time.Time }
	sp := make([]span, 0, len(runs))
	for _, r := range runs {
		s, e := r.Run.Start.Round(0), r.Run.End.Round(0)
		if e.After(s) {
			sp = append(sp, span{s, e})
		}
	}
	slices.SortFunc(sp, func(a, b span) int { return a.s.Compare(b.s) })
	var total time.Duration
	var cur span
	for i, x := range sp {
		if i == 0 {
			cur = x
			continue
		}
		if !x.s.After(cur.e) {
			if x.e.After(cur.e) {
				cur.e = x.e
			}
			continue
		}
		total += cur.e.Sub(cur.s)
		cur = x
	}
	if len(sp) > 0 {
		total += cur.e.Sub(cur.s)
	}
	return total.Seconds()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
