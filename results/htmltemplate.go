package results

// reportHTML is the html/template of report.html. The Content-Security-
// Policy forbids every fetch: the page is whole as written.
const reportHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>{{.Title}}</title>
<style>{{.Style}}</style>
</head>
<body>
<header>
<h1>loadgen run <q>{{.S.Run.Name}}</q></h1>
<p class="meta">{{utc .S.Run.Start}} → {{utc .S.Run.End}} ({{printf "%.1f" .S.Run.DurationS}} s)
{{- with .S.Run.Target}} · target {{.}}{{end}}
{{- with .S.Run.Shard}} · shard {{.}}{{end}}
{{- with .S.Run.Version}} · loadgen {{.}}{{end}}{{with .S.Run.Commit}} {{.}}{{end}}
{{- if .S.Run.Host.GOMAXPROCS}} · {{.S.Run.Host.CPU}}, GOMAXPROCS {{.S.Run.Host.GOMAXPROCS}}{{end}}</p>
{{- if .S.Generator.Saturated}}
<p class="alarm">The load generator was saturated for {{.S.Generator.SaturatedSeconds}} s (first at second {{.S.Generator.FirstSaturated}}):
its own CPU or scheduling delayed requests, so these figures describe the generator as much as the target.</p>
{{- end}}
<nav><a href="#ops">operations</a> <a href="#latency">latency over time</a> <a href="#distribution">distribution</a>
<a href="#throughput">throughput and errors</a> <a href="#late">late and dropped</a> <a href="#generator">generator</a>
<a href="#phases">phases</a> <a href="#thresholds">thresholds</a></nav>
<noscript><p class="alarm">Charts need JavaScript; the tables below have every figure.</p></noscript>
</header>

<section id="ops">
<h2>Operations</h2>
<p class="note">Latency in milliseconds, from the intended start (open executors); percentiles from HdrHistograms at 3 significant digits, mean and standard deviation exact.</p>
<table>
<thead><tr><th>scenario/op</th><th>count</th><th>errors</th><th>per s</th><th>p50</th><th>p75</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th><th>stddev</th></tr></thead>
<tbody>
{{- range .S.Ops}}
<tr><td>{{.Scenario}}/{{.Op}}</td><td>{{.Count}}</td><td>{{.Errors}} ({{pct .Errors .Count}})</td><td>{{rate .ThroughputPerS}}</td>
<td>{{ms .LatencyMS.P50}}</td><td>{{ms .LatencyMS.P75}}</td><td>{{ms .LatencyMS.P90}}</td><td>{{ms .LatencyMS.P95}}</td><td>{{ms .LatencyMS.P99}}</td><td>{{ms .LatencyMS.P999}}</td><td>{{ms .LatencyMS.Max}}</td><td>{{ms .LatencyMS.Mean}}</td><td>{{ms .LatencyMS.StdDev}}</td></tr>
{{- end}}
</tbody>
</table>
</section>

<section id="latency">
<h2>Latency over time</h2>
<p class="note">p50 and p99 of the samples that started in each second (2 significant digits), in milliseconds.</p>
{{- range $i, $o := .S.Ops}}
<figure class="chart" data-chart="latency" data-op="{{$i}}"><figcaption>{{$o.Scenario}}/{{$o.Op}}</figcaption></figure>
{{- end}}
</section>

<section id="distribution">
<h2>Latency distribution</h2>
<p class="note">Latency (ms) at each percentile of the whole run; the percentile axis is logarithmic in 1/(1−p), so the tail has room.</p>
<figure class="chart" data-chart="spectrum"><figcaption>percentile distribution</figcaption></figure>
</section>

<section id="throughput">
<h2>Throughput and errors</h2>
<figure class="chart" data-chart="throughput"><figcaption>samples started per second</figcaption></figure>
<figure class="chart" data-chart="errors"><figcaption>failed samples per second</figcaption></figure>
<table>
<thead><tr><th>scenario/op</th><th>error class</th><th>count</th></tr></thead>
<tbody>
{{- range .S.Ops}}{{$o := .}}{{range sorted .ErrorClasses}}
<tr><td>{{$o.Scenario}}/{{$o.Op}}</td><td>{{.}}</td><td>{{index $o.ErrorClasses .}}</td></tr>
{{- end}}{{end}}
</tbody>
</table>
</section>

