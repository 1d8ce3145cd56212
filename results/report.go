package results

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Text writes the human-readable report (report.txt): the run, the
// verdicts (a loud warning if the generator was saturated, and why; any
// scenario held back by its own worker cap), latency and service-time
// tables per op, error classes and statuses, a phase table per op that
// reported phases, scenarios, the generator's health and the threshold
// verdicts. It returns the first write error.
func (s *Summary) Text(w io.Writer) error {
	ew := &errWriter{w: w}
	s.textHeader(ew)
	s.textStreamLoss(ew)
	s.textVerdicts(ew)
	s.textOps(ew, "Latency (ms, from the intended start)", func(o *OpSummary) Stats { return o.LatencyMS })
	s.textOps(ew, "Service time (ms, from the actual start)", func(o *OpSummary) Stats { return o.ServiceTimeMS })
	s.textErrors(ew)
	s.textPhases(ew)
	s.textScenarios(ew)
	s.textCapacity(ew)
	s.textGenerator(ew)
	s.textThresholds(ew)
	s.textVerdicts(ew)
	return ew.err
}

// Headline writes what the console shows at the end of a run: the run,
// the verdicts, the latency table, errors and thresholds. The rest of Text
// (service time, phases, scenarios, generator health) is for report.txt.
func (s *Summary) Headline(w io.Writer) error {
	ew := &errWriter{w: w}
	s.textHeader(ew)
	s.textStreamLoss(ew)
	s.textVerdicts(ew)
	s.textOps(ew, "Latency (ms, from the intended start)", func(o *OpSummary) Stats { return o.LatencyMS })
	s.textErrors(ew)
	s.textCapacity(ew)
	s.textThresholds(ew)
	return ew.err
}

// errWriter keeps the first write error and skips later writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	_, e.err = e.w.Write(p)
	return len(p), nil
}

func (e *errWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }

// table returns a tabwriter on e; the caller flushes it.
func table(e *errWriter) *tabwriter.Writer {
	return tabwriter.NewWriter(e, 0, 0, 2, ' ', tabwriter.AlignRight)
}

func (s *Summary) textHeader(e *errWriter) {
	r := s.Run
	e.printf("loadgen run %q  %s → %s  (%.1f s)\n", r.Name, r.Start.UTC().Format(time.RFC3339),
		r.End.UTC().Format(time.RFC3339), r.DurationS)
	var parts []string
	if r.Target != "" {
		parts = append(parts, "target "+r.Target)
	}
	if r.Shard != "" {
		parts = append(parts, "shard "+r.Shard)
	}
	if r.Version != "" || r.Commit != "" {
		parts = append(parts, "version "+strings.TrimSpace(r.Version+" "+r.Commit))
	}
	if r.Host.GOMAXPROCS > 0 {
		parts = append(parts, fmt.Sprintf("host %s, GOMAXPROCS %d, %s", r.Host.CPU, r.Host.GOMAXPROCS, r.Host.Kernel))
	}
	if len(parts) > 0 {
		e.printf("%s\n", strings.Join(parts, "  "))
	}
}

// textStreamLoss says that the sample stream lacks samples, when it does.
func (s *Summary) textStreamLoss(e *errWriter) {
	l := s.StreamLoss
	if l == nil {
		return
	}
	n := fmt.Sprintf("%d samples", l.Samples)
	if l.AtLeast {
		n = "at least " + n
	}
	if s.rebuilt {
		e.printf("\n!!!!! LOST: this report, rebuilt from %s, lacks %s of the run: %s !!!!!\n", StreamFile, n, l.Reason)
		return
	}
	e.printf("\n!!!!! %s lacks %s of this run: %s. This report is from memory; `loadgen report` would rebuild less. !!!!!\n", StreamFile, n, l.Reason)
}

