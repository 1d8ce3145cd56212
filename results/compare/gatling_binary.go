package compare

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// The binary simulation.log of Gatling 3.13 and later is a sequence of
// records, each a header byte and big-endian fields (Java's DataOutput):
//
//	run     0 version:str class:str start:i64 description:str
//	          nscenarios:i32 scenario:str... nassertions:i32 (len:i32 bytes)...
//	request 1 ngroups:i32 group:cstr... name:cstr start:i32 end:i32 ok:u8 message:cstr
//	user    2 scenario:i32 start:u8 timestamp:i32
//	group   3 ngroups:i32 group:cstr... start:i32 end:i32 cumulated:i32 ok:u8
//	error   4 message:cstr timestamp:i32
//
// Timestamps are milliseconds from the run's start. str is len:i32 then,
// when len > 0, the Java String's internal bytes and its coder byte (0
// Latin-1, 1 UTF-16 in the writer's native order, little-endian on the
// machines Gatling runs on). cstr is a cached string: index:i32, followed by
// a str when the index is positive (the string is defined), while a
// negative index refers to the string defined at −index.
//
// Gatling itself reads only logs of its own version. This reader knows the
// layout written by the versions in gatlingBinaryVersions, checked against
// Gatling's sources and the fixtures in testdata, and refuses others.

// gatlingBinaryVersions are the version prefixes whose binary layout is
// known. "3.12.1" is the version string inside Gatling's own binary fixture,
// written by the development build that introduced the layout.
var gatlingBinaryVersions = [...]string{"3.12.1", "3.13.", "3.14.", "3.15."}

// Binary record headers.
const (
	gbRun     = 0
	gbRequest = 1
	gbUser    = 2
	gbGroup   = 3
	gbError   = 4
)

// maxGatlingString bounds a string length, to refuse garbage quickly.
const maxGatlingString = 64 << 20

// gbReader reads the fields of a binary log.
type gbReader struct {
	r     *bufio.Reader
	cache map[int32]string
	err   error
}

func (g *gbReader) fail(err error) {
	if g.err == nil {
		g.err = err
	}
}

func (g *gbReader) byte() byte {
	if g.err != nil {
		return 0
	}
	b, err := g.r.ReadByte()
	if err != nil {
		g.fail(err)
	}
	return b
}

func (g *gbReader) i32() int32 {
	var b [4]byte
	if g.err != nil {
		return 0
	}
	if _, err := io.ReadFull(g.r, b[:]); err != nil {
		g.fail(err)
		return 0
	}
	return int32(binary.BigEndian.Uint32(b[:]))
}

func (g *gbReader) i64() int64 {
	var b [8]byte
	if g.err != nil {
		return 0
	}
	if _, err := io.ReadFull(g.r, b[:]); err != nil {
		g.fail(err)
		return 0
	}
	return int64(binary.BigEndian.Uint64(b[:]))
}

