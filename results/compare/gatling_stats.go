package compare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
)

// Gatling's report writes js/stats.json (a tree: the "All Requests" group,
// its requests and subgroups under "contents", each with "stats") and
// js/global_stats.json (the root's stats alone). Every figure has "total",
// "ok" and "ko" parts; older versions write them as strings, and "-" for
// none. Response times are whole milliseconds; percentiles1..4 are t-digest
// estimates (AVLTreeDigest, compression 100) at the ranks set in
// gatling.conf, 50, 75, 95 and 99 unless changed. The report's index.html
// names the ranks ("95th pct"); they are read from there when it is found
// beside the js folder.

// gatlingStatsNote explains what Gatling's percentiles are.
const gatlingStatsNote = "Gatling percentiles: t-digest estimates rounded to whole ms"

// defaultGatlingRanks are the ranks of Gatling's percentiles1..4 unless
// gatling.conf changed them.
func defaultGatlingRanks() [4]float64 { return [4]float64{50, 75, 95, 99} }

type gatlingNode struct {
	Type     string                 `json:"type"`
	Name     string                 `json:"name"`
	Stats    *gatlingStats          `json:"stats"`
	Contents map[string]gatlingNode `json:"contents"`
}

type gatlingStats struct {
	Name           string      `json:"name"`
	Requests       gatlingPart `json:"numberOfRequests"`
	Min            gatlingPart `json:"minResponseTime"`
	Max            gatlingPart `json:"maxResponseTime"`
	Mean           gatlingPart `json:"meanResponseTime"`
	StdDev         gatlingPart `json:"standardDeviation"`
	P1             gatlingPart `json:"percentiles1"`
	P2             gatlingPart `json:"percentiles2"`
	P3             gatlingPart `json:"percentiles3"`
	P4             gatlingPart `json:"percentiles4"`
	RequestsPerSec gatlingPart `json:"meanNumberOfRequestsPerSecond"`
}

type gatlingPart struct {
	Total gatlingNum `json:"total"`
	KO    gatlingNum `json:"ko"`
}

// gatlingNum is a number written as a JSON number or string; "-" or
// missing is NaN.
type gatlingNum float64

func (n *gatlingNum) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if string(b) == "-" || string(b) == "null" || len(b) == 0 {
		*n = gatlingNum(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("gatling stats: %q is not a number", b)
	}
	*n = gatlingNum(v)
	return nil
}

// isGatlingStats reports whether a JSON document looks like stats.json or
// global_stats.json.
func isGatlingStats(b []byte) bool {
	return bytes.Contains(b, []byte(`"numberOfRequests"`))
}

// readGatlingStats reads stats.json or global_stats.json. ranks are the
// ranks of percentiles1..4.
func readGatlingStats(b []byte, ranks [4]float64, m *Mapping) (*Run, error) {
	var root gatlingNode
	if err := json.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("gatling stats: %w", err)
	}
	run := &Run{Format: FormatGatlingStats, Meta: map[string]string{"tool": "gatling"}}
	if root.Stats == nil {
		// global_stats.json: the stats object itself.
		var s gatlingStats
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("gatling stats: %w", err)
		}
		run.Total = gatlingOp("", &s, ranks)
		run.Warnings = append(run.Warnings, "global_stats.json holds all requests together, no per-request figures")
		return run, nil
	}
	run.Total = gatlingOp("", root.Stats, ranks)
	byName := make(map[string]*Op)
	var walk func(n gatlingNode, path string) error
	walk = func(n gatlingNode, path string) error {
		keys := make([]string, 0, len(n.Contents))
		for k := range n.Contents {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := n.Contents[k]
			name := c.Name
			if c.Stats != nil && name == "" {
				name = c.Stats.Name
			}
			switch c.Type {
			case "REQUEST":
				if c.Stats == nil {
					continue
				}
				op := m.Op(name)
				if path != "" && byName[op] != nil {
					op = path + "/" + op
				}
				if byName[op] != nil {
					return fmt.Errorf("gatling stats: request %q appears twice", op)
				}
				byName[op] = gatlingOp(op, c.Stats, ranks)
			case "GROUP":
				p := name
				if path != "" {
					p = path + "/" + name
				}
				if err := walk(c, p); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(root, ""); err != nil {
		return nil, err
	}
	for _, o := range byName {
		run.Ops = append(run.Ops, o)
	}
	sort.Slice(run.Ops, func(i, j int) bool { return run.Ops[i].Name < run.Ops[j].Name })
	if r := run.Total.ThroughputPerS; r > 0 {
		run.DurationS = float64(run.Total.Count) / r
	}
	return run, nil
}

// gatlingOp turns one stats object into an Op of kind KindEstimate.
func gatlingOp(name string, s *gatlingStats, ranks [4]float64) *Op {
	st := unknownStats()
	st.Min, st.Max = float64(s.Min.Total), float64(s.Max.Total)
	st.Mean, st.StdDev = float64(s.Mean.Total), float64(s.StdDev.Total)
	for i, p := range [4]gatlingNum{s.P1.Total, s.P2.Total, s.P3.Total, s.P4.Total} {
		setPercentile(&st, ranks[i], float64(p))
	}
	ko := float64(s.Requests.KO)
	if math.IsNaN(ko) {
		ko = 0
	}
	return &Op{Name: name, Count: int64(s.Requests.Total), Errors: int64(ko), ThroughputPerS: float64(s.RequestsPerSec.Total),
		Stats: st, Kind: KindEstimate, Resolution: 1, Note: gatlingStatsNote}
}

// setPercentile sets the Stats field of rank p (50, 75, 90, 95, 99), if
// there is one.
func setPercentile(st *Stats, p, v float64) bool {
	switch p {
	case 50:
		st.P50 = v
	case 75:
		st.P75 = v
	case 90:
		st.P90 = v
	case 95:
		st.P95 = v
	case 99:
		st.P99 = v
	default:
		return false
	}
	return true
}

// pctLabel matches the percentile labels of Gatling's index.html.
var pctLabel = regexp.MustCompile(`([0-9]+(?:\.[0-9]+)?)th pct`)

// gatlingRanks returns the percentile ranks named in the index.html of the
// report holding the stats file at path, or the defaults.
func gatlingRanks(path string) [4]float64 {
	ranks := defaultGatlingRanks()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(path)), "index.html"))
	if err != nil {
		return ranks
	}
	ms := pctLabel.FindAllSubmatch(b, -1)
	var found []float64
	seen := make(map[float64]bool)
	for _, mm := range ms {
		v, err := strconv.ParseFloat(string(mm[1]), 64)
		if err == nil && !seen[v] {
			seen[v] = true
			found = append(found, v)
		}
	}
	if len(found) == 4 {
		copy(ranks[:], found)
	}
	return ranks
}
