package results

import (
	"fmt"
	"io"
	"sort"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// WriteVegeta writes the samples of the run folder dir, read from its sample
// stream, to w as vegeta's gob-encoded results (what `vegeta attack`
// writes), so `vegeta report`, `vegeta plot` and `vegeta encode` read them.
//
// Each (scenario, op) is one attack named "scenario/op". Within an attack,
// results are numbered (Seq) from 0 in the order of their start, with no
// gaps, as vegeta's plot requires; all results are written in the order of
// their start. A result's fields:
//
//	Timestamp  the op's actual start (wall time: the run's start plus the offset)
//	Latency    the sample's latency, from the intended start
//	Code       the final HTTP status; 0 when the op had none
//	Error      the error class ("http_5xx", "timeout", ...), "" for a success
//
// Bytes, bodies, methods, URLs and headers are not recorded and stay empty.
// vegeta counts a result a success by its Code (200-399), so an op that
// failed after a 2xx response (a crypto or protocol error) is a success to
// vegeta but has its Error set, and an op that made no HTTP call is a
// failure to vegeta even when it succeeded.
//
// The samples are sorted in memory (32 bytes each). Like Rebuild, it reads a
// killed run up to its last good frame and returns its warnings.
func WriteVegeta(dir string, w io.Writer) ([]string, error) {
	var (
		rows  []vegetaRow
		names = make(map[opKey]int32)
		keys  []opKey
		class = make(map[string]int32)
		cls   = []string{""}
	)
	rb := &rebuilder{onSample: func(m *sampleUS) {
		k := opKey{m.scenario, m.op}
		id, ok := names[k]
		if !ok {
			id = int32(len(keys))
			names[k] = id
			keys = append(keys, k)
		}
		var c int32
		if m.class != "" {
			if c, ok = class[m.class]; !ok {
				c = int32(len(cls))
				class[m.class] = c
				cls = append(cls, m.class)
			}
		}
		rows = append(rows, vegetaRow{start: m.start, latency: m.latency, attack: id, class: c,
			code: uint16(min(max(m.status, 0), 0xffff))})
	}}
	sum, warnings, err := rb.replay(dir)
	if err != nil {
		return warnings, fmt.Errorf("results: vegeta: %w", err)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].start < rows[j].start })

	attacks := make([]string, len(keys))
	for i, k := range keys {
		attacks[i] = k.scenario + "/" + k.op
	}
	seq := make([]uint64, len(keys))
	start := sum.Run.Start
	enc := vegeta.NewEncoder(w)
	var res vegeta.Result
	for _, r := range rows {
		res = vegeta.Result{
			Attack:    attacks[r.attack],
			Seq:       seq[r.attack],
			Code:      r.code,
			Timestamp: start.Add(time.Duration(r.start) * time.Microsecond),
			Latency:   time.Duration(max(r.latency, 0)) * time.Microsecond,
			Error:     cls[r.class],
		}
		seq[r.attack]++
		if err := enc.Encode(&res); err != nil {
			return warnings, fmt.Errorf("results: vegeta: %w", err)
		}
	}
	return warnings, nil
}

// vegetaRow is one sample kept for sorting: offsets in microseconds, the
// attack and error class as indexes.
type vegetaRow struct {
	start, latency int64
	attack, class  int32
	code           uint16
}
