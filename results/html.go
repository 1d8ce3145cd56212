package results

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"time"
)

// HTMLFile is the name of the HTML report in a run folder.
const HTMLFile = "report.html"

// WriteHTML writes the HTML report: one self-contained page that works
// offline (its script and styles are inline, it loads nothing). It draws,
// with inline SVG, latency over time (p50 and p99 per second) per op, the
// latency percentile distribution on a log axis, throughput and errors over
// time, late and dropped iterations, the generator's health, and the phase
// flame graph (the stacks of WriteFolded); tables below repeat the figures
// for readers without a script.
//
// series are the per-second figures (ReadSeries); nil draws the charts
// over time empty. Each chart's figure element gets data-series="N", the
// number of series it drew, once the page's script has run (and
// data-error if drawing failed), so a test can check the page in a
// browser.
func (s *Summary) WriteHTML(w io.Writer, series *Series) error {
	return s.writePage(w, s.htmlData(series), false)
}

// writePage writes report.html's page drawing data; a live page (the
// dashboard's) also follows the run through /events.
func (s *Summary) writePage(w io.Writer, d htmlData, live bool) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("results: %s: %w", HTMLFile, err)
	}
	page := htmlPage{
		S:         s,
		Title:     fmt.Sprintf("loadgen %s", s.Run.Name),
		Data:      template.JS(data), // json.Marshal escapes <, > and &
		Script:    template.JS(reportJS),
		Style:     template.CSS(reportCSS),
		Generated: s.Run.End.UTC().Format(time.RFC3339),
		Live:      live,
	}
	if live {
		page.Title = fmt.Sprintf("loadgen live: %s", s.Run.Name)
	}
	if err := reportTemplate().Execute(w, page); err != nil {
		return fmt.Errorf("results: %s: %w", HTMLFile, err)
	}
	return nil
}

// htmlPage is what the template sees.
type htmlPage struct {
	S         *Summary
	Title     string
	Data      template.JS
	Script    template.JS
	Style     template.CSS
	Generated string
	// Live is true on the dashboard's page: its tables are as of the
	// page's load, its charts follow /events.
	Live bool
}

// htmlData is the JSON the page's script draws from. Times over the run
// are seconds from its start; latencies are milliseconds; nil stands for
// "no value" (a second without samples).
type htmlData struct {
	Seconds    int64          `json:"seconds"`
	StartMS    int64          `json:"start_ms"` // Unix milliseconds of second 0
	Ops        []htmlOp       `json:"ops"`
	Scenarios  []htmlScenario `json:"scenarios"`
	Generators []htmlGen      `json:"generators"`
	Flame      *flameNode     `json:"flame"`
	Capacity   []htmlCapacity `json:"capacity"`
}

type htmlOp struct {
	Name   string     `json:"name"`
	Count  []int64    `json:"count"`
	Errors []int64    `json:"errors"`
	P50    []*float64 `json:"p50"`
	P99    []*float64 `json:"p99"`
	// Spectrum is [percentile, ms] pairs of the whole run's latency.
	Spectrum [][2]float64 `json:"spectrum"`
}

type htmlScenario struct {
	Name    string     `json:"name"`
	Points  [][3]int64 `json:"points"` // second, late, dropped
	Late    int64      `json:"late"`
	Dropped int64      `json:"dropped"`
}

// htmlGen is one generator's health over the run. CPU and LagMS are null
// in a second that did not measure them: a gap in the chart, not a 0.
type htmlGen struct {
	Name       string     `json:"name"`
	Second     []int64    `json:"second"`
	CPU        []*float64 `json:"cpu"`
	SchedMS    []float64  `json:"sched_ms"`
	LagMS      []*float64 `json:"lag_ms"`
	Goroutines []int      `json:"goroutines"`
	HeapMiB    []float64  `json:"heap_mib"`
	Saturated  []int64    `json:"saturated"` // seconds
}

// flameNode is one frame of the flame graph: its name, total microseconds
// and children, sorted by name.
type flameNode struct {
	Name     string       `json:"name"`
	Value    int64        `json:"value"`
	Children []*flameNode `json:"children,omitempty"`
}

// spectrumPercentiles are where the distribution chart samples the latency
// histogram: 1 − 10^(−k/4), from p0 to p99.999, and the maximum.
func spectrumPercentiles(n int64) []float64 {
	ps := allSpectrumPercentiles[:1]
	for _, p := range allSpectrumPercentiles[1:] {
		// Beyond 1/n of the samples a percentile is just the maximum.
		if 1/(1-p/100) > float64(n) {
			break
		}
		ps = allSpectrumPercentiles[:len(ps)+1]
	}
	return ps[:len(ps):len(ps)] // an append copies
}

// allSpectrumPercentiles are 1 − 10^(−k/4) for k = 0…20, in percent,
// rounded to 10 significant digits (short in JSON, where they are written
// every second on a live page).
var allSpectrumPercentiles = func() []float64 {
	var ps []float64
	for k := 0; k <= 20; k++ {
		p := 100 * (1 - math.Pow(10, -float64(k)/4))
		ps = append(ps, math.Round(p*1e8)/1e8)
	}
	return ps
}()

