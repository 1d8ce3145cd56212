package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseRate reads a rate in iterations per second from "N/s", "N/m", "N/h"
// or a bare N (per second). N may have a fraction; it must be finite and
// non-negative.
func parseRate(s string) (float64, error) {
	num, unit, hasUnit := strings.Cut(strings.TrimSpace(s), "/")
	per := 1.0
	if hasUnit {
		switch strings.TrimSpace(unit) {
		case "s", "1s":
		case "m", "1m":
			per = 60
		case "h", "1h":
			per = 3600
		default:
			return 0, fmt.Errorf("%q is not a rate; the unit after / must be s, m or h, e.g. 200/s", s)
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("%q is not a rate; want N/s, N/m or N/h, e.g. 200/s", s)
	}
	if n < 0 {
		return 0, fmt.Errorf("%q is negative; a rate must be 0 or more, e.g. 200/s", s)
	}
	return n / per, nil
}

// formatRate writes r (per second) in the form parseRate reads back exactly.
func formatRate(r float64) string {
	return strconv.FormatFloat(r, 'g', -1, 64) + "/s"
}

// parseSize reads a byte count such as 512, 4KB, 4KiB or 1MiB: SI units
// (KB = 1000) and binary ones (KiB = 1024).
func parseSize(s string) (int64, error) {
	sizeUnits := [...]struct {
		suffix string
		mult   int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
		{"B", 1},
	}
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size; want bytes such as 512, 4KB, 4KiB or 1MiB", s)
	}
	if n < 0 {
		return 0, fmt.Errorf("%q is negative; a size must be 0 or more", s)
	}
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * mult, nil
}

// parseDuration reads a Go duration ("250ms", "1m30s"); "0" is allowed.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration; want a Go duration such as 250ms, 30s or 1m30s", s)
	}
	return d, nil
}

// parseProb reads a probability as a fraction 0..1 ("0.02") or a percentage
// 0%..100% ("2%").
func parseProb(s string) (float64, error) {
	t := strings.TrimSpace(s)
	div := 1.0
	if p, ok := strings.CutSuffix(t, "%"); ok {
		t, div = strings.TrimSpace(p), 100
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a probability; want a fraction 0..1 or a percentage, e.g. 0.02 or 2%%", s)
	}
	v /= div
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("%q is out of range; want a fraction 0..1 or a percentage 0%%..100%%", s)
	}
	return v, nil
}

// suggest returns the candidate closest to s by edit distance if it is close
// enough to be a likely typo, else "".
func suggest(s string, candidates []string) string {
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(s) <= 3 {
		limit = 1
	}
	if bestD > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
