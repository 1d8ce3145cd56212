package compare

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// readSamples reads a CSV (with a header row) or JSON-lines file of samples
// whose columns c names.
func readSamples(r io.Reader, c *Columns, m *Mapping) (*Run, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(512)
	var rows func() (map[string]string, error)
	if t := bytes.TrimLeft(head, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		rows = jsonRows(br)
	} else {
		var err error
		if rows, err = csvRows(br); err != nil {
			return nil, err
		}
	}
	acc := make(map[string]*opAcc)
	first, last := math.Inf(1), math.Inf(-1) // ms since the epoch
	unit := float64(unitOr(c.LatencyUnit))
	for n := 1; ; n++ {
		row, err := rows()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sample %d: %w", n, err)
		}
		lat, err := strconv.ParseFloat(strings.TrimSpace(row[c.Latency]), 64)
		if err != nil {
			return nil, fmt.Errorf("sample %d: latency column %q: %q is not a number", n, c.Latency, row[c.Latency])
		}
		// NaN was dropped, and -5, Inf or 1e308 made -5ms, +Infms and NaN% verdicts.
		if math.IsNaN(lat) || lat < 0 || lat*unit >= math.MaxInt64 {
			return nil, fmt.Errorf("sample %d: latency column %q: %q is not a latency; want a finite number of 0 or more", n, c.Latency, row[c.Latency])
		}
		lat = lat * unit / float64(time.Millisecond)
		name := samplesDefaultOp
		if c.Op != "" {
			name = row[c.Op]
		}
		ok, err := sampleOK(row, c)
		if err != nil {
			return nil, fmt.Errorf("sample %d: %w", n, err)
		}
		a := accFor(acc, m.Op(name))
		a.b.add(lat, 1)
		if !ok {
			a.errors++
		}
		if c.Start != "" {
			s, err := parseStart(row[c.Start], unitOr(c.StartUnit))
			if err != nil {
				return nil, fmt.Errorf("sample %d: start column %q: %w", n, c.Start, err)
			}
			first, last = min(first, s), max(last, s+lat)
		}
	}
	if len(acc) == 0 {
		return nil, errors.New("no samples")
	}
	run := &Run{Format: FormatSamples, Meta: map[string]string{}}
	if last > first {
		run.DurationS = (last - first) / 1000
	}
	run.Ops, run.Total = buildOps(acc, run.DurationS, 0)
	return run, nil
}

// sampleOK tells whether a row is a success from its ok, error and status
// columns; a row passes when every named column says so.
func sampleOK(row map[string]string, c *Columns) (bool, error) {
	ok := true
	if c.OK != "" {
		switch strings.ToLower(strings.TrimSpace(row[c.OK])) {
		case "true", "1", "yes", "ok", "success", "t", "y":
		case "false", "0", "no", "ko", "failure", "fail", "f", "n":
			ok = false
		default:
			return false, fmt.Errorf("ok column %q: %q is not a truth value", c.OK, row[c.OK])
		}
	}
	if c.Error != "" && strings.TrimSpace(row[c.Error]) != "" {
		ok = false
	}
	if c.Status != "" {
		s, err := strconv.Atoi(strings.TrimSpace(row[c.Status]))
		if err != nil {
			return false, fmt.Errorf("status column %q: %q is not a number", c.Status, row[c.Status])
		}
		if s < 200 || s >= 400 {
			ok = false
		}
	}
	return ok, nil
}

// parseStart parses an RFC 3339 time or a number of Unix units into ms
// since the epoch.
func parseStart(s string, unit time.Duration) (float64, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v * float64(unit) / float64(time.Millisecond), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a number nor an RFC 3339 time", s)
	}
	return float64(t.UnixNano()) / 1e6, nil
}

// csvRows returns the rows of a CSV file with a header, keyed by header name.
func csvRows(r io.Reader) (func() (map[string]string, error), error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("CSV header: %w", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
	}
	return func() (map[string]string, error) {
		rec, err := cr.Read()
		if err != nil {
			return nil, err
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		return row, nil
	}, nil
}

// jsonRows returns the objects of a JSON-lines file, values as strings.
func jsonRows(r io.Reader) func() (map[string]string, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	return func() (map[string]string, error) {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			return nil, err
		}
		row := make(map[string]string, len(obj))
		for k, v := range obj {
			switch v := v.(type) {
			case nil:
				row[k] = ""
			case string:
				row[k] = v
			default:
				row[k] = fmt.Sprint(v)
			}
		}
		return row, nil
	}
}