func (g *gbReader) bytes(n int32) []byte {
	if g.err != nil {
		return nil
	}
	if n < 0 || n > maxGatlingString {
		g.fail(fmt.Errorf("field length %d out of range", n))
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(g.r, b); err != nil {
		g.fail(err)
		return nil
	}
	return b
}

// str reads a str.
func (g *gbReader) str() string {
	n := g.i32()
	if n == 0 || g.err != nil {
		return ""
	}
	b := g.bytes(n)
	switch coder := g.byte(); coder {
	case 0: // Latin-1: one byte is one code point.
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		return sb.String()
	case 1:
		if len(b)%2 != 0 {
			g.fail(errors.New("odd UTF-16 string length"))
			return ""
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return string(utf16.Decode(u))
	default:
		g.fail(fmt.Errorf("string coder %d is neither Latin-1 (0) nor UTF-16 (1)", coder))
		return ""
	}
}

// cstr reads a cached string.
func (g *gbReader) cstr() string {
	idx := g.i32()
	if g.err != nil {
		return ""
	}
	if idx >= 0 {
		s := g.str()
		g.cache[idx] = s
		return s
	}
	s, ok := g.cache[-idx]
	if !ok {
		g.fail(fmt.Errorf("cached string %d used before it is defined", -idx))
	}
	return s
}

// isGatlingBinary reports whether head starts like a binary run record.
func isGatlingBinary(head []byte) bool {
	if len(head) < 7 || head[0] != gbRun {
		return false
	}
	n := binary.BigEndian.Uint32(head[1:5])
	return n > 0 && n < 32 && head[5] == '3'
}

// readGatlingBinary reads a binary simulation.log into acc. It returns the
// run's metadata and its first start and last end (epoch ms).
func readGatlingBinary(r io.Reader, m *Mapping, acc map[string]*opAcc) (meta map[string]string, first, last int64, warns []string, err error) {
	g := &gbReader{r: bufio.NewReaderSize(r, 1<<16), cache: make(map[int32]string)}
	if h := g.byte(); g.err != nil || h != gbRun {
		return nil, 0, 0, nil, errors.New("binary simulation.log does not start with a run record")
	}
	version := g.str()
	if g.err != nil {
		return nil, 0, 0, nil, fmt.Errorf("run record: %w", g.err)
	}
	known := false
	for _, v := range gatlingBinaryVersions {
		known = known || strings.HasPrefix(version, v)
	}
	if !known {
		return nil, 0, 0, nil, fmt.Errorf("binary simulation.log of Gatling %q: its layout is not known here (known: 3.13.x–3.15.x)", version)
	}
	meta = map[string]string{"tool": "gatling", "version": version}
	meta["workload"] = g.str()
	runStart := g.i64()
	g.str() // description
	for n := g.i32(); n > 0 && g.err == nil; n-- {
		g.str()
	}
	for n := g.i32(); n > 0 && g.err == nil; n-- {
		g.bytes(g.i32()) // an assertion, boopickle-encoded
	}
	if g.err != nil {
		return nil, 0, 0, nil, fmt.Errorf("run record: %w", g.err)
	}
	first, last = -1, -1
	span := func(a, b int64) {
		if first < 0 || a < first {
			first = a
		}
		if b > last {
			last = b
		}
	}
	groups := func() {
		for n := g.i32(); n > 0 && g.err == nil; n-- {
			g.cstr()
		}
	}
	for rec := 2; ; rec++ {
		h, err := g.r.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, 0, warns, err
		}
		switch h {
		case gbRequest:
			groups()
			name := g.cstr()
			start, end := int64(g.i32()), int64(g.i32())
			ok := g.byte() != 0
			g.cstr() // message
			// A request ending before its start (a clock step) has no latency.
			if g.err == nil && end < start {
				warns = append(warns, fmt.Sprintf("record %d: REQUEST %q ends (%d ms) before it starts (%d ms); skipped", rec, name, end, start))
			} else if g.err == nil {
				a := accFor(acc, m.Op(name))
				a.b.add(float64(end-start), 1)
				if !ok {
					a.errors++
				}
				span(runStart+start, runStart+end)
			}
		case gbUser:
			g.i32()
			g.byte()
			ts := int64(g.i32())
			if g.err == nil {
				span(runStart+ts, runStart+ts)
			}
		case gbGroup:
			groups()
			g.i32()
			g.i32()
			g.i32()
			g.byte()
		case gbError:
			g.cstr()
			g.i32()
		default:
			return nil, 0, 0, warns, fmt.Errorf("record %d: unknown header byte %d", rec, h)
		}
		if g.err != nil {
			if errors.Is(g.err, io.EOF) || errors.Is(g.err, io.ErrUnexpectedEOF) {
				warns = append(warns, fmt.Sprintf("simulation.log is truncated in record %d; records before it are kept", rec))
				break
			}
			return nil, 0, 0, warns, fmt.Errorf("record %d: %w", rec, g.err)
		}
	}
	return meta, first, last, warns, nil
}
