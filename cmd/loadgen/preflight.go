package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ironcorelabs/loadgen/loadgen"
	"github.com/ironcorelabs/loadgen/ops"
	"github.com/ironcorelabs/loadgen/results"
	"github.com/ironcorelabs/loadgen/scenarios"
)

// checkWorkload is the one validation path of validate, run --dry-run and
// run: it refuses (exit 2, file:line:col) what run would refuse before it
// starts: the files the workload names, faults on a real target, setup
// without an IronCore target, and every step as the op catalog builds it
// (a step url off the target's host, a method or header with a line
// break, a size over the cap). It returns the plan compiled against a
// stand-in of the target (the embedded one's port is not known yet).
func checkWorkload(w *scenarios.Workload) (*loadgen.Plan, error) {
	if err := w.Check(); err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	env := &ops.Env{}
	embedded := w.Target.URL == scenarios.EmbeddedURL
	if embedded {
		env.Target, _ = url.Parse("http://127.0.0.1:0/api/1/")
	} else {
		u, err := url.Parse(w.Target.URL)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("%s: target.url: %w", w.File, err)}
		}
		env.Target = u
	}
	if embedded || w.Identity.Config != "" || w.Identity.KeyFile != "" {
		env.IronCore = &ops.IronCore{} // built to be checked, never run
	} else if w.Setup != (scenarios.Setup{}) {
		return nil, &exitError{code: exitUsage, err: fmt.Errorf("%s: setup needs an IronCore target (target.url: embedded, or identity: {config, key_file})", w.File)}
	}
	plan, err := scenarios.Compile(w, ops.Default(), env)
	if err != nil {
		if embedded { // name the target as the workload does, not the stand-in
			for _, e := range scenarios.Errors(err) {
				e.Msg = strings.ReplaceAll(e.Msg, "http://127.0.0.1:0", "embedded (http://127.0.0.1:PORT)")
			}
		}
		return nil, &exitError{code: exitUsage, err: err}
	}
	return plan, nil
}

// checkOutputs checks, before run writes or starts anything, every path it
// will write and every address it will call: the run folder (new, or an
// empty folder; never an earlier run's), the files of --vegeta,
// --cpuprofile, --trace and --save-identities (in a folder that exists and
// can be written), and --pushgateway's URL. Errors name the flag.
func (r *runner) checkOutputs() error {
	usage := func(err error) error { return &exitError{code: exitUsage, err: err} }
	// The run folder as start will name it, but for {time}.
	const timeMark = "\x00time\x00"
	flag, dir := "--out", r.f.out
	if dir == "" {
		flag = "output.dir of " + r.w.File
		dir = expandOutDir(strings.ReplaceAll(r.w.Output.Dir, "{time}", timeMark), r.w.Name, time.Time{}, r.shard)
	} else {
		dir = outDirReplacer(r.w.Name, time.Time{}, r.shard).Replace(strings.ReplaceAll(dir, "{time}", timeMark))
	}
	if err := checkRunFolder(flag, strings.ReplaceAll(dir, timeMark, "{time}")); err != nil {
		return usage(err)
	}
	for _, o := range []struct{ flag, path string }{
		{"--vegeta", r.f.vegeta}, {"--cpuprofile", r.f.cpuProfile}, {"--trace", r.f.trace}, {"--save-identities", r.f.saveIdentities},
	} {
		if o.path == "" {
			continue
		}
		if err := checkOutFile(o.path); err != nil {
			return usage(fmt.Errorf("%s %s: %w", o.flag, o.path, err))
		}
	}
	runDir := ""
	if !strings.Contains(dir, timeMark) {
		runDir = dir
	}
	if err := checkDistinctOutputs([]output{
		{"--vegeta", r.f.vegeta}, {"--cpuprofile", r.f.cpuProfile}, {"--trace", r.f.trace}, {"--save-identities", r.f.saveIdentities},
	}, []input{
		{"the workload file", r.w.File}, {"identity.config", r.w.Identity.Config},
		{"identity.key_file", r.w.Identity.KeyFile}, {"target.tls.ca_file", r.w.Target.TLS.CAFile},
	}, runDir); err != nil {
		return usage(err)
	}
	if r.f.saveIdentities != "" && r.w.Target.URL != scenarios.EmbeddedURL && r.w.Identity.Config == "" {
		return usage(fmt.Errorf("--save-identities %s: the run makes no identities (it has no IronCore target)", r.f.saveIdentities))
	}
	if r.f.pushgateway != "" {
		if err := checkPushgateway(r.f.pushgateway); err != nil {
			return usage(fmt.Errorf("--pushgateway %q: %w", r.f.pushgateway, err))
		}
	}
	return nil
}

// runFolderFiles are the files a run folder holds, which run, report and
// merge write or read there.
var runFolderFiles = []string{results.StreamFile, "summary.json", "report.txt", results.HTMLFile, results.FoldedFile, "workload.yaml"}

type output struct{ flag, path string }
type input struct{ what, path string }

