package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// firstLine returns the first non-empty line of s.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			return l
		}
	}
	return ""
}

// TestBadWorkloads runs validate, run --dry-run and run on every
// testdata/bad workload: each must be refused with exit 2 and the first
// line its "# want:" comment names, and run must write nothing. Before
// checkWorkload, validate passed every one of them.
func TestBadWorkloads(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) < 8 {
		t.Fatalf("found %d bad workloads (%v); want at least 8", len(files), err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := bytes.Cut(data, []byte("\n"))
		want, ok := strings.CutPrefix(string(line), "# want: ")
		if !ok {
			t.Fatalf("%s: first line is not # want: <first line of the error>", f)
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			for _, args := range [][]string{{"validate", f}, {"run", f, "--dry-run"}, {"run", f, "-q", "--out", out}} {
				code, _, errOut := runCLI(t, args...)
				if got := firstLine(errOut); code != exitUsage || !strings.Contains(got, want) {
					t.Errorf("%s: exit %d, first line %q; want 2 and %q", strings.Join(args, " "), code, got, want)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("run refused the workload but made %s", out)
			}
		})
	}
}

var (
	earlierOnce sync.Once
	earlierDir  string
	earlierErr  string
)

// earlierRun returns the run folder of a short run made once for the
// tests that need an earlier run.
func earlierRun(t *testing.T) string {
	t.Helper()
	earlierOnce.Do(func() {
		dir, err := os.MkdirTemp("", "loadgen-earlier-")
		if err != nil {
			earlierErr = err.Error()
			return
		}
		wl := filepath.Join(dir, "small.yaml")
		if err := os.WriteFile(wl, []byte(smallRun), 0o644); err != nil {
			earlierErr = err.Error()
			return
		}
		earlierDir = filepath.Join(dir, "run")
		if code, _, errOut := runCLI(t, "run", wl, "-q", "--duration", "1s", "--out", earlierDir); code != 0 {
			earlierErr = errOut
		}
	})
	if earlierErr != "" {
		t.Fatalf("the earlier run failed: %s", earlierErr)
	}
	return earlierDir
}

