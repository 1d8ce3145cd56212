package results

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzRebuild checks that Rebuild never panics and that a stream it accepts
// yields a summary that Text can render.
func FuzzRebuild(f *testing.F) {
	dir := f.TempDir()
	r, tk := streamRecorder(f, dir, 1)
	feed(r)
	r.SetEnd(testStart.Add(time.Second))
	r.tick(tk, testStart.Add(time.Second), true)
	if err := r.w.close(); err != nil {
		f.Fatal(err)
	}
	valid, err := os.ReadFile(filepath.Join(dir, StreamFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(streamMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, StreamFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		sum, _, err := Rebuild(dir)
		if err != nil {
			return
		}
		if err := sum.Text(discard{}); err != nil {
			t.Fatal(err)
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
