package compare

import (
	"errors"
	"fmt"
	"io"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// vegetaDefaultOp is the op of vegeta results without an attack name: a raw
// HTTP request, as loadgen's http op.
const vegetaDefaultOp = "http"

// readVegeta reads vegeta results (gob, JSON or CSV, detected by vegeta's
// DecoderFor) into a Run. Each attack name is an op (mapped through m); an
// unnamed attack is the op "http". A result is an error, as in vegeta's own
// metrics, when it has an error message or a status outside 200–399.
// Latencies keep vegeta's nanoseconds, as float milliseconds.
func readVegeta(r io.Reader, m *Mapping) (*Run, error) {
	dec := vegeta.DecoderFor(r)
	if dec == nil {
		return nil, errors.New("not vegeta results (gob, JSON or CSV)")
	}
	acc := make(map[string]*opAcc)
	var first, last time.Time
	n := 0
	for {
		var res vegeta.Result
		err := dec.Decode(&res)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("vegeta result %d: %w", n+1, err)
		}
		n++
		if res.Latency < 0 {
			return nil, fmt.Errorf("vegeta result %d: latency %v is negative; want 0 or more", n, res.Latency)
		}
		name := res.Attack
		if name == "" {
			name = vegetaDefaultOp
		}
		a := accFor(acc, m.Op(name))
		a.b.add(float64(res.Latency)/float64(time.Millisecond), 1)
		if res.Error != "" || res.Code < 200 || res.Code >= 400 {
			a.errors++
		}
		if first.IsZero() || res.Timestamp.Before(first) {
			first = res.Timestamp
		}
		if e := res.End(); e.After(last) {
			last = e
		}
	}
	if n == 0 {
		return nil, errors.New("vegeta results: no results")
	}
	run := &Run{Format: FormatVegeta, Meta: map[string]string{"tool": "vegeta"}, DurationS: last.Sub(first).Seconds()}
	run.Ops, run.Total = buildOps(acc, run.DurationS, 0)
	return run, nil
}
