package compare

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// textColumns are the metrics of the text and HTML tables, in order.
var textColumns = [...]string{"count", "errors", "throughput", "min", "p50", "p75", "p95", "p99", "max", "mean", "stddev"}

// WriteText writes the comparisons as plain text tables, one block per op.
func WriteText(w io.Writer, cs []*Comparison) error {
	ew := &errWriter{w: w}
	for i, c := range cs {
		if i > 0 {
			ew.printf("\n")
		}
		writeTextComparison(ew, c)
	}
	return ew.err
}

func writeTextComparison(w *errWriter, c *Comparison) {
	side := func(label string, r RunInfo) {
		w.printf("%-10s %s (%s", label, r.Source, r.Format)
		if v := r.Meta["version"]; v != "" {
			w.printf(", %s %s", r.Meta["tool"], v)
		}
		if d := float64(r.DurationS); !math.IsNaN(d) {
			w.printf(", %.1fs", d)
		}
		w.printf(")\n")
		for _, x := range r.Warnings {
			w.printf("  warning: %s\n", x)
		}
	}
	side("baseline:", c.Baseline)
	side("candidate:", c.Candidate)
	for _, d := range c.MetaDiffs {
		w.printf("warning: %s differs: %q (baseline) vs %q (candidate)\n", d.Key, d.Baseline, d.Candidate)
	}
	for _, row := range c.Rows {
		w.printf("\n%s\n", row.Op)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "\t%s\t\n", strings.Join(textColumns[:], "\t"))
		for _, s := range []struct {
			label string
			f     *Figures
		}{{"baseline", row.Baseline}, {"candidate", row.Candidate}} {
			fmt.Fprintf(tw, "%s\t", s.label)
			for _, m := range textColumns {
				fmt.Fprintf(tw, "%s\t", cell(m, s.f))
			}
			fmt.Fprintln(tw)
		}
		if row.Baseline != nil && row.Candidate != nil {
			fmt.Fprintf(tw, "change\t")
			for _, m := range textColumns {
				fmt.Fprintf(tw, "%s\t", change(m, row.Baseline, row.Candidate))
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			w.fail(err)
		}
		for _, v := range row.Verdicts {
			w.printf("  %s\n", verdictLine(v, c.Confidence))
		}
		for _, s := range []*Figures{row.Baseline, row.Candidate} {
			if s != nil && s.Note != "" && s.Kind == KindEstimate {
				w.printf("  note: %s\n", s.Note)
			}
		}
	}
	if len(c.Failures) > 0 {
		w.printf("\ngate FAILED:\n")
		for _, f := range c.Failures {
			w.printf("  %s on %s: %s\n", f.Rule, f.Op, f.Message)
		}
	}
}

// verdictLine says one verdict in a line.
func verdictLine(v Verdict, conf float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", v.Metric, signedMS(float64(v.Delta)))
	if !math.IsNaN(float64(v.Low)) {
		fmt.Fprintf(&b, " [%s, %s] (%s, %.0f%%)", signedMS(float64(v.Low)), signedMS(float64(v.High)), v.Method, conf*100)
	}
	fmt.Fprintf(&b, ": %s", v.Result)
	if v.Note != "" {
		fmt.Fprintf(&b, " — %s", v.Note)
	}
	return b.String()
}

// cell formats one figure for a table.
func cell(metric string, f *Figures) string {
	if f == nil {
		return "—"
	}
	v := f.Value(metric)
	if math.IsNaN(v) {
		return "—"
	}
	if metric == "errors" {
		if r := float64(f.ErrorRate); !math.IsNaN(r) && f.Count > 0 {
			return fmt.Sprintf("%d (%.2f%%)", f.Errors, r*100)
		}
	}
	return fmtValue(metric, v)
}

// change formats the change of one figure: percentage points for errors,
// percent for the rest.
func change(metric string, b, c *Figures) string {
	if metric == "errors" {
		rb, rc := float64(b.ErrorRate), float64(c.ErrorRate)
		if math.IsNaN(rb) || math.IsNaN(rc) {
			return "—"
		}
		return fmt.Sprintf("%+.2fpp", (rc-rb)*100)
	}
	x, y := b.Value(metric), c.Value(metric)
	switch {
	case math.IsNaN(x) || math.IsNaN(y):
		return "—"
	case x == y:
		return "0%"
	case x == 0:
		return "new"
	}
	return fmt.Sprintf("%+.1f%%", (y-x)/math.Abs(x)*100)
}

// signedMS formats a signed millisecond value.
func signedMS(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	s := fmtMS(v)
	if v >= 0 {
		s = "+" + s
	}
	return s
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.fail(err)
	return n, err
}

func (e *errWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }

func (e *errWriter) fail(err error) {
	if e.err == nil && err != nil {
		e.err = err
	}
}