// textVerdicts writes the generator's verdict (saturated, and why, with
// what to do) and every scenario its own worker cap held back.
func (s *Summary) textVerdicts(e *errWriter) {
	for _, line := range s.WorkerCapVerdicts() {
		e.printf("\n! %s\n", line)
	}
	g := s.Generator
	if !g.Saturated {
		return
	}
	what, delays := "THE LOAD GENERATOR WAS SATURATED", "Its own delays"
	if g.BusyMachineOnly() {
		what, delays = "THE MACHINE WAS TOO BUSY: THE LOAD GENERATOR WAITED FOR A CPU", "Those waits"
	}
	// Seconds are numbered as the progress lines count them: the line at
	// 1s reports second 0 (from 0 s to 1 s).
	e.printf("\n!!!!! WARNING: %s in %d of %d seconds (first at %ds). !!!!!\n",
		what, g.SaturatedSeconds, g.Seconds, g.FirstSaturated+1)
	e.printf("!!!!! %s are in these latencies; do not trust them as the target's. !!!!!\n", delays)
	for _, c := range s.SaturationCauses() {
		e.printf("  %s\n", c)
	}
}

// SaturationCauses returns one line per cause of the generator's saturated
// seconds, most seconds first: what it was, with the figure that shows it,
// and what to do.
func (s *Summary) SaturationCauses() []string {
	g := s.Generator
	causes := make([]string, 0, len(g.Causes))
	for c := range g.Causes {
		causes = append(causes, c)
	}
	sort.Slice(causes, func(i, j int) bool {
		a, b := g.Causes[causes[i]], g.Causes[causes[j]]
		return a > b || a == b && causes[i] < causes[j]
	})
	cores := s.Run.Host.GOMAXPROCS
	var out []string
	for _, c := range causes {
		var what, todo string
		switch c {
		case CauseCrypto:
			what = fmt.Sprintf("client crypto used the CPU (crypto:* phases up to %s of a core; process %s)", pct(g.CryptoCPUMaxPct), pct(g.CPUMaxPct))
			todo = "run more shards (--shards), lower the rate, or give the pod more CPU"
		case CauseService:
			what = fmt.Sprintf("the embedded service shares loadgen's process (its handlers up to %s of a core)", pct(g.ServiceCPUMaxPct))
			todo = "run it apart (loadgen serve on another machine) or point target.url at a real service"
		case CauseGC:
			what = fmt.Sprintf("Go's garbage collector used the CPU (up to %s of a core)", pct(g.GCCPUMaxPct))
			todo = "fewer workers, or raise GOGC / GOMEMLIMIT"
		case CauseCPU:
			what = fmt.Sprintf("loadgen's own work (dispatch, HTTP, recording) used the CPU (up to %s of %d cores; busiest thread %s, runnable %s)", pct(g.CPUMaxPct), cores, pct(g.ThreadCPUMaxPct), pct(g.ThreadRunnableMaxPct))
			todo = "run more shards (--shards), lower the rate, or give the pod more CPU"
		case CauseScheduler:
			what = fmt.Sprintf("goroutines waited for a CPU (Go scheduler p99 up to %s ms, start lag p99 up to %s ms) though the process was not CPU-bound", optMS(g.SchedLatencyP99MS), optMS(g.StartLagP99MS))
			todo = "give the pod more CPU (GOMAXPROCS), or lower the rate"
		case CauseMachine:
			what = fmt.Sprintf("other processes on the machine took the CPU (loadgen's threads waited up to %s of a second for one)", pct(g.RunQueueMaxPct))
			todo = "run on a quieter machine, or give the pod dedicated CPU"
		default:
			what, todo = "cause not recorded (an older loadgen)", "rerun to learn it"
		}
		out = append(out, fmt.Sprintf("%s in %d s: %s; %s.", causeName(c), g.Causes[c], what, todo))
	}
	return out
}

// causeName is a cause's label in the console.
func causeName(c string) string {
	switch c {
	case CauseCrypto:
		return "client crypto CPU"
	case CauseService:
		return "embedded service CPU"
	case CauseGC:
		return "GC CPU"
	case CauseCPU:
		return "loadgen CPU"
	case CauseScheduler:
		return "scheduler"
	case CauseMachine:
		return "busy machine"
	}
	return c
}

