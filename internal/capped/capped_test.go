package capped

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		limit      int64
		want       string // error substring, "" for success
	}{
		{"at the cap", small, 5, ""},
		{"over the cap", small, 4, "small is larger than 4 bytes, the cap on a test file"},
		{"endless device", "/dev/zero", 1 << 20, "/dev/zero is larger than 1MiB, the cap on a test file"},
		{"folder", dir, 1 << 20, "is a folder; want a test file"},
		{"missing", filepath.Join(dir, "nope"), 1, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ReadFile(tc.path, tc.limit, "a test file")
			if tc.want == "" {
				if err != nil || string(b) != "12345" {
					t.Fatalf("ReadFile = %q, %v; want 12345, nil", b, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadFile error %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestReader(t *testing.T) {
	t.Parallel()
	b, err := io.ReadAll(Reader(strings.NewReader("abcdef"), 6, "in", "x"))
	if err != nil || string(b) != "abcdef" {
		t.Fatalf("at the cap: %q, %v", b, err)
	}
	b, err = io.ReadAll(Reader(strings.NewReader("abcdefg"), 6, "in", "x"))
	if !errors.Is(err, ErrTooLarge) || string(b) != "abcdef" {
		t.Fatalf("over the cap: %q, %v; want abcdef and ErrTooLarge", b, err)
	}
	f, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, Reader(f, 3<<20, "/dev/zero", "x")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("/dev/zero: %v; want ErrTooLarge", err)
	}
}

func TestLines(t *testing.T) {
	t.Parallel()
	in := "abc\nde\n\nfgh"
	b, err := io.ReadAll(Lines(strings.NewReader(in), 3, "in", "x"))
	if err != nil || string(b) != in {
		t.Fatalf("lines at the cap: %q, %v", b, err)
	}
	_, err = io.ReadAll(Lines(strings.NewReader("ab\nabcd\n"), 3, "in.csv", "a CSV file"))
	if err == nil || err.Error() != "in.csv has a line longer than 3 bytes, the cap on a line of a CSV file" {
		t.Fatalf("long line: %v", err)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{1 << 20: "1MiB", 3 << 30: "3GiB", 1536: "1536 bytes", 2048: "2KiB", 7: "7 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q; want %q", n, got, want)
		}
	}
}
