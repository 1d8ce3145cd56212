package scenarios

import (
	"fmt"
	"strconv"
	"strings"
)

// checkThreshold checks a threshold expression: STAT OP VALUE, such as
// "p(99) < 500ms", "error_rate < 1%" or "throughput >= 50/s".
//
// It stands in for results.ParseThreshold until that exists.
func checkThreshold(expr string) error {
	want := `; want STAT OP VALUE such as "p(99) < 500ms" or "error_rate < 1%"`
	e := strings.TrimSpace(expr)
	i := strings.IndexAny(e, "<>=!")
	if i <= 0 {
		return fmt.Errorf("%q is not a threshold%s", expr, want)
	}
	stat, rest := strings.TrimSpace(e[:i]), e[i:]
	op := rest[:1]
	if len(rest) > 1 && rest[1] == '=' {
		op = rest[:2]
	}
	switch op {
	case "<", "<=", ">", ">=", "==", "!=":
	default:
		return fmt.Errorf("%q: %q is not a comparison; want <, <=, >, >=, == or !=", expr, op)
	}
	value := strings.TrimSpace(rest[len(op):])
	if value == "" {
		return fmt.Errorf("%q has no value%s", expr, want)
	}
	switch {
	case strings.HasPrefix(stat, "p(") && strings.HasSuffix(stat, ")"):
		q, err := strconv.ParseFloat(stat[2:len(stat)-1], 64)
		if err != nil || q < 0 || q > 100 {
			return fmt.Errorf("%q: %s is not a percentile; want p(N) with N in 0..100, e.g. p(99)", expr, stat)
		}
		return checkValue(expr, value, "duration")
	case stat == "min" || stat == "max" || stat == "mean" || stat == "stddev" || stat == "med":
		return checkValue(expr, value, "duration")
	case stat == "error_rate":
		return checkValue(expr, value, "fraction")
	case stat == "count" || stat == "errors":
		return checkValue(expr, value, "count")
	case stat == "throughput" || stat == "rate":
		return checkValue(expr, value, "rate")
	}
	return fmt.Errorf("%q: unknown statistic %q; want p(N), min, max, mean, med, stddev, error_rate, count, errors or throughput", expr, stat)
}

// checkValue checks a threshold's value against what its statistic needs.
func checkValue(expr, v, kind string) error {
	var err error
	switch kind {
	case "duration":
		_, err = parseDuration(v)
	case "fraction":
		_, err = parseProb(v)
	case "count":
		_, err = strconv.ParseInt(v, 10, 64)
		if err != nil {
			err = fmt.Errorf("%q is not a count", v)
		}
	case "rate":
		_, err = parseRate(v)
	}
	if err != nil {
		return fmt.Errorf("%q: %w", expr, err)
	}
	return nil
}