// TestBadCommandLines runs the adversarial command lines of issue #21 and
// more: each is refused with its exit code and first line, and a refused
// run writes nothing (its --out is not made).
func TestBadCommandLines(t *testing.T) {
	runA := earlierRun(t)
	tmp := t.TempDir()
	wl := writeFile(t, tmp, "ok.yaml", smallRun)
	other := writeFile(t, tmp, "other.yaml", strings.Replace(smallRun, "rate: 40/s", "rate: 30/s", 1))
	empty := filepath.Join(tmp, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, empty, "summary.json", `{"schema": 1, "run": {"name": "empty"}, "ops": []}`)
	copyA := filepath.Join(tmp, "copyA")
	copyDir(t, runA, copyA)
	swapped := filepath.Join(tmp, "swapped")
	copyDir(t, runA, swapped)
	writeFile(t, swapped, "workload.yaml", strings.Replace(smallRun, `["error_rate < 1%"]`, `["count > 1000000"]`, 1))
	killedEarly := filepath.Join(tmp, "killedEarly") // killed before its stream's first flush
	copyDir(t, runA, killedEarly)
	writeFile(t, killedEarly, "samples.bin", "")
	badLatency := func(v string) string {
		return writeFile(t, tmp, "lat-"+v+".csv", "op,latency\nhttp,5\nhttp,"+v+"\n")
	}
	pctNaN := writeFile(t, tmp, "pct.csv", "operation,count,errors,min_ms,median_ms,p99_ms,max_ms\nhttp,10,0,1,NaN,3,4\n")
	vegNeg := writeFile(t, tmp, "neg.json", `{"attack":"a","seq":0,"code":200,"timestamp":"2023-11-14T22:13:20Z","latency":-5000000,"bytes_out":0,"bytes_in":0,"error":"","body":null,"method":"GET","url":"http://x/health","headers":null}`+"\n")
	big := writeFile(t, tmp, "big.yaml", strings.Repeat("#", 1<<20+1))
	out := filepath.Join(tmp, "out")     // never made: every case is refused
	blank := filepath.Join(tmp, "blank") // an empty folder: a good --out
	if err := os.MkdirAll(blank, 0o755); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(tmp, "x.bin")
	tests := []struct {
		name string
		args []string
		code int
		want string // in the first line of stderr
	}{
		// run
		{"--out an earlier run's folder", []string{"run", other, "--out", runA}, 2, "holds an earlier run (samples.bin)"},
		{"--out a file", []string{"run", wl, "--out", wl}, 2, "is a file; want a folder"},
		{"--rate 0/s", []string{"run", wl, "--rate", "0/s", "--out", out}, 2, "--rate 0/s: want more than 0"},
		{"--vegeta in a missing folder", []string{"run", wl, "--vegeta", "/missing/x.bin", "--out", out}, 2, "--vegeta /missing/x.bin: folder /missing"},
		{"--pushgateway not a url", []string{"run", wl, "--pushgateway", "not a url", "--out", out}, 2, `--pushgateway "not a url": not a URL`},
		{"--save-identities in a missing folder", []string{"run", wl, "--save-identities", "/missing/ids.json", "--out", out}, 2, "--save-identities /missing/ids.json: folder /missing"},
		{"--cpuprofile in a missing folder", []string{"run", wl, "--cpuprofile", "/missing/cpu.out", "--out", out}, 2, "--cpuprofile /missing/cpu.out: folder /missing"},
		{"--trace a folder", []string{"run", wl, "--trace", tmp, "--out", out}, 2, "--trace " + tmp + ": is a folder"},
		{"-q with -v", []string{"run", wl, "-q", "-v", "--out", out}, 2, "-q/--quiet and -v/--verbose exclude each other"},                                                          // accepted, exit 0
		{"help for no command", []string{"help", "nope"}, 2, `unknown help topic "nope"; the commands are: compare, completion, merge, ops, report, run, serve, validate, version`}, // usage, exit 0
		{"--shard with --shards", []string{"run", wl, "--shard", "1/2", "--shards", "2", "--out", out}, 2, "--shard 1/2 and --shards 2 exclude each other"},
		{"--start-at in the past", []string{"run", wl, "--start-at", "2020-01-01T00:00:00Z", "--out", out}, 2, "--start-at 2020-01-01T00:00:00Z is"},
		{"--start-at years ahead", []string{"run", wl, "--dry-run", "--start-at", "2099-01-01T00:00:00Z"}, 2, "--start-at 2099-01-01T00:00:00Z is"}, // waited until 2099
		{"--start-at not a time", []string{"run", wl, "--start-at", "tomorrow", "--out", out}, 2, `--start-at "tomorrow": want an RFC 3339 time`},
		{"--metrics-addr bad port", []string{"run", wl, "--metrics-addr", "127.0.0.1:99999", "--out", out}, 2, `--metrics-addr "127.0.0.1:99999"`},
		{"--vegeta and --cpuprofile one file", []string{"run", wl, "--vegeta", prof, "--cpuprofile", prof, "--out", out}, 2, "--cpuprofile " + prof + ": --vegeta names the same file"},
		{"--vegeta the workload file", []string{"run", wl, "--vegeta", wl, "--out", out}, 2, "--vegeta " + wl + " is the workload file"},
		{"--trace the run folder's stream", []string{"run", wl, "--out", blank, "--trace", filepath.Join(blank, "samples.bin")}, 2, "is the run folder's samples.bin"},
		{"--save-identities the run folder's workload.yaml", []string{"run", wl, "--out", blank, "--save-identities", filepath.Join(blank, "workload.yaml")}, 2, "is the run folder's workload.yaml"},
		{"--metrics-addr not an address, --dry-run", []string{"run", wl, "--dry-run", "--metrics-addr", "nonsense"}, 2, `--metrics-addr "nonsense": want HOST:PORT`},
		{"--metrics-addr port 99999, --dry-run", []string{"run", wl, "--dry-run", "--metrics-addr", "127.0.0.1:99999"}, 2, `--metrics-addr "127.0.0.1:99999": want HOST:PORT`},
		{"a workload over the cap", []string{"run", big, "--out", out}, 2, "is larger than 1MiB, the cap on a workload file"},
		{"/dev/zero as a workload", []string{"validate", "/dev/zero"}, 2, "/dev/zero is larger than 1MiB"},
		// merge
		{"merge A A", []string{"merge", runA, runA, "--out", out}, 2, "are the same folder"},
		{"merge A and its copy", []string{"merge", runA, copyA, "--out", out}, 2, "hold the same run"},
		{"merge a missing folder", []string{"merge", filepath.Join(tmp, "nope"), "--out", out}, 2, "no such file or directory"},
		{"merge --out a file", []string{"merge", runA, "--out", wl}, 2, "is a file; want a folder"},
		{"merge a swapped workload.yaml", []string{"merge", swapped, "--out", out}, 2, "is not the workload this run ran"},
		{"merge an empty stream", []string{"merge", killedEarly, "--out", out}, 2, "loadgen: merge: results: rebuild: " + filepath.Join(killedEarly, "samples.bin") + " is empty"}, // merge: results: merge: results: rebuild:
		{"merge -e without =", []string{"merge", runA, "--out", out, "-e", "LIMIT"}, 2, `-e "LIMIT": want KEY=VALUE`},
		// compare
		{"compare with a gate against no samples", []string{"compare", runA, empty, "--fail-on", "p99>+10%", "--fail-on", "error_rate>+0.5pp"}, 1, "no samples: a --fail-on gate cannot pass or fail"},
		{"compare a missing input", []string{"compare", runA, filepath.Join(tmp, "nope")}, 2, "no such file or directory"},
		{"compare an unknown format", []string{"compare", runA, wl}, 2, "format not recognised"},
		{"compare --out an input's summary.json", []string{"compare", runA, runA, "--out", filepath.Join(runA, "summary.json")}, 2, "is the run folder's summary.json"},
		{"compare --out an input file", []string{"compare", wl, runA, "--out", wl}, 2, "--out " + wl + " is an input to compare"},
		{"compare a NaN latency", []string{"compare", badLatency("NaN"), runA, "--columns", "op=op,latency=latency"}, 2, `sample 2: latency column "latency": "NaN" is not a latency`}, // dropped, exit 0
		{"compare a negative latency", []string{"compare", badLatency("-5"), runA, "--columns", "op=op,latency=latency"}, 2, `"-5" is not a latency`},                                  // min -5ms, exit 0
		{"compare an Inf latency", []string{"compare", badLatency("Inf"), runA, "--columns", "op=op,latency=latency"}, 2, `"Inf" is not a latency`},                                    // +Infms, NaN%, exit 0
		{"compare a 1e308 latency", []string{"compare", badLatency("1e308"), runA, "--columns", "op=op,latency=latency"}, 2, `"1e308" is not a latency`},
		{"compare vegeta results with a negative latency", []string{"compare", vegNeg, runA}, 2, "vegeta result 1: latency -5ms is negative"}, // min -5ms, exit 0
		{"compare a NaN percentile", []string{"compare", pctNaN, runA}, 2, `column "median_ms": "NaN" is not a count, rate or time`},
		{"compare --out in a missing folder", []string{"compare", runA, runA, "--out", "/missing/c.html"}, 2, "--out /missing/c.html: folder /missing"},
		// report
		{"report a missing folder", []string{"report", filepath.Join(tmp, "nope")}, 2, "no such file or directory"},
		{"report a folder without a stream", []string{"report", tmp}, 2, "samples.bin"},
		{"report an empty stream", []string{"report", killedEarly}, 2, "samples.bin is empty: the run recorded nothing"}, // "is not a loadgen sample stream"
		{"report a swapped workload.yaml", []string{"report", swapped}, 2, "is not the workload this run ran"},
		{"report --vegeta in a missing folder", []string{"report", runA, "--vegeta", "/missing/x.bin"}, 2, "--vegeta /missing/x.bin: folder /missing"},
		{"report --vegeta its own stream", []string{"report", runA, "--vegeta", filepath.Join(runA, "samples.bin")}, 2, "is the run folder's samples.bin"},
		{"report --vegeta its summary.json", []string{"report", runA, "--vegeta", filepath.Join(runA, "summary.json")}, 2, "is the run folder's summary.json"},
		{"report -e without =", []string{"report", runA, "-e", "LIMIT"}, 2, `-e "LIMIT": want KEY=VALUE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if got := firstLine(errOut); code != tt.code || !strings.Contains(got, tt.want) {
				t.Errorf("loadgen %s: exit %d, first line %q; want %d and %q", strings.Join(tt.args, " "), code, got, tt.code, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatalf("refused, but %s was made", out)
			}
		})
	}
	if entries, err := os.ReadDir(blank); err != nil || len(entries) > 0 {
		t.Errorf("refused runs wrote into their --out %s: %v %v", blank, entries, err)
	}
	// The earlier run's folder is as it was: its workload is still its own,
	// its stream whole.
	if code, _, errOut := runCLI(t, "report", runA); code != 0 {
		t.Errorf("report of the earlier run after the refused runs: exit %d\n%s", code, errOut)
	}
}

// copyDir copies the files of src into a new folder dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestExitCodesInReadme checks that the README holds the one exit-code
// table --help prints, word for word, and that every command's --help
// ends with it.
func TestExitCodesInReadme(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), exitCodesHelp) {
		t.Errorf("README.md does not hold the exit-code table of --help:\n%s", exitCodesHelp)
	}
	for _, cmd := range []string{"run", "validate", "report", "compare", "merge", "serve"} {
		code, out, _ := runCLI(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, exitCodesHelp) {
			t.Errorf("%s --help: exit %d, without the exit-code table", cmd, code)
		}
	}
}
