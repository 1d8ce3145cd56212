package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxAdminBody bounds the size of a PUT /admin/faults body.
const maxAdminBody = 1 << 20

// loopbackOnly answers 403 to requests whose peer address is not a loopback address, or whose
// Host header does not name a loopback host: a page in a local browser can reach a loopback
// peer address through DNS rebinding, but its requests then carry the attacker's host name.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			writeErrors(w, http.StatusForbidden, apiError{Message: "admin endpoints answer only loopback clients", Code: codeForbidden})
			return
		}
		if !isLoopbackHost(r.Host) {
			writeErrors(w, http.StatusForbidden, apiError{
				Message: "admin endpoints answer only requests for a loopback host (localhost, 127.0.0.1, [::1])",
				Code:    codeForbidden,
			})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// isLoopbackHost reports whether a Host header value (with or without a port) names the
// loopback interface: "localhost" or a loopback IP literal.
func isLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1] // "[::1]" with no port
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// servePutFaults replaces the faults with the JSON array in the body. Durations are Go duration
// strings ("20ms") or integers of nanoseconds. Unknown fields are errors.
func (s *Server) servePutFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = &tooLargeError{limit: maxAdminBody}
		} else {
			err = badRequestf("reading body: %v", err)
		}
		fail(w, err)
		return
	}
	faults, err := DecodeFaults(body)
	if err == nil {
		err = s.SetFaults(faults)
	}
	if err != nil {
		writeErrors(w, http.StatusBadRequest, apiError{Message: err.Error(), Code: codeBadRequest})
		return
	}
	s.serveGetFaults(w, r)
}

// serveGetStats answers with what the store holds and the requests served
// per route: {"store": {...}, "requests": {"GET /health": n, ...}}.
func (s *Server) serveGetStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"store": s.Stats(), "requests": s.Requests()})
}

// serveGetFaults answers with the faults in force, in the format PUT accepts.
func (s *Server) serveGetFaults(w http.ResponseWriter, _ *http.Request) {
	faults := s.Faults()
	out := make([]faultJSON, len(faults))
	for i, f := range faults {
		out[i] = toFaultJSON(f)
	}
	writeJSON(w, http.StatusOK, out)
}

// DecodeFaults decodes a JSON array of faults as PUT /admin/faults accepts it: field names as
// in the Fault and Latency JSON tags, durations as Go duration strings ("250ms") or integer
// nanoseconds. Unknown fields are errors. It does not validate the values; SetFaults does.
func DecodeFaults(data []byte) ([]Fault, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var in []faultJSON
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("service: decoding faults: %w", err)
	}
	if dec.More() {
		return nil, errors.New("service: decoding faults: data after the array")
	}
	faults := make([]Fault, len(in))
	for i, f := range in {
		faults[i] = f.fault()
	}
	return faults, nil
}

// faultJSON is Fault on the admin wire, with durations as strings.
type faultJSON struct {
	Route      string       `json:"route"`
	Latency    *latencyJSON `json:"latency,omitempty"`
	ErrorRate  float64      `json:"error_rate,omitempty"`
	Status     int          `json:"status,omitempty"`
	RetryAfter jsonDuration `json:"retry_after,omitempty"`
	Reset      float64      `json:"reset,omitempty"`
	Stall      jsonDuration `json:"stall,omitempty"`
	StallAfter jsonDuration `json:"stall_after,omitempty"`
}

// latencyJSON is Latency on the admin wire.
type latencyJSON struct {
	Dist   string       `json:"dist"`
	Fixed  jsonDuration `json:"fixed,omitempty"`
	Min    jsonDuration `json:"min,omitempty"`
	Max    jsonDuration `json:"max,omitempty"`
	Mean   jsonDuration `json:"mean,omitempty"`
	StdDev jsonDuration `json:"stddev,omitempty"`
	Median jsonDuration `json:"median,omitempty"`
	P99    jsonDuration `json:"p99,omitempty"`
}

func (f faultJSON) fault() Fault {
	out := Fault{
		Route: f.Route, ErrorRate: f.ErrorRate, Status: f.Status, RetryAfter: time.Duration(f.RetryAfter),
		Reset: f.Reset, Stall: time.Duration(f.Stall), StallAfter: time.Duration(f.StallAfter),
	}
	if l := f.Latency; l != nil {
		out.Latency = &Latency{
			Dist: l.Dist, Fixed: time.Duration(l.Fixed), Min: time.Duration(l.Min), Max: time.Duration(l.Max),
			Mean: time.Duration(l.Mean), StdDev: time.Duration(l.StdDev),
			Median: time.Duration(l.Median), P99: time.Duration(l.P99),
		}
	}
	return out
}

func toFaultJSON(f Fault) faultJSON {
	out := faultJSON{
		Route: f.Route, ErrorRate: f.ErrorRate, Status: f.Status, RetryAfter: jsonDuration(f.RetryAfter),
		Reset: f.Reset, Stall: jsonDuration(f.Stall), StallAfter: jsonDuration(f.StallAfter),
	}
	if l := f.Latency; l != nil {
		out.Latency = &latencyJSON{
			Dist: l.Dist, Fixed: jsonDuration(l.Fixed), Min: jsonDuration(l.Min), Max: jsonDuration(l.Max),
			Mean: jsonDuration(l.Mean), StdDev: jsonDuration(l.StdDev),
			Median: jsonDuration(l.Median), P99: jsonDuration(l.P99),
		}
	}
	return out
}

// jsonDuration is a time.Duration written as a Go duration string and read from one or from
// integer nanoseconds.
type jsonDuration time.Duration

// MarshalJSON writes d as a duration string.
func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration string or integer nanoseconds.
func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = jsonDuration(v)
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("duration %s: want a string such as \"250ms\" or integer nanoseconds", b)
	}
	*d = jsonDuration(n)
	return nil
}
