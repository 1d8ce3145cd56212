package compare

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"sort"
	"strconv"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/ironcorelabs/loadgen/internal/capped"
	"github.com/ironcorelabs/loadgen/results"
)

// loadLoadgenDir reads a run folder: its summary.json, or, when there is
// none (a killed run), the summary rebuilt from its sample stream.
func loadLoadgenDir(dir string, m *Mapping) (*Run, error) {
	p := filepath.Join(dir, "summary.json")
	b, err := capped.ReadFile(p, MaxDocSize, "a summary.json")
	if err == nil {
		return readLoadgenSummary(b, m)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	sum, warns, err := results.Rebuild(dir)
	if err != nil {
		return nil, err
	}
	// A rebuilt summary carries its histograms the way summary.json does.
	js, err := json.Marshal(sum)
	if err != nil {
		return nil, err
	}
	run, err := readLoadgenSummary(js, m)
	if err != nil {
		return nil, err
	}
	run.Warnings = append(warns, run.Warnings...)
	run.Warnings = append(run.Warnings, "no summary.json: rebuilt from "+results.StreamFile)
	return run, nil
}

// isLoadgenSummary reports whether a JSON document looks like summary.json.
func isLoadgenSummary(b []byte) bool {
	var probe struct {
		Schema *int            `json:"schema"`
		Ops    json.RawMessage `json:"ops"`
	}
	return json.Unmarshal(b, &probe) == nil && probe.Schema != nil && probe.Ops != nil
}

// readLoadgenSummary reads summary.json. Ops of the same (mapped) name in
// several scenarios are merged: histograms added, moments combined exactly.
func readLoadgenSummary(b []byte, m *Mapping) (*Run, error) {
	var s results.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("summary.json: %w", err)
	}
	if s.Schema != results.SummarySchema {
		return nil, fmt.Errorf("summary.json schema %d; this loadgen reads schema %d", s.Schema, results.SummarySchema)
	}
	run := &Run{Format: FormatLoadgen, DurationS: s.Run.DurationS, Meta: map[string]string{"tool": "loadgen"}}
	meta := map[string]string{
		"version": s.Run.Version, "commit": s.Run.Commit, "workload": s.Run.Name,
		"workload_sha256": s.Run.WorkloadSHA256, "target": s.Run.Target, "cpu": s.Run.Host.CPU,
		"kernel": s.Run.Host.Kernel,
	}
	if s.Run.Host.GOMAXPROCS > 0 {
		meta["gomaxprocs"] = strconv.Itoa(s.Run.Host.GOMAXPROCS)
	}
	for k, v := range meta {
		if v != "" {
			run.Meta[k] = v
		}
	}
	groups := make(map[string][]*results.OpSummary)
	var all []*results.OpSummary
	for i := range s.Ops {
		o := &s.Ops[i]
		name := m.Op(o.Op)
		groups[name] = append(groups[name], o)
		all = append(all, o)
	}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		op, err := loadgenOp(n, groups[n], s.Run.DurationS)
		if err != nil {
			return nil, err
		}
		run.Ops = append(run.Ops, op)
	}
	if len(all) > 0 {
		t, err := loadgenOp("", all, s.Run.DurationS)
		if err != nil {
			return nil, err
		}
		run.Total = t
	}
	return run, nil
}

// loadgenOp merges the summaries of one op.
func loadgenOp(name string, ss []*results.OpSummary, durationS float64) (*Op, error) {
	op := &Op{Name: name, Kind: KindHistogram, Stats: unknownStats(), ThroughputPerS: math.NaN()}
	var b distBuilder
	var sum, sumSq float64 // of n·mean and n·(sd²+mean²), for exact merged moments
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		op.Count += s.Count
		op.Errors += s.Errors
		if s.Count == 0 {
			continue
		}
		n := float64(s.Count)
		l := s.LatencyMS
		sum += n * l.Mean
		sumSq += n * (l.StdDev*l.StdDev + l.Mean*l.Mean)
		lo, hi = min(lo, l.Min), max(hi, l.Max)
		if s.Histogram == "" {
			op.Kind = KindEstimate
			continue
		}
		h, err := hdrhistogram.Decode([]byte(s.Histogram))
		if err != nil {
			return nil, fmt.Errorf("summary.json: op %s/%s: histogram: %w", s.Scenario, s.Op, err)
		}
		for _, bar := range h.Distribution() {
			if bar.Count > 0 {
				// A bucket reads as its highest equivalent value, as
				// HdrHistogram's percentiles do, within the exact range.
				b.add(min(max(float64(bar.To)/1000, l.Min), l.Max), bar.Count)
			}
		}
	}
	if op.Count == 0 {
		return op, nil
	}
	if durationS > 0 {
		op.ThroughputPerS = float64(op.Count) / durationS
	}
	n := float64(op.Count)
	mean := sum / n
	st := unknownStats()
	st.Min, st.Max, st.Mean, st.StdDev = lo, hi, mean, math.Sqrt(max(sumSq/n-mean*mean, 0))
	if len(ss) == 1 {
		l := ss[0].LatencyMS
		st.P50, st.P75, st.P90, st.P95, st.P99 = l.P50, l.P75, l.P90, l.P95, l.P99
	}
	if op.Kind == KindHistogram {
		d := b.build()
		if d.N() != op.Count {
			return nil, fmt.Errorf("summary.json: op %s: histograms hold %d values, counts say %d", name, d.N(), op.Count)
		}
		d.min, d.max, d.mean, d.std = st.Min, st.Max, st.Mean, st.StdDev
		op.Dist = d
		if len(ss) > 1 {
			st.P50, st.P75, st.P90, st.P95, st.P99 = d.Quantile(.50), d.Quantile(.75), d.Quantile(.90), d.Quantile(.95), d.Quantile(.99)
		}
	} else if len(ss) > 1 {
		op.Note = "percentiles unknown: ops merged from several scenarios without histograms"
	}
	op.Stats = st
	op.Resolution = 0.001
	return op, nil
}
