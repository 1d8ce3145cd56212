package compare

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ironcorelabs/loadgen/internal/capped"
	"github.com/ironcorelabs/loadgen/results"
)

// Options says how Load reads its inputs. The zero Options maps no names,
// reads no sample files and takes milliseconds.
type Options struct {
	// Mapping maps other tools' op names to loadgen's; nil maps nothing.
	Mapping *Mapping
	// Columns, when set, says the input is a CSV or JSON-lines file of
	// samples with these columns.
	Columns *Columns
	// Unit is the unit of percentile summary CSV columns without a unit
	// suffix; 0 means milliseconds.
	Unit time.Duration
	// GatlingPercentiles are the ranks of Gatling's percentiles1..4 in
	// stats.json; zero means the ranks named in the report's index.html,
	// else 50, 75, 95, 99.
	GatlingPercentiles [4]float64
}

// Caps on what Load reads. Files read whole (summary.json, Gatling's
// stats.json) are capped at MaxDocSize; files read as a stream (logs,
// sample files, vegeta results) at MaxStreamSize, and their lines (text
// formats) at MaxLineSize, so memory stays bounded on any input.
const (
	MaxDocSize    = 256 << 20
	MaxStreamSize = 64 << 30
	MaxLineSize   = 16 << 20
)

// Load reads the run at path, detecting its format (see the package doc).
// A folder is a loadgen run folder (summary.json, or samples.bin of a killed
// run), a Gatling results folder (simulation.log) or a Gatling report folder
// (js/stats.json).
func Load(path string, opts Options) (*Run, error) {
	run, err := load(path, opts)
	if err != nil {
		return nil, fmt.Errorf("compare: %s: %w", path, err)
	}
	run.Source = path
	if run.Meta == nil {
		run.Meta = map[string]string{}
	}
	return run, nil
}

func load(path string, opts Options) (*Run, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return loadDir(path, opts)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	const what = "a file to compare"
	in := capped.Reader(f, MaxStreamSize, path, what)
	if opts.Columns != nil {
		return readSamples(capped.Lines(in, MaxLineSize, path, what), opts.Columns, opts.Mapping)
	}
	br := bufio.NewReaderSize(in, 1<<16)
	head, _ := br.Peek(4096)
	switch {
	case isGatlingBinary(head):
		return gatlingLog(br, opts.Mapping, readGatlingBinary, FormatGatlingBin)
	case bytes.HasPrefix(head, []byte("RUN\t")) || bytes.HasPrefix(head, []byte("ASSERTION\t")):
		return gatlingLog(br, opts.Mapping, readGatlingText, FormatGatlingText)
	}
	text := capped.Lines(br, MaxLineSize, path, what)
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		if run, ok, err := loadJSONDoc(path, opts); ok || err != nil {
			return run, err
		}
	}
	if header, err := csv.NewReader(bytes.NewReader(firstLine(head))).Read(); err == nil && isPercentileCSV(header) {
		return readPercentileCSV(text, opts.Unit, opts.Mapping)
	}
	// vegeta's CSV decoder, tried on anything, would hold a line of any
	// length; its gob encoding is binary, but real results never go 16 MiB
	// without a '\n' byte.
	run, err := readVegeta(text, opts.Mapping)
	if errors.Is(err, capped.ErrTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("format not recognised (a loadgen run, Gatling simulation.log or stats.json, vegeta results, or a percentile summary CSV); for a file of samples name its columns with --columns: %w", err)
	}
	return run, nil
}

// loadJSONDoc reads path as one JSON document when it is a loadgen
// summary.json or a Gatling stats file; ok is false when it is neither.
func loadJSONDoc(path string, opts Options) (run *Run, ok bool, err error) {
	b, err := capped.ReadFile(path, MaxDocSize, "a JSON file to compare")
	if err != nil {
		return nil, false, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var doc json.RawMessage
	if dec.Decode(&doc) != nil || dec.More() {
		return nil, false, nil
	}
	switch {
	case isLoadgenSummary(doc):
		run, err := readLoadgenSummary(doc, opts.Mapping)
		return run, true, err
	case isGatlingStats(doc):
		ranks := opts.GatlingPercentiles
		if ranks == [4]float64{} {
			ranks = gatlingRanks(path)
		}
		run, err := readGatlingStats(doc, ranks, opts.Mapping)
		return run, true, err
	}
	return nil, false, nil
}

// loadDir reads a run folder of loadgen's or Gatling's.
func loadDir(dir string, opts Options) (*Run, error) {
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	switch {
	case exists("summary.json") || exists(results.StreamFile):
		return loadLoadgenDir(dir, opts.Mapping)
	case exists("simulation.log"):
		return load(filepath.Join(dir, "simulation.log"), opts)
	case exists(filepath.Join("js", "stats.json")):
		return load(filepath.Join(dir, "js", "stats.json"), opts)
	}
	return nil, fmt.Errorf("folder holds no summary.json, %s, simulation.log or js/stats.json: %w", results.StreamFile, fs.ErrNotExist)
}

// gatlingReader reads one simulation.log layout.
type gatlingReader func(io.Reader, *Mapping, map[string]*opAcc) (map[string]string, int64, int64, []string, error)

// gatlingLog reads a simulation.log with read.
func gatlingLog(r io.Reader, m *Mapping, read gatlingReader, f Format) (*Run, error) {
	acc := make(map[string]*opAcc)
	meta, first, last, warns, err := read(r, m, acc)
	if err != nil {
		return nil, err
	}
	if len(acc) == 0 {
		return nil, errors.New("simulation.log holds no requests")
	}
	run := &Run{Format: f, Meta: meta, Warnings: warns}
	if last > first {
		run.DurationS = float64(last-first) / 1000
	}
	run.Ops, run.Total = buildOps(acc, run.DurationS, 1)
	for _, o := range append(run.Ops, run.Total) {
		o.Note = "Gatling logs whole milliseconds"
	}
	return run, nil
}

// firstLine returns b up to its first newline.
func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}
