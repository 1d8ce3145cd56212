package compare

import (
	"fmt"
	"strings"
	"time"
)

// Columns names the columns (CSV header names, or JSON keys) of a file of
// samples, one sample a row or line. Latency is required; the rest are
// optional.
//
// ParseColumns reads them from the --columns form
// "op=method,latency=elapsed_ms,ok=success,status=code,error=err,start=ts",
// where latency and start may carry a unit after a colon: "latency=took:us",
// "start=ts:s". Latency units are ns, us, ms (the default) and s; start is an
// RFC 3339 time or a number of Unix units (default ms).
type Columns struct {
	Op      string // the op's name; without it every sample is the op "samples"
	Latency string
	// LatencyUnit is the unit of Latency values; 0 means milliseconds.
	LatencyUnit time.Duration
	OK          string // true/false, 1/0, yes/no, OK/KO, success/failure
	Error       string // non-empty means the sample failed
	Status      string // HTTP status; outside 200–399 is a failure
	Start       string // the sample's start, for the run's length
	// StartUnit is the unit of numeric Start values; 0 means milliseconds.
	StartUnit time.Duration
}

// samplesDefaultOp names the op of samples without an op column.
const samplesDefaultOp = "samples"

// ParseColumns parses the --columns form described at Columns.
func ParseColumns(spec string) (*Columns, error) {
	c := &Columns{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		field, col, ok := strings.Cut(part, "=")
		if !ok || col == "" {
			return nil, fmt.Errorf("compare: --columns: %q is not FIELD=COLUMN", part)
		}
		col, unitName, hasUnit := strings.Cut(col, ":")
		var unit time.Duration
		if hasUnit {
			u, err := ParseUnit(unitName)
			if err != nil {
				return nil, fmt.Errorf("compare: --columns: %s: %w", part, err)
			}
			unit = u
		}
		switch field {
		case "op":
			c.Op = col
		case "latency":
			c.Latency, c.LatencyUnit = col, unit
		case "ok":
			c.OK = col
		case "error":
			c.Error = col
		case "status":
			c.Status = col
		case "start":
			c.Start, c.StartUnit = col, unit
		default:
			return nil, fmt.Errorf("compare: --columns: unknown field %q (fields: op, latency, ok, error, status, start)", field)
		}
		if hasUnit && field != "latency" && field != "start" {
			return nil, fmt.Errorf("compare: --columns: %s: only latency and start take a unit", part)
		}
	}
	if c.Latency == "" {
		return nil, fmt.Errorf("compare: --columns %q: latency=COLUMN is required", spec)
	}
	return c, nil
}

// ParseUnit parses a time unit: ns, us (or µs), ms or s.
func ParseUnit(s string) (time.Duration, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ns":
		return time.Nanosecond, nil
	case "us", "µs":
		return time.Microsecond, nil
	case "ms":
		return time.Millisecond, nil
	case "s":
		return time.Second, nil
	}
	return 0, fmt.Errorf("unit %q is not ns, us, ms or s", s)
}

// unitOr returns u, or milliseconds when u is 0.
func unitOr(u time.Duration) time.Duration {
	if u == 0 {
		return time.Millisecond
	}
	return u
}