// checkDistinctOutputs refuses an output file that another output flag
// names too, that is one of the files the command reads, or that is a
// file of the run folder runDir ("" when not known): each would be
// overwritten by the other write, or clobber the input or the run's
// sample stream.
func checkDistinctOutputs(outs []output, ins []input, runDir string) error {
	var seen []output
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		for _, s := range seen {
			if samePath(o.path, s.path) {
				return fmt.Errorf("%s %s: %s names the same file; give each its own", o.flag, o.path, s.flag)
			}
		}
		seen = append(seen, o)
		for _, in := range ins {
			if in.path != "" && samePath(o.path, in.path) {
				return fmt.Errorf("%s %s is %s, which it would overwrite; give another file", o.flag, o.path, in.what)
			}
		}
		if runDir == "" {
			continue
		}
		for _, name := range runFolderFiles {
			if samePath(o.path, filepath.Join(runDir, name)) {
				return fmt.Errorf("%s %s is the run folder's %s, which it would overwrite; give a file outside it, or another name", o.flag, o.path, name)
			}
		}
	}
	return nil
}

// samePath reports whether a and b name the same file: the same clean
// absolute path, or, both existing, the same file by its inode.
func samePath(a, b string) bool {
	aa, errA := filepath.Abs(a)
	ab, errB := filepath.Abs(b)
	if errA == nil && errB == nil && aa == ab {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// checkRunFolder checks a run folder template: with {time} it is new by
// construction; else it must not exist, or be an empty folder. Either way
// the nearest folder that exists must take new entries.
func checkRunFolder(flag, tmpl string) error {
	if tmpl == "" {
		tmpl = "runs/{name}-{time}"
	}
	// Placeholders give a name that does not exist; what is left is
	// what must be checked.
	dir := strings.NewReplacer("{name}", "name", "{time}", "time", "{shard}", "0").Replace(tmpl)
	if !strings.Contains(tmpl, "{time}") {
		entries, err := os.ReadDir(dir)
		switch {
		case err == nil && len(entries) > 0:
			what := "files"
			if _, err := os.Stat(filepath.Join(dir, results.StreamFile)); err == nil {
				what = "an earlier run (" + results.StreamFile + ")"
			}
			return fmt.Errorf("%s %s holds %s; give a new or empty folder (or {time} in it, as runs/{name}-{time})", flag, tmpl, what)
		case err == nil:
			return checkWritable(dir)
		case errors.Is(err, fs.ErrNotExist):
		default:
			if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
				return fmt.Errorf("%s %s is a file; want a folder", flag, tmpl)
			}
			return fmt.Errorf("%s %s: %w", flag, tmpl, err)
		}
	}
	if err := checkWritable(nearestDir(dir)); err != nil {
		return fmt.Errorf("%s %s: %w", flag, tmpl, err)
	}
	return nil
}

// checkOutFile checks that a file can be made or replaced at path: not a
// folder, in a folder that exists and can be written.
func checkOutFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return errors.New("is a folder; want a file")
	}
	parent := filepath.Dir(path)
	fi, err := os.Stat(parent)
	if err != nil {
		return fmt.Errorf("folder %s: %w", parent, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", parent)
	}
	return checkWritable(parent)
}

// nearestDir returns path or its nearest ancestor that exists.
func nearestDir(path string) string {
	p := filepath.Clean(path)
	for {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		up := filepath.Dir(p)
		if up == p {
			return p
		}
		p = up
	}
}

// checkPushgateway checks a Pushgateway URL as the push client takes it:
// http(s)://host[:port][/path], or host:port.
func checkPushgateway(raw string) error {
	s := raw
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL; want e.g. http://pushgateway:9091")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Hostname() == "" {
		return errors.New("want an http(s) URL with a host, e.g. http://pushgateway:9091")
	}
	return nil
}

// parseStartAt parses --start-at: "now", or an RFC 3339 time that has not
// passed (a time past would start at once, silently out of step with the
// shards it was meant to align with) and is at most maxStartAhead away.
func parseStartAt(s string, now time.Time) (time.Time, error) {
	if s == "now" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("--start-at %q: want an RFC 3339 time such as 2026-11-27T10:00:00Z, or now", s)
	}
	if !t.After(now) {
		return t, fmt.Errorf("--start-at %s is %s in the past; give a time to come, or now", s, now.Sub(t).Round(time.Second))
	}
	if ahead := t.Sub(now); ahead > maxStartAhead {
		when := ahead.Round(time.Minute).String()
		if days := int(ahead.Hours() / 24); days >= 2 {
			when = strconv.Itoa(days) + " days"
		}
		return t, fmt.Errorf("--start-at %s is %s ahead, more than a day (a mistyped date would wait for ever); give a time within a day, or now", s, when)
	}
	return t, nil
}

// maxStartAhead bounds how far ahead --start-at may be: shards are started
// minutes apart, not days.
const maxStartAhead = 24 * time.Hour
