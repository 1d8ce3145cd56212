package results

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStreamWriteFails fills the disk in the middle of a run (the stream's
// file becomes /dev/full): the failure is told once, when it happens; the
// run goes on in memory and its summary and report say how many samples
// the stream lacks and why; Rebuild, reading the stream beside that
// summary.json, says the same.
func TestStreamWriteFails(t *testing.T) {
	t.Parallel()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	r, tk := streamRecorder(t, dir, 2)
	var told []error
	r.onStreamError = func(err error) { told = append(told, err) }
	samples := knownSamples()
	for i := range samples[:600] {
		r.RecordSample(&samples[i])
	}
	r.tick(tk, testStart.Add(time.Second), false)
	good := r.w.f
	r.w.f = full // the disk is full from here on
	for i := range samples[600:800] {
		r.RecordSample(&samples[600+i])
	}
	r.tick(tk, testStart.Add(2*time.Second), false)
	if len(told) != 1 || !strings.Contains(told[0].Error(), "no space left on device") {
		t.Fatalf("told %v; want one ENOSPC error when the write failed", told)
	}
	for i := range samples[800:] {
		r.RecordSample(&samples[800+i])
	}
	r.SetEnd(testStart.Add(3 * time.Second))
	r.tick(tk, testStart.Add(3*time.Second), true)
	if len(told) != 1 {
		t.Errorf("told %d times; want once", len(told))
	}
	if err := r.w.close(); err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("close = %v; want the write error", err)
	}
	good.Close()

	sum := r.Summary()
	if sum.Ops[0].Count != 1000 {
		t.Errorf("in memory: count %d; want 1000", sum.Ops[0].Count)
	}
	if l := sum.StreamLoss; l == nil || l.Samples != 400 || l.AtLeast || !strings.Contains(l.Reason, "no space left on device") {
		t.Fatalf("StreamLoss = %+v; want 400 samples, no space left on device", l)
	}
	var txt bytes.Buffer
	if err := sum.Text(&txt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "samples.bin lacks 400 samples of this run") {
		t.Errorf("report does not say the stream lacks 400 samples:\n%s", txt.String())
	}
	if err := sum.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}

	re, warns, err := Rebuild(dir)
	if err != nil {
		t.Fatal(err)
	}
	if re.Ops[0].Count != 600 {
		t.Errorf("rebuilt count %d; want the 600 written before the disk filled", re.Ops[0].Count)
	}
	l := re.StreamLoss
	if l == nil || l.Samples != 400 || !strings.Contains(l.Reason, "summary.json counts 1000 samples, the stream 600") ||
		!strings.Contains(l.Reason, "no space left on device") {
		t.Fatalf("rebuilt StreamLoss = %+v", l)
	}
	if !strings.Contains(strings.Join(warns, "\n"), "lacks 400 samples") {
		t.Errorf("warnings %q do not say 400 samples are lost", warns)
	}
	// A report writes the rebuilt summary.json; a second one still knows.
	if err := re.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	again, _, err := Rebuild(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.StreamLoss == nil || again.StreamLoss.Samples != 400 {
		t.Errorf("second rebuild StreamLoss = %+v; want the 400 carried on", again.StreamLoss)
	}
}

// TestRebuildTornCounts cuts a stream inside a frame of samples, as a disk
// filling up mid-write or a kill does, with no summary.json beside it: the
// whole sample records of the torn frame are a lower bound of the loss.
func TestRebuildTornCounts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, StreamFile)
	r, tk := streamRecorder(t, dir, 1)
	samples := knownSamples()
	for i := range samples {
		r.RecordSample(&samples[i])
	}
	r.tick(tk, testStart.Add(time.Second), true)
	if err := r.w.close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()-2000); err != nil {
		t.Fatal(err)
	}
	sum, warns, err := Rebuild(dir)
	if err != nil {
		t.Fatal(err)
	}
	l := sum.StreamLoss
	if l == nil || !l.AtLeast || l.Samples < 100 || !strings.Contains(l.Reason, "torn frame") {
		t.Fatalf("StreamLoss = %+v (warnings %q); want at least 100 samples of a torn frame", l, warns)
	}
	var txt bytes.Buffer
	if err := sum.Text(&txt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "LOST: this report, rebuilt from samples.bin, lacks at least") {
		t.Errorf("report does not say samples were lost:\n%s", txt.String())
	}
}

// TestWriteFileRemovesTemp checks that a failed write leaves no temporary
// file behind.
func TestWriteFileRemovesTemp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A folder in the way of the rename.
	if err := os.Mkdir(filepath.Join(dir, "summary.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(dir, "summary.json"), []byte("{}")); err == nil {
		t.Fatal("writeFile over a folder succeeded")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*.tmp*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