func (s *Summary) htmlData(series *Series) htmlData {
	d := htmlData{Ops: []htmlOp{}, Scenarios: []htmlScenario{}, Generators: []htmlGen{}}
	byName := make(map[opKey]*OpSeries)
	if series != nil {
		d.Seconds, d.StartMS = series.Seconds, series.Start.UnixMilli()
		for i := range series.Ops {
			o := &series.Ops[i]
			byName[opKey{o.Scenario, o.Op}] = o
		}
	} else {
		d.StartMS = s.Run.Start.UnixMilli()
	}
	for i := range s.Ops {
		o := &s.Ops[i]
		h := htmlOp{Name: o.Scenario + "/" + o.Op, Spectrum: s.spectrum(o)}
		if ser := byName[opKey{o.Scenario, o.Op}]; ser != nil {
			for _, p := range ser.Points {
				h.Count = append(h.Count, p.Count)
				h.Errors = append(h.Errors, p.Errors)
				if p.Count == 0 {
					h.P50, h.P99 = append(h.P50, nil), append(h.P99, nil)
					continue
				}
				p50, p99 := p.P50MS, p.P99MS
				h.P50, h.P99 = append(h.P50, &p50), append(h.P99, &p99)
			}
		}
		d.Ops = append(d.Ops, h)
	}

	counters := make(map[string]ScenarioSeries)
	var gens []GeneratorSeries
	if series != nil {
		for _, sc := range series.Scenarios {
			counters[sc.Name] = sc
		}
		gens = series.Generators
	}
	for _, sc := range s.Scenarios {
		h := htmlScenario{Name: sc.Name, Late: sc.Late, Dropped: sc.Dropped, Points: [][3]int64{}}
		if c, ok := counters[sc.Name]; ok {
			for _, p := range c.Points {
				h.Points = append(h.Points, [3]int64{p.Second, p.Late, p.Dropped})
			}
		} else {
			h.Points = append(h.Points, [3]int64{0, 0, 0}, [3]int64{d.Seconds, sc.Late, sc.Dropped})
		}
		d.Scenarios = append(d.Scenarios, h)
	}
	for _, g := range gens {
		d.Generators = append(d.Generators, genHTML(g.Name, g.Points))
	}
	d.Flame = flameTree(s.folded())
	d.Capacity = s.htmlCapacities()
	return d
}

// genHTML returns one generator's health records as the page draws them.
func genHTML(name string, points []Health) htmlGen {
	h := htmlGen{Name: name, Saturated: []int64{}}
	if h.Name == "" {
		h.Name = "generator"
	}
	for _, p := range points {
		h.Second = append(h.Second, p.Second)
		h.CPU = append(h.CPU, measured(p.CPUPercent))
		h.SchedMS = append(h.SchedMS, durMS(p.SchedLatencyP99))
		h.LagMS = append(h.LagMS, lagMS(p))
		h.Goroutines = append(h.Goroutines, p.Goroutines)
		h.HeapMiB = append(h.HeapMiB, float64(p.HeapBytes)/(1<<20))
		if p.Saturated {
			h.Saturated = append(h.Saturated, p.Second)
		}
	}
	return h
}

// spectrum returns o's latency at spectrumPercentiles and its maximum (as
// percentile 100), from the histogram when the Summary has it, else from
// the reported percentiles.
func (s *Summary) spectrum(o *OpSummary) [][2]float64 {
	out := [][2]float64{}
	if o.Count == 0 {
		return out
	}
	if rec := s.rec(o); rec != nil {
		for _, p := range spectrumPercentiles(o.Count) {
			out = append(out, [2]float64{p, usToMS(rec.latency.percentileUS(p))})
		}
		return append(out, [2]float64{100, usToMS(rec.latency.max)})
	}
	l := o.LatencyMS
	return append(out, [2]float64{0, l.Min}, [2]float64{50, l.P50}, [2]float64{75, l.P75}, [2]float64{90, l.P90},
		[2]float64{95, l.P95}, [2]float64{99, l.P99}, [2]float64{99.9, l.P999}, [2]float64{100, l.Max})
}

// flameTree folds stacks into a tree under a root named "all".
func flameTree(lines []foldedLine) *flameNode {
	root := &flameNode{Name: "all"}
	for _, l := range lines {
		n := root
		n.Value += l.us
		for _, f := range l.stack {
			var c *flameNode
			for _, x := range n.Children {
				if x.Name == f {
					c = x
					break
				}
			}
			if c == nil {
				c = &flameNode{Name: f}
				n.Children = append(n.Children, c)
			}
			c.Value += l.us
			n = c
		}
	}
	var sortTree func(n *flameNode)
	sortTree = func(n *flameNode) {
		sort.Slice(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
		for _, c := range n.Children {
			sortTree(c)
		}
	}
	sortTree(root)
	return root
}

// measured returns v, or nil for NaN (not measured), which JSON cannot
// carry: a chart leaves a gap there instead of plotting a 0.
func measured(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// lagMS returns h's start-lag p99 in milliseconds, or nil for a second in
// which no open iteration started on time (none measured).
func lagMS(h Health) *float64 {
	if h.StartLags == 0 {
		return nil
	}
	return measured(durMS(h.StartLagP99))
}

// reportTemplate returns the page's template with its helpers.
func reportTemplate() *template.Template {
	return template.Must(template.New(HTMLFile).Funcs(template.FuncMap{
		"ms": func(v float64) string { return fmt.Sprintf("%.3f", v) },
		"optms": func(v *float64) string {
			if v == nil {
				return "not measured"
			}
			return fmt.Sprintf("%.3f ms", *v)
		},
		"optpct": func(v *float64) string {
			if v == nil {
				return "not measured"
			}
			return fmt.Sprintf("%.1f%%", *v)
		},
		"pct": func(n, of int64) string {
			if of == 0 {
				return "0%"
			}
			return fmt.Sprintf("%.2f%%", 100*float64(n)/float64(of))
		},
		"rate":   func(v float64) string { return fmt.Sprintf("%.2f", v) },
		"share":  func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) },
		"utc":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"sorted": sortedKeys[int64],
	}).Parse(reportHTML))
}
