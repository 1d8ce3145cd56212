package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ironcorelabs/loadgen/internal/capped"
	"github.com/ironcorelabs/loadgen/ops"
)

// LoadOptions are the inputs of Load and Parse besides the file itself.
type LoadOptions struct {
	// Getenv looks up ${VAR} references; nil means os.LookupEnv.
	Getenv func(string) (string, bool)
	// Vars are -e KEY=VALUE pairs; they win over Getenv.
	Vars map[string]string
	// Catalog checks each step's op and fields; nil means ops.Default().
	Catalog *ops.Catalog
	// AllowProduction permits IronCore's production API as the target.
	AllowProduction bool
}

// MaxFileSize is the largest workload file Load reads. Real workloads are a
// few KiB; the cap keeps /dev/zero or a stray log from filling memory.
const MaxFileSize = 1 << 20

// Load reads and parses the workload file at path (see Parse). A file larger
// than MaxFileSize is refused unread.
func Load(path string, opts LoadOptions) (*Workload, error) {
	data, err := capped.ReadFile(path, MaxFileSize, "a workload file")
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	return Parse(path, data, opts)
}

// Parse decodes the workload in data, read from the file called name (for
// error positions and the default workload name). It expands ${VAR}
// references, applies defaults and validates everything. On failure the
// error joins one *Error per problem (see Errors) and the Workload is nil.
func Parse(name string, data []byte, opts LoadOptions) (*Workload, error) {
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	cat := opts.Catalog
	if cat == nil {
		cat = ops.Default()
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	d := &decoder{
		file: name,
		lookup: func(k string) (string, bool) {
			if v, ok := opts.Vars[k]; ok {
				return v, true
			}
			return getenv(k)
		},
	}
	sum := sha256.Sum256(data)
	w := &Workload{File: name, SHA256: hex.EncodeToString(sum[:])}
	d.workload(root, w, cat, opts.AllowProduction)
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return w, nil
}

// parseYAML parses data as exactly one YAML document and returns its root
// node. yaml.v3's own errors become *Error; a panic inside yaml.v3 is
// turned into an error too.
func parseYAML(name string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, &Error{File: name, Line: 1, Msg: fmt.Sprintf("invalid YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Line: 1, Msg: "empty workload; want a mapping with at least target and scenarios"}
		}
		return nil, yamlError(name, data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, &Error{File: name, Line: max(next.Line, 1), Col: next.Column, Msg: "more than one YAML document; a workload file holds one"}
	case !errors.Is(err, io.EOF):
		return nil, yamlError(name, data, err)
	}
	if len(doc.Content) != 1 {
		return nil, &Error{File: name, Line: max(doc.Line, 1), Msg: "empty workload; want a mapping with at least target and scenarios"}
	}
	return doc.Content[0], nil
}

// yamlError turns a yaml.v3 error into an *Error. yaml.v3 gives parser
// errors a 0-based line and scanner errors a 1-based one ("yaml: line 3:
// ..."); both become 1-based here, and line 1 stands in when the message
// has none.
func yamlError(name string, data []byte, err error) *Error {
	e := &Error{File: name, Line: 1}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, tail, found := strings.Cut(rest, ": ")
		if n, convErr := strconv.Atoi(num); found && convErr == nil && n > 0 {
			e.Line, msg = n, tail
			if isParserProblem(msg) {
				e.Line++
			}
		}
	}
	e.Msg = "invalid YAML: " + msg
	if strings.HasPrefix(msg, "did not find expected ',' or") && strings.Contains(lineOf(data, e.Line), "${") {
		e.Msg += `; inside { } or [ ], quote values that use ${VAR}: key: "${VAR}"`
	}
	return e
}

// isParserProblem reports whether msg is one of the problems yaml.v3's
// parser (rather than its scanner) reports.
func isParserProblem(msg string) bool {
	switch msg {
	case "did not find expected ',' or ']'", "did not find expected ',' or '}'",
		"did not find expected '-' indicator", "did not find expected <document start>",
		"did not find expected <stream-start>", "did not find expected key",
		"did not find expected node content", "found duplicate %TAG directive",
		"found duplicate %YAML directive", "found incompatible YAML document",
		"found undefined tag handle":
		return true
	}
	return false
}

// lineOf returns the 1-based line n of data, or "".
func lineOf(data []byte, n int) string {
	for i := 1; len(data) > 0; i++ {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		if i == n {
			return string(line)
		}
		data = rest
	}
	return ""
}

// defaultName is the workload name derived from its file name.
func defaultName(file string) string {
	base := filepath.Base(file)
	if ext := filepath.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "." || base == string(filepath.Separator) || base == "" {
		return "workload"
	}
	return base
}

// workload decodes the whole document into w.
func (d *decoder) workload(n *yaml.Node, w *Workload, cat *ops.Catalog, allowProd bool) {
	f, ok := d.mapping(n, "", []string{"name", "target", "identity", "setup", "teardown", "scenarios", "thresholds", "output"})
	if !ok {
		return
	}
	w.Name = defaultName(w.File)
	if d.str(f.get("name"), "name", &w.Name) && w.Name == "" {
		d.errorf(f.get("name"), "name", "empty; omit it to use the file name")
	}
	if f.has("target") {
		d.target(f.get("target"), "target", w, allowProd)
	} else {
		d.errorf(n, "target", "required; e.g. target: {url: embedded} or target: {url: https://host/api/1/}")
	}
	if f.has("identity") {
		if g, ok := d.mapping(f.get("identity"), "identity", []string{"config", "key_file"}); ok {
			d.fileName(g.get("config"), g.at("config"), MaxKeyFileSize, &w.Identity.Config, w)
			d.fileName(g.get("key_file"), g.at("key_file"), MaxKeyFileSize, &w.Identity.KeyFile, w)
		}
	}
	if f.has("setup") {
		if g, ok := d.mapping(f.get("setup"), "setup", []string{"users", "groups", "documents", "from"}); ok {
			d.intVal(g.get("users"), g.at("users"), 0, math.MaxInt32, &w.Setup.Users)
			d.intVal(g.get("groups"), g.at("groups"), 0, math.MaxInt32, &w.Setup.Groups)
			d.intVal(g.get("documents"), g.at("documents"), 0, math.MaxInt32, &w.Setup.Documents)
			d.fileName(g.get("from"), g.at("from"), ops.MaxIdentitiesSize, &w.Setup.From, w)
		}
	}
	d.boolean(f.get("teardown"), "teardown", &w.Teardown)
	scenarioErrs := len(d.errs)
	if f.has("scenarios") {
		d.scenarios(f.get("scenarios"), w, cat)
	} else {
		d.errorf(n, "scenarios", "required; want a list of scenarios, each with a name, an executor and steps or mix")
	}
	scenariosOK := len(d.errs) == scenarioErrs
	w.Output.Dir = "runs/{name}-{time}"
	if f.has("output") {
		if g, ok := d.mapping(f.get("output"), "output", []string{"dir"}); ok {
			if d.str(g.get("dir"), g.at("dir"), &w.Output.Dir) {
				d.checkOutputDir(g.get("dir"), g.at("dir"), w.Output.Dir)
			}
		}
	}
	if f.has("thresholds") {
		d.thresholds(f.get("thresholds"), w, scenariosOK)
	}
}

// checkOutputDir checks the {placeholders} of output.dir.
func (d *decoder) checkOutputDir(n *yaml.Node, path, dir string) {
	if dir == "" {
		d.errorf(n, path, "empty; omit it for the default runs/{name}-{time}")
		return
	}
	for rest := dir; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			d.errorf(n, path, "unclosed { in %q; placeholders are {name} and {time}", dir)
			return
		}
		if p := rest[i+1 : i+j]; p != "name" && p != "time" {
			d.errorf(n, path, "unknown placeholder {%s}; want {name} or {time}", p)
		}
		rest = rest[i+j+1:]
	}
}
