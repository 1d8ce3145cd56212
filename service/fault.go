package service

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// Latency distribution names accepted in [Latency.Dist].
const (
	DistFixed     = "fixed"
	DistUniform   = "uniform"
	DistNormal    = "normal"
	DistLognormal = "lognormal"
)

// z99 is the standard normal quantile at 0.99, used to derive a lognormal's sigma from its
// median and 99th percentile: sigma = ln(p99/median) / z99.
const z99 = 2.326

// Latency describes an added delay drawn from a distribution. Which fields are read depends on
// Dist:
//
//	fixed:     Fixed
//	uniform:   Min, Max (Min <= Max)
//	normal:    Mean, StdDev (draws below zero are clamped to zero)
//	lognormal: Median, P99 (P99 >= Median > 0); sigma = ln(P99/Median)/2.326
type Latency struct {
	Dist   string        `json:"dist"`
	Fixed  time.Duration `json:"fixed,omitempty"`
	Min    time.Duration `json:"min,omitempty"`
	Max    time.Duration `json:"max,omitempty"`
	Mean   time.Duration `json:"mean,omitempty"`
	StdDev time.Duration `json:"stddev,omitempty"`
	Median time.Duration `json:"median,omitempty"`
	P99    time.Duration `json:"p99,omitempty"`
}

// Fault is one injected misbehaviour, applied to every request on the routes it names.
//
// Route is "*" (every route except the admin endpoint) or "METHOD /path", where /path is either a
// route pattern relative to /api/1 as listed by [Server.Routes] (for example
// "GET /documents/{documentID}") or a concrete path matched exactly ("GET /documents/abc").
// The health route is "GET /health" whichever of its two mounts was called.
//
// For each request, matching faults are applied in order; each one first holds the request while
// a stall window is open, then sleeps its latency, then may reset the connection (probability
// Reset), then may answer with an error (probability ErrorRate). The first reset or error ends
// the request.
type Fault struct {
	// Route selects the requests this fault applies to.
	Route string `json:"route"`
	// Latency, if not nil, is added before the request is handled.
	Latency *Latency `json:"latency,omitempty"`
	// ErrorRate is the probability, 0..1, of answering with Status instead of handling the request.
	ErrorRate float64 `json:"error_rate,omitempty"`
	// Status is the HTTP status of injected errors, 400..599; zero means 503.
	Status int `json:"status,omitempty"`
	// RetryAfter, if positive, is sent as a Retry-After header (whole seconds, rounded up) on
	// injected errors, typically with Status 429.
	RetryAfter time.Duration `json:"retry_after,omitempty"`
	// Reset is the probability, 0..1, of closing the connection abruptly (TCP RST) instead of
	// answering.
	Reset float64 `json:"reset,omitempty"`
	// Stall is the length of a pause of the whole route. Every request that arrives in
	// [StallAfter, StallAfter+Stall), measured from the server's start (or from SetFaults, if
	// later), is held until
	// StallAfter+Stall. Zero means no stall.
	Stall time.Duration `json:"stall,omitempty"`
	// StallAfter is when the stall window opens, measured from the server's start or, for faults
	// set later with SetFaults or the admin endpoint, from when they were set.
	StallAfter time.Duration `json:"stall_after,omitempty"`
}

// status returns the HTTP status for injected errors.
func (f *Fault) status() int {
	if f.Status == 0 {
		return http.StatusServiceUnavailable
	}
	return f.Status
}

// ValidateFaults checks faults and reports every problem found, each naming the fault's index
// and field. known reports whether a route (already split into method and path) exists; it may
// be nil to skip that check.
func ValidateFaults(faults []Fault, known func(method, path string) bool) error {
	var errs []error
	for i := range faults {
		f := &faults[i]
		bad := func(field, format string, args ...any) {
			errs = append(errs, fmt.Errorf("fault[%d].%s: %s", i, field, fmt.Sprintf(format, args...)))
		}
		if f.Route != "*" {
			method, path, ok := splitRoute(f.Route)
			switch {
			case !ok:
				bad("route", "%q is not \"*\" or \"METHOD /path\"", f.Route)
			case known != nil && !known(method, path):
				bad("route", "%q matches no route", f.Route)
			}
		}
		probability := func(field string, p float64) {
			if math.IsNaN(p) || p < 0 || p > 1 {
				bad(field, "%v is not a probability; want 0..1", p)
			}
		}
		probability("error_rate", f.ErrorRate)
		probability("reset", f.Reset)
		if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
			bad("status", "%d is not an error status; want 400..599 (or 0 for 503)", f.Status)
		}
		nonNegative := func(field string, d time.Duration) {
			if d < 0 {
				bad(field, "%v is negative", d)
			}
		}
		nonNegative("retry_after", f.RetryAfter)
		nonNegative("stall", f.Stall)
		nonNegative("stall_after", f.StallAfter)
		if f.Latency != nil {
			if err := f.Latency.validate(); err != nil {
				bad("latency."+err.field, "%s", err.msg)
			}
		}
	}
	return errors.Join(errs...)
}

// fieldError is a validation problem in one field of a nested value.
type fieldError struct{ field, msg string }

func (l *Latency) validate() *fieldError {
	neg := func(name string, d time.Duration) *fieldError {
		if d < 0 {
			return &fieldError{name, fmt.Sprintf("%v is negative", d)}
		}
		return nil
	}
	switch l.Dist {
	case DistFixed:
		return neg("fixed", l.Fixed)
	case DistUniform:
		if e := neg("min", l.Min); e != nil {
			return e
		}
		if l.Max < l.Min {
			return &fieldError{"max", fmt.Sprintf("%v is below min %v", l.Max, l.Min)}
		}
	case DistNormal:
		if e := neg("mean", l.Mean); e != nil {
			return e
		}
		return neg("stddev", l.StdDev)
	case DistLognormal:
		if l.Median <= 0 {
			return &fieldError{"median", fmt.Sprintf("%v is not positive", l.Median)}
		}
		if l.P99 < l.Median {
			return &fieldError{"p99", fmt.Sprintf("%v is below median %v", l.P99, l.Median)}
		}
	default:
		return &fieldError{"dist", fmt.Sprintf("%q is unknown; want fixed, uniform, normal or lognormal", l.Dist)}
	}
	return nil
}

// sample draws one delay. uniform01 returns a value in [0,1), normal a standard normal value.
func (l *Latency) sample(uniform01, normal func() float64) time.Duration {
	var d float64
	switch l.Dist {
	case DistFixed:
		return l.Fixed
	case DistUniform:
		d = float64(l.Min) + uniform01()*float64(l.Max-l.Min)
	case DistNormal:
		d = float64(l.Mean) + normal()*float64(l.StdDev)
	case DistLognormal:
		sigma := math.Log(float64(l.P99)/float64(l.Median)) / z99
		d = float64(l.Median) * math.Exp(sigma*normal())
	}
	if d < 0 || math.IsNaN(d) {
		return 0
	}
	if d > math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return time.Duration(d)
}

// splitRoute splits "METHOD /path" into its parts.
func splitRoute(route string) (method, path string, ok bool) {
	method, path, ok = strings.Cut(route, " ")
	if !ok || method == "" || method != strings.ToUpper(method) || !strings.HasPrefix(path, "/") ||
		strings.ContainsAny(path, " \t") {
		return "", "", false
	}
	return method, path, true
}
