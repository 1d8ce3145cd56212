package results

import _ "embed" // report.html's template, script and styles

// The HTML report's parts, kept as files under assets/ so an editor, a
// linter or a browser's devtools see them as what they are.
var (
	// reportHTML is the html/template of report.html. Its Content-Security-
	// Policy forbids every fetch: the page is whole as written.
	//go:embed assets/report.html.tmpl
	reportHTML string

	// reportJS draws report.html's charts from DATA with inline SVG. Every
	// chart's figure gets data-series (the number of series drawn) or
	// data-error; the body gets data-rendered when all are done.
	//go:embed assets/report.js
	reportJS string

	// reportCSS styles report.html.
	//go:embed assets/report.css
	reportCSS string
)
