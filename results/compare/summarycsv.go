package compare

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// A percentile summary CSV has a header row and one row per op. Columns are
// recognised by name, without regard to case and punctuation: the op
// (op, name, operation, request, method), count (count, requests, samples,
// total), errors (errors, ko, failures), throughput (throughput, rps,
// throughput_per_s), min, max, mean (mean, avg, average), stddev (stddev,
// std, sd) and percentiles (p50, median, 50th, p(50), 50%, pct50, and the
// same for 75, 90, 95 and 99). A time column's unit is its name's suffix
// (_ns, _us, _ms, _s), else unit.

// summaryField is what a summary CSV column holds.
type summaryField int

const (
	sfNone summaryField = iota
	sfOp
	sfCount
	sfErrors
	sfThroughput
	sfMin
	sfMax
	sfMean
	sfStdDev
	sfP50
	sfP75
	sfP90
	sfP95
	sfP99
)

// summaryColumn classifies a header name and returns its unit suffix.
func summaryColumn(name string) (summaryField, time.Duration) {
	n := strings.ToLower(strings.TrimSpace(name))
	var unit time.Duration
	for _, suf := range []struct {
		s string
		u time.Duration
	}{{"_ns", time.Nanosecond}, {"_us", time.Microsecond}, {"_ms", time.Millisecond}, {"(ms)", time.Millisecond}, {"_s", time.Second}} {
		if strings.HasSuffix(n, suf.s) {
			n, unit = strings.TrimSuffix(n, suf.s), suf.u
			break
		}
	}
	n = normalizeName(n)
	switch n {
	case "op", "name", "operation", "request", "method", "label":
		return sfOp, 0
	case "count", "requests", "samples", "total", "n":
		return sfCount, 0
	case "errors", "ko", "failures", "failed":
		return sfErrors, 0
	case "throughput", "rps", "throughputpers", "reqs", "requestspersecond":
		return sfThroughput, 0
	case "min":
		return sfMin, unit
	case "max":
		return sfMax, unit
	case "mean", "avg", "average":
		return sfMean, unit
	case "stddev", "std", "sd", "stdev":
		return sfStdDev, unit
	case "median":
		return sfP50, unit
	}
	n = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(n, "pct"), "p"), "th")
	switch n {
	case "50":
		return sfP50, unit
	case "75":
		return sfP75, unit
	case "90":
		return sfP90, unit
	case "95":
		return sfP95, unit
	case "99":
		return sfP99, unit
	}
	return sfNone, 0
}

// isPercentileCSV reports whether a header row names an op column and at
// least one percentile column.
func isPercentileCSV(header []string) bool {
	var op, pct bool
	for _, h := range header {
		f, _ := summaryColumn(h)
		op = op || f == sfOp
		pct = pct || (f >= sfP50 && f <= sfP99)
	}
	return op && pct
}

// readPercentileCSV reads a percentile summary CSV; unit is the unit of time
// columns without a suffix (0 means ms).
func readPercentileCSV(r io.Reader, unit time.Duration, m *Mapping) (*Run, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("CSV header: %w", err)
	}
	fields := make([]summaryField, len(header))
	scales := make([]float64, len(header))
	for i, h := range header {
		f, u := summaryColumn(strings.TrimPrefix(h, "\ufeff"))
		if u == 0 {
			u = unit
		}
		fields[i], scales[i] = f, float64(unitOr(u))
	}
	run := &Run{Format: FormatPercentiles, Meta: map[string]string{}}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		op := &Op{Stats: unknownStats(), ThroughputPerS: math.NaN(), Kind: KindEstimate}
		for i, v := range rec {
			if i >= len(fields) || fields[i] == sfNone {
				continue
			}
			if fields[i] == sfOp {
				op.Name = m.Op(strings.TrimSpace(v))
				continue
			}
			v = strings.TrimSpace(v)
			if v == "" || v == "-" {
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: column %q: %q is not a number", line, header[i], v)
			}
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				return nil, fmt.Errorf("line %d: column %q: %q is not a count, rate or time; want a finite number of 0 or more", line, header[i], v)
			}
			t := x * scales[i] / float64(time.Millisecond)
			switch fields[i] {
			case sfCount:
				op.Count = int64(x)
			case sfErrors:
				op.Errors = int64(x)
			case sfThroughput:
				op.ThroughputPerS = x
			case sfMin:
				op.Stats.Min = t
			case sfMax:
				op.Stats.Max = t
			case sfMean:
				op.Stats.Mean = t
			case sfStdDev:
				op.Stats.StdDev = t
			case sfP50:
				op.Stats.P50 = t
			case sfP75:
				op.Stats.P75 = t
			case sfP90:
				op.Stats.P90 = t
			case sfP95:
				op.Stats.P95 = t
			case sfP99:
				op.Stats.P99 = t
			}
		}
		if op.Name == "" {
			return nil, fmt.Errorf("line %d: no op name", line)
		}
		if run.Op(op.Name) != nil {
			return nil, fmt.Errorf("line %d: op %q appears twice", line, op.Name)
		}
		run.Ops = append(run.Ops, op)
	}
	sortOps(run.Ops)
	return run, nil
}
