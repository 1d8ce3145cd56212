package compare

import (
	"fmt"
	"html/template"
	"io"
)

// htmlPage is the self-contained page WriteHTML fills: no scripts, no
// outside resources.
const htmlPage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>loadgen compare</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{padding:.2em .6em;text-align:right;border-bottom:1px solid #ddd}
th:first-child,td:first-child{text-align:left}
.slower{color:#b00020;font-weight:bold}.faster{color:#1b7f3b;font-weight:bold}
.warn{color:#a15c00}.fail{color:#b00020;font-weight:bold}
.note{color:#666;font-size:90%}
</style></head><body>
<h1>loadgen compare</h1>
{{range .}}
<section>
<p>baseline: <code>{{.Baseline.Source}}</code> ({{.Baseline.Format}})<br>
candidate: <code>{{.Candidate.Source}}</code> ({{.Candidate.Format}})</p>
{{range .Baseline.Warnings}}<p class="warn">baseline warning: {{.}}</p>{{end}}
{{range .Candidate.Warnings}}<p class="warn">candidate warning: {{.}}</p>{{end}}
{{range .MetaDiffs}}<p class="warn">{{.Key}} differs: {{.Baseline}} (baseline) vs {{.Candidate}} (candidate)</p>{{end}}
{{$conf := .Confidence}}
{{range .Rows}}{{$row := .}}
<h2>{{.Op}}</h2>
<table><tr><th></th>{{range columns}}<th>{{.}}</th>{{end}}</tr>
<tr><td>baseline</td>{{range columns}}<td>{{cell . $row.Baseline}}</td>{{end}}</tr>
<tr><td>candidate</td>{{range columns}}<td>{{cell . $row.Candidate}}</td>{{end}}</tr>
{{if and .Baseline .Candidate}}<tr><td>change</td>{{range columns}}<td>{{change . $row.Baseline $row.Candidate}}</td>{{end}}</tr>{{end}}
</table>
{{range .Verdicts}}<p class="{{class .Result}}">{{line . $conf}}</p>{{end}}
{{end}}
{{if .Failures}}<h2 class="fail">Gate failed</h2><ul>{{range .Failures}}<li>{{.Rule}} on {{.Op}}: {{.Message}}</li>{{end}}</ul>{{end}}
</section>
{{end}}
</body></html>
`

// WriteHTML writes the comparisons as one self-contained HTML page.
func WriteHTML(w io.Writer, cs []*Comparison) error {
	t, err := template.New("compare").Funcs(template.FuncMap{
		"columns": func() []string { return textColumns[:] },
		"cell":    cell,
		"change":  change,
		"line":    verdictLine,
		"class": func(r string) string {
			switch r {
			case ResultSlower:
				return "slower"
			case ResultFaster:
				return "faster"
			}
			return "note"
		},
	}).Parse(htmlPage)
	if err != nil {
		return fmt.Errorf("compare: html template: %w", err)
	}
	if err := t.Execute(w, cs); err != nil {
		return fmt.Errorf("compare: html: %w", err)
	}
	return nil
}