// WorkerCapVerdicts returns one line per scenario whose own worker cap
// bound, with the arithmetic (Little's law: in flight = rate × service
// time) and what to raise. Seconds are counted out of those the
// generator measured, as the saturation verdict counts them.
func (s *Summary) WorkerCapVerdicts() []string {
	total := s.Generator.Seconds
	if total == 0 {
		total = int64(math.Ceil(s.Run.DurationS))
	}
	var out []string
	for _, sc := range s.Scenarios {
		if sc.MaxWorkersReachedS == 0 {
			continue
		}
		of := max(total, sc.MaxWorkersReachedS)
		head := fmt.Sprintf("scenario %s: max_workers (%d) was reached in %d of %d s", sc.Name, sc.MaxWorkers, sc.MaxWorkersReachedS, of)
		raise := "raise max_workers"
		if sc.MaxWorkersBudget {
			head = fmt.Sprintf("scenario %s: target.max_workers left it %d workers, all busy in %d of %d s", sc.Name, sc.MaxWorkers, sc.MaxWorkersReachedS, of)
			raise = "raise target.max_workers"
		}
		if sc.Iterations > 0 && sc.PeakRatePerS > 0 {
			svc := sc.IterationMS.Mean
			head += fmt.Sprintf(": at %s/s × %s ms service time ~%.0f must be in flight", num(sc.PeakRatePerS), num(svc), math.Ceil(sc.PeakRatePerS*svc/1000))
		}
		out = append(out, head+"; "+raise+" (the latencies include the wait for a worker)")
	}
	return out
}

// num formats a rate or a time to three significant digits, without
// exponent for everyday sizes.
func num(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// pct formats a percentage of a core, or "not measured".
func pct(v *float64) string {
	if v == nil {
		return "not measured"
	}
	return fmt.Sprintf("%.0f%%", *v)
}

// optMS formats milliseconds, or "not measured".
func optMS(v *float64) string {
	if v == nil {
		return "not measured"
	}
	return ms(*v)
}

func (s *Summary) textOps(e *errWriter, title string, pick func(*OpSummary) Stats) {
	e.printf("\n%s\n", title)
	if len(s.Ops) == 0 {
		e.printf("  no samples\n")
		return
	}
	tw := table(e)
	fmt.Fprintln(tw, "scenario/op\tcount\tok\terrors\trps\tmin\tp50\tp75\tp90\tp95\tp99\tp99.9\tmax\tmean\tstddev\t")
	for i := range s.Ops {
		o := &s.Ops[i]
		st := pick(o)
		fmt.Fprintf(tw, "%s/%s\t%d\t%d\t%d\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			o.Scenario, o.Op, o.Count, o.OK, o.Errors, o.ThroughputPerS,
			ms(st.Min), ms(st.P50), ms(st.P75), ms(st.P90), ms(st.P95), ms(st.P99), ms(st.P999), ms(st.Max),
			ms(st.Mean), ms(st.StdDev))
	}
	tw.Flush()
}

// ms formats milliseconds with 3 significant decimals where it matters.
func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.1f", v)
	case v >= 10:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func (s *Summary) textErrors(e *errWriter) {
	var lines []string
	for _, o := range s.Ops {
		if o.Errors == 0 && o.OutOfRange == 0 && o.Interrupted == 0 {
			continue
		}
		var parts []string
		for _, c := range sortedKeys(o.ErrorClasses) {
			parts = append(parts, fmt.Sprintf("%s %d", c, o.ErrorClasses[c]))
		}
		if o.Interrupted > 0 {
			parts = append(parts, fmt.Sprintf("interrupted %d (cut off by loadgen's stop: not errors, not in the latencies)", o.Interrupted))
		}
		if len(o.Statuses) > 0 {
			codes := make([]int, 0, len(o.Statuses))
			for c := range o.Statuses {
				codes = append(codes, c)
			}
			sort.Ints(codes)
			var st []string
			for _, c := range codes {
				st = append(st, fmt.Sprintf("%d: %d", c, o.Statuses[c]))
			}
			parts = append(parts, "statuses {"+strings.Join(st, ", ")+"}")
		}
		if o.OutOfRange > 0 {
			parts = append(parts, fmt.Sprintf("%d values outside 0..1h clamped", o.OutOfRange))
		}
		lines = append(lines, fmt.Sprintf("  %s/%s: %s", o.Scenario, o.Op, strings.Join(parts, ", ")))
		for _, why := range sortedKeys(o.ErrorReasons) {
			lines = append(lines, fmt.Sprintf("      %d× %s", o.ErrorReasons[why], why))
		}
	}
	e.printf("\nErrors\n")
	if len(lines) == 0 {
		e.printf("  none\n")
		return
	}
	e.printf("%s\n", strings.Join(lines, "\n"))
}

func (s *Summary) textPhases(e *errWriter) {
	for _, o := range s.Ops {
		if len(o.Phases) == 0 {
			continue
		}
		e.printf("\nPhases of %s/%s (ms; share of service time %.3f ms mean)\n", o.Scenario, o.Op, o.ServiceTimeMS.Mean)
		tw := table(e)
		fmt.Fprintln(tw, "phase\tcount\tmean\tp50\tp99\tshare\t")
		for _, p := range o.Phases {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%.1f%%\t\n", p.Name, p.Count, ms(p.LatencyMS.Mean), ms(p.LatencyMS.P50),
				ms(p.LatencyMS.P99), 100*p.Share)
		}
		if o.UnaccountedMS != nil {
			n := o.PhasedCount // the samples with phases, that these rows describe
			if n == 0 {
				n = o.Count // a Summary decoded from JSON
			}
			fmt.Fprintf(tw, "(unaccounted)\t%d\t%s\t%s\t%s\t%.1f%%\t\n", n, ms(o.UnaccountedMS.Mean),
				ms(o.UnaccountedMS.P50), ms(o.UnaccountedMS.P99), 100*o.UnaccountedShare)
			fmt.Fprintf(tw, "(overlap)\t%d\t%s\t%s\t%s\t%.1f%%\t\n", n, ms(o.OverlapMS.Mean),
				ms(o.OverlapMS.P50), ms(o.OverlapMS.P99), 100*o.OverlapShare)
		}
		tw.Flush()
	}
}

