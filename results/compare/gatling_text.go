package compare

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Gatling text simulation.log layouts (tab-separated, one record a line):
//
//	3.0–3.3:  RUN     class simulationId start description version
//	          USER    scenario userId START|END start end
//	          REQUEST userId groups name start end OK|KO message
//	          GROUP   userId groups start end cumulatedResponseTime OK|KO
//	3.4–3.12: ASSERTION base64
//	          RUN     class simulationId start description version
//	          USER    scenario START|END timestamp
//	          REQUEST groups name start end OK|KO message
//	          GROUP   groups start end cumulatedResponseTime OK|KO
//	both:     ERROR   message timestamp
//
// Timestamps are epoch milliseconds; a request's response time is end −
// start. The layout is told per REQUEST line by its field count, since the
// RUN record's version field is not reliable (Gatling's own fixtures say
// "2.0").

// gatlingTextFields are the field counts of a REQUEST line per layout.
const (
	gatlingRequestFields30 = 8
	gatlingRequestFields34 = 7
)

// readGatlingText reads a text simulation.log into acc, one op per request
// name mapped through m. It returns the run's metadata and its first start
// and last end (epoch ms).
func readGatlingText(r io.Reader, m *Mapping, acc map[string]*opAcc) (meta map[string]string, first, last int64, warns []string, err error) {
	meta = map[string]string{"tool": "gatling"}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	requests := 0
	first, last = -1, -1
	span := func(a, b int64) {
		if first < 0 || a < first {
			first = a
		}
		if b > last {
			last = b
		}
	}
	for sc.Scan() {
		line++
		f := strings.Split(sc.Text(), "\t")
		switch f[0] {
		case "RUN":
			if len(f) >= 6 {
				meta["workload"] = f[1]
				meta["version"] = f[5]
			}
		case "REQUEST":
			// o skips the userId field of 3.0–3.3; groups come next.
			var o int
			switch len(f) {
			case gatlingRequestFields30:
				o = 1
			case gatlingRequestFields34:
			default:
				return nil, 0, 0, warns, fmt.Errorf("line %d: REQUEST record with %d fields; Gatling 3.0–3.3 write %d, 3.4–3.12 write %d",
					line, len(f), gatlingRequestFields30, gatlingRequestFields34)
			}
			name, startS, endS, status := f[o+2], f[o+3], f[o+4], f[o+5]
			start, err1 := strconv.ParseInt(startS, 10, 64)
			end, err2 := strconv.ParseInt(endS, 10, 64)
			if err1 != nil || err2 != nil {
				return nil, 0, 0, warns, fmt.Errorf("line %d: REQUEST timestamps %q, %q are not epoch milliseconds", line, startS, endS)
			}
			if status != "OK" && status != "KO" {
				return nil, 0, 0, warns, fmt.Errorf("line %d: REQUEST status %q is neither OK nor KO", line, status)
			}
			if end < start { // a clock step: no latency to take (it was a negative one)
				warns = append(warns, fmt.Sprintf("line %d: REQUEST ends (%d) before it starts (%d); skipped", line, end, start))
				continue
			}
			a := accFor(acc, m.Op(name))
			a.b.add(float64(end-start), 1)
			if status == "KO" {
				a.errors++
			}
			span(start, end)
			requests++
		case "USER":
			// 3.0–3.3: scenario userId START|END start end; 3.4+: scenario START|END ts.
			var ts string
			switch len(f) {
			case 6:
				ts = f[5]
			case 4:
				ts = f[3]
			}
			if v, err := strconv.ParseInt(ts, 10, 64); err == nil {
				span(v, v)
			}
		case "GROUP", "ERROR", "ASSERTION":
			// Groups are sums of their requests; errors are messages.
		default:
			if line == 1 {
				return nil, 0, 0, warns, fmt.Errorf("line 1 starts with %q, not a Gatling 3 record (Gatling 2 logs are not read)", f[0])
			}
			warns = append(warns, fmt.Sprintf("line %d: unknown record %q skipped", line, f[0]))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, 0, warns, err
	}
	if requests == 0 {
		warns = append(warns, "no REQUEST records")
	}
	return meta, first, last, warns, nil
}

// accFor returns acc[name], created when missing.
func accFor(acc map[string]*opAcc, name string) *opAcc {
	a := acc[name]
	if a == nil {
		a = &opAcc{}
		acc[name] = a
	}
	return a
}
