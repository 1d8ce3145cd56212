// Package capped reads files and streams with a size cap, so that an input
// such as /dev/zero, or a file far larger than any real one, fails fast
// with an error naming the cap instead of filling memory or running on.
package capped

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ErrTooLarge is matched (errors.Is) by every *TooLargeError.
var ErrTooLarge = errors.New("input too large")

// TooLargeError says that the input Name holds more than Limit bytes, the
// cap on What (a kind of input, such as "a workload file"), or has a line
// longer than Limit when Line is set.
type TooLargeError struct {
	Name  string
	What  string
	Limit int64
	Line  bool
}

func (e *TooLargeError) Error() string {
	if e.Line {
		return fmt.Sprintf("%s has a line longer than %s, the cap on a line of %s", e.Name, Size(e.Limit), e.What)
	}
	return fmt.Sprintf("%s is larger than %s, the cap on %s", e.Name, Size(e.Limit), e.What)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ReadFile reads the file at path whole, failing with a *TooLargeError
// when it holds more than limit bytes. It reads at most limit+1 bytes, so
// a device or pipe without end (/dev/zero) fails as soon as it is over.
// what names the kind of file for the message.
func ReadFile(path string, limit int64, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a folder; want %s", path, what)
	} else if err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
		return nil, &TooLargeError{Name: path, What: what, Limit: limit}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Name: path, What: what, Limit: limit}
	}
	return b, nil
}

// Reader returns a reader of r that fails with a *TooLargeError once more
// than limit bytes were read from it.
func Reader(r io.Reader, limit int64, name, what string) io.Reader {
	return &reader{r: r, left: limit, err: &TooLargeError{Name: name, What: what, Limit: limit}}
}

type reader struct {
	r    io.Reader
	left int64
	err  error
}

func (c *reader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, c.err
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n + int(c.left), c.err // the bytes up to the cap, then the error
	}
	return n, err
}

// Lines returns a reader of r that fails with a *TooLargeError when a line
// (bytes between two '\n') is longer than limit, for line-oriented text
// (CSV, JSON lines) read by parsers that would otherwise hold a line of any
// length in memory.
func Lines(r io.Reader, limit int64, name, what string) io.Reader {
	return &lines{r: r, limit: limit, err: &TooLargeError{Name: name, What: what, Limit: limit, Line: true}}
}

type lines struct {
	r     io.Reader
	limit int64
	cur   int64 // length of the current line so far
	err   error
}

func (l *lines) Read(p []byte) (int, error) {
	if l.cur > l.limit {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.cur = 0
			continue
		}
		l.cur++
		if l.cur > l.limit {
			return i, l.err
		}
	}
	return n, err
}

// Size formats n bytes in the largest binary unit that divides it, as the
// workload file writes sizes (64MiB, 1GiB).
func Size(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