func (s *Summary) textScenarios(e *errWriter) {
	e.printf("\nScenarios (iteration time in ms)\n")
	if len(s.Scenarios) == 0 {
		e.printf("  none\n")
		return
	}
	tw := table(e)
	fmt.Fprintln(tw, "scenario\titerations\tfailed\tlate\tdropped\tp50\tp99\tmax\tmean\t")
	var cut []string
	for _, sc := range s.Scenarios {
		st := sc.IterationMS
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n", sc.Name, sc.Iterations, sc.Failed, sc.Late, sc.Dropped,
			ms(st.P50), ms(st.P99), ms(st.Max), ms(st.Mean))
		if sc.Interrupted > 0 {
			cut = append(cut, fmt.Sprintf("  %s: %d more interrupted (cut off by loadgen's stop: not failed, not in these figures)", sc.Name, sc.Interrupted))
		}
	}
	tw.Flush()
	for _, l := range cut {
		e.printf("%s\n", l)
	}
}

func (s *Summary) textGenerator(e *errWriter) {
	g := s.Generator
	if g.Seconds == 0 {
		e.printf("\nGenerator: not measured (no health record: the run was too short, or health was off)\n")
		return
	}
	sat := "no"
	if g.Saturated {
		sat = fmt.Sprintf("YES, %d of %d seconds", g.SaturatedSeconds, g.Seconds)
	}
	e.printf("\nGenerator (largest per-second figures over %d s; %% of one core): saturated: %s\n", g.Seconds, sat)
	e.printf("  CPU %s (busiest thread %s, runnable %s; client crypto %s, embedded service %s, GC %s); run-queue wait %s\n",
		pct(g.CPUMaxPct), pct(g.ThreadCPUMaxPct), pct(g.ThreadRunnableMaxPct), pct(g.CryptoCPUMaxPct), pct(g.ServiceCPUMaxPct), pct(g.GCCPUMaxPct), pct(g.RunQueueMaxPct))
	e.printf("  scheduler latency p99 %s ms, start lag p99 %s ms\n", optMS(g.SchedLatencyP99MS), optMS(g.StartLagP99MS))
	e.printf("Go runtime:")
	if g.GoroutinesMax != nil && g.HeapMaxBytes != nil {
		e.printf(" goroutines max %d, heap max %.1f MiB", *g.GoroutinesMax, float64(*g.HeapMaxBytes)/(1<<20))
	} else {
		e.printf(" goroutines and heap not measured")
	}
	if r := g.Runtime; r != nil {
		e.printf("; %d GCs, pauses %s ms in all, %s ms at most; GC CPU %.1f%%", r.NumGC, ms(r.GCPauseTotalMS), ms(r.GCPauseMaxMS), 100*r.GCCPUFraction)
	}
	e.printf("\n")
}

func (s *Summary) textThresholds(e *errWriter) {
	if len(s.Thresholds) == 0 {
		return
	}
	e.printf("\nThresholds\n")
	for _, t := range s.Thresholds {
		e.printf("  %s\n", t)
	}
}
