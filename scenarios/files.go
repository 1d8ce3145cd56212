package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ironcorelabs/loadgen/internal/capped"
)

// Caps on the files a workload names; a larger one is refused before the
// run starts (see Workload.Check).
const (
	// MaxKeyFileSize caps identity.config, identity.key_file and
	// target.tls.ca_file: a JSON config, a PEM key, a CA bundle.
	MaxKeyFileSize = 1 << 20
)

// fileRef is a file the workload names, where it names it.
type fileRef struct {
	field, path string
	limit       int64
	pos         Pos
}

// Check checks what Load leaves to the run: that every file the workload
// names (identity.config, identity.key_file, target.tls.ca_file,
// setup.from) is a readable file within its cap, and that target.faults
// go with target.url: embedded. validate, run --dry-run and run call it,
// so each refuses what run would, before anything starts. Load does not:
// report and merge load a run folder's workload for its thresholds, on
// machines that may not hold its files. Errors are *Error, joined.
func (w *Workload) Check() error {
	var errs []error
	if len(w.Target.Faults) > 0 && w.Target.URL != EmbeddedURL {
		errs = append(errs, &Error{File: w.File, Line: w.faultsPos.Line, Col: w.faultsPos.Col, Field: "target.faults",
			Msg: "work only with target.url: embedded; a `loadgen serve` target takes its faults through its admin endpoint"})
	}
	for _, f := range w.files {
		if msg := checkFile(f.path, f.limit); msg != "" {
			errs = append(errs, &Error{File: w.File, Line: f.pos.Line, Col: f.pos.Col, Field: f.field, Msg: msg})
		}
	}
	return errors.Join(errs...)
}

// checkFile returns what is wrong with the file at path, or "". A key or
// config given in place of its path is not echoed.
func checkFile(path string, limit int64) string {
	q := strconv.Quote(path)
	fi, err := os.Stat(path)
	switch {
	case err != nil && keyLike(path):
		return fmt.Sprintf("the value (%d bytes) looks like a key or config itself, not the name of its file (not shown: a secret); give the path of the file that holds it", len(path))
	case errors.Is(err, fs.ErrNotExist):
		return q + " does not exist"
	case err != nil:
		return q + ": " + pathErr(err)
	case fi.IsDir():
		return q + " is a folder; want a file"
	case fi.Mode().IsRegular() && fi.Size() > limit:
		return fmt.Sprintf("%s is larger than %s, the cap on this file", q, capped.Size(limit))
	}
	f, err := os.Open(path)
	if err != nil {
		return q + ": " + pathErr(err)
	}
	f.Close()
	return ""
}

// pathErr is err without the path an *fs.PathError repeats.
func pathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// keyLike reports whether a file name looks like what the file would hold
// rather than its name (a PEM key, a JSON config, a line of base64: the IAK
// pasted, or -e IRONCORE_IAK="$(cat iak.pem)"): a secret not to echo.
func keyLike(path string) bool {
	if strings.ContainsAny(path, "\t\r\n{}\"") || strings.Contains(path, "-----") {
		return true
	}
	return len(path) >= 40 && strings.Trim(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == ""
}

// fileName decodes a string naming a file into dst and notes it for
// CheckFiles.
func (d *decoder) fileName(n *yaml.Node, path string, limit int64, dst *string, w *Workload) {
	if !d.str(n, path, dst) {
		return
	}
	if *dst == "" {
		return // as if not given (an unset ${VAR:-})
	}
	r := resolve(n)
	w.files = append(w.files, fileRef{field: path, path: *dst, limit: limit, pos: Pos{Line: r.Line, Col: r.Column}})
}