<section id="late">
<h2>Late and dropped iterations</h2>
<p class="note">Running totals per scenario: late iterations started after their intended time, dropped ones were later than max_lateness. The stream records them once per flush (1 s).</p>
<figure class="chart" data-chart="late"><figcaption>late (solid) and dropped (dashed), running totals</figcaption></figure>
<table>
<thead><tr><th>scenario</th><th>iterations</th><th>failed</th><th>late</th><th>dropped</th><th>iteration p50</th><th>p99</th><th>max</th></tr></thead>
<tbody>
{{- range .S.Scenarios}}
<tr><td>{{.Name}}</td><td>{{.Iterations}}</td><td>{{.Failed}}</td><td>{{.Late}}</td><td>{{.Dropped}}</td><td>{{ms .IterationMS.P50}}</td><td>{{ms .IterationMS.P99}}</td><td>{{ms .IterationMS.Max}}</td></tr>
{{- end}}
</tbody>
</table>
</section>

<section id="generator">
<h2>Generator health</h2>
<p class="note">The load generator's own process: CPU (100% = one core), Go scheduler latency and start lag (actual − intended start), p99 per second. Shaded seconds were saturated.</p>
<figure class="chart" data-chart="cpu"><figcaption>CPU %</figcaption></figure>
<figure class="chart" data-chart="sched"><figcaption>scheduler latency p99 and start lag p99 (ms)</figcaption></figure>
<figure class="chart" data-chart="heap"><figcaption>heap (MiB)</figcaption></figure>
<table>
<thead><tr><th>CPU max</th><th>scheduler latency p99 (max)</th><th>start lag p99 (max)</th><th>seconds</th><th>saturated</th></tr></thead>
<tbody><tr><td>{{optpct .S.Generator.CPUMaxPct}}</td><td>{{optms .S.Generator.SchedLatencyP99MS}}</td><td>{{optms .S.Generator.StartLagP99MS}}</td><td>{{.S.Generator.Seconds}}</td><td>{{if .S.Generator.Saturated}}yes, {{.S.Generator.SaturatedSeconds}} s{{else}}no{{end}}</td></tr></tbody>
</table>
</section>

<section id="phases">
<h2>Phases</h2>
<p class="note">Where the service time goes, summed over the run (the stacks of phases.folded). Phases may overlap, so an op's frame is its service time plus its overlap. Click a frame to zoom, the bottom frame to zoom out.</p>
<figure class="chart flame" data-chart="flame"><figcaption>phase flame graph</figcaption></figure>
<table>
<thead><tr><th>scenario/op</th><th>phase</th><th>count</th><th>share</th><th>p50</th><th>p99</th><th>max</th><th>mean</th></tr></thead>
<tbody>
{{- range .S.Ops}}{{$o := .}}{{range .Phases}}
<tr><td>{{$o.Scenario}}/{{$o.Op}}</td><td>{{.Name}}</td><td>{{.Count}}</td><td>{{share .Share}}</td><td>{{ms .LatencyMS.P50}}</td><td>{{ms .LatencyMS.P99}}</td><td>{{ms .LatencyMS.Max}}</td><td>{{ms .LatencyMS.Mean}}</td></tr>
{{- end}}{{with .UnaccountedMS}}
<tr><td>{{$o.Scenario}}/{{$o.Op}}</td><td><em>unaccounted</em></td><td>{{if $o.PhasedCount}}{{$o.PhasedCount}}{{else}}{{$o.Count}}{{end}}</td><td>{{share $o.UnaccountedShare}}</td><td>{{ms .P50}}</td><td>{{ms .P99}}</td><td>{{ms .Max}}</td><td>{{ms .Mean}}</td></tr>
{{- end}}{{end}}
</tbody>
</table>
</section>

<section id="thresholds">
<h2>Thresholds</h2>
{{- if .S.Thresholds}}
<table>
<thead><tr><th>verdict</th><th>key</th><th>expression</th><th>value</th><th>why</th></tr></thead>
<tbody>
{{- range .S.Thresholds}}
<tr class="{{if .OK}}ok{{else}}fail{{end}}"><td>{{if .OK}}ok{{else}}FAIL{{end}}</td><td>{{.Key}}</td><td>{{.Expr}}</td><td>{{printf "%.4g" .Value}}</td><td>{{.Message}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p class="note">No thresholds were evaluated.</p>
{{- end}}
</section>

<footer>report.html written by loadgen for the run ending {{.Generated}}; self-contained, it loads nothing.</footer>
<script>
const DATA = {{.Data}};
{{.Script}}
</script>
</body>
</html>
`
