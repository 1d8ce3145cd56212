package scenarios

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ProductionHost is IronCore's production API host; a target on it needs
// LoadOptions.AllowProduction.
const ProductionHost = "api.ironcorelabs.com"

// EmbeddedURL is the target.url that runs the in-process reference service.
const EmbeddedURL = "embedded"

// target decodes target into t, applying its defaults.
func (d *decoder) target(n *yaml.Node, path string, w *Workload, allowProd bool) {
	t := &w.Target
	t.Timeout = defaultTimeout
	t.Connections = ConnPerIdentity
	t.HTTP2 = "auto"
	f, ok := d.mapping(n, path, []string{"url", "timeout", "connections", "max_rate", "max_workers", "faults", "tls", "http2"})
	if !ok {
		return
	}
	if d.str(f.get("url"), f.at("url"), &t.URL) {
		if msg := checkTargetURL(t.URL, allowProd); msg != "" {
			d.errorf(f.get("url"), f.at("url"), "%s", msg)
		} else if u, note := baseURL(t.URL); u != t.URL {
			if note {
				w.Notes = append(w.Notes, fmt.Sprintf("target.url %s: taken as %s (a base URL ends in /; op paths are resolved against it)", t.URL, u))
			}
			t.URL = u
		}
	} else if !f.has("url") {
		d.errorf(n, f.at("url"), "required; want %q or a base URL ending in /api/1/, e.g. https://api-staging.example.com/api/1/", EmbeddedURL)
	}
	if d.duration(f.get("timeout"), f.at("timeout"), &t.Timeout) && t.Timeout == 0 {
		d.errorf(f.get("timeout"), f.at("timeout"), "must be more than 0, e.g. 30s")
	}
	d.oneOf(f.get("connections"), f.at("connections"), []string{ConnShared, ConnPerIdentity, ConnPerCall}, &t.Connections)
	d.rate(f.get("max_rate"), f.at("max_rate"), &t.MaxRate)
	d.intVal(f.get("max_workers"), f.at("max_workers"), 0, math.MaxInt32, &t.MaxWorkers)
	d.oneOf(f.get("http2"), f.at("http2"), []string{"auto", "off"}, &t.HTTP2)
	if f.has("tls") {
		if g, ok := d.mapping(f.get("tls"), f.at("tls"), []string{"ca_file", "insecure_skip_verify"}); ok {
			d.fileName(g.get("ca_file"), g.at("ca_file"), MaxKeyFileSize, &t.TLS.CAFile, w)
			d.boolean(g.get("insecure_skip_verify"), g.at("insecure_skip_verify"), &t.TLS.InsecureSkipVerify)
		}
	}
	if f.has("faults") {
		r := resolve(f.get("faults"))
		w.faultsPos = Pos{Line: r.Line, Col: r.Column}
		items, _ := d.sequence(f.get("faults"), f.at("faults"), "faults")
		for i, item := range items {
			var fl Fault
			if d.fault(item, indexPath(f.at("faults"), i), &fl) {
				t.Faults = append(t.Faults, fl)
			}
		}
	}
}

// checkTargetURL returns what is wrong with a target URL, or "".
func checkTargetURL(raw string, allowProd bool) string {
	if raw == EmbeddedURL {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return quote(raw) + ` is not a target; want "embedded" or an http(s) base URL such as https://host/api/1/`
	}
	if u.User != nil {
		return "credentials do not belong in the URL; use identity.config"
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return quote(raw) + " has a query or fragment; want a base URL such as https://host/api/1/"
	}
	host := u.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), ProductionHost) && !allowProd {
		return ProductionHost + " is IronCore's production API; pass --allow-production to run against it"
	}
	return ""
}

// baseURL returns a checked target URL as a base URL, ending in /: a
// host-only URL gets the path /, and one with a path has / added, which
// note says is worth telling the user (the request paths of ops are
// resolved against it).
func baseURL(raw string) (string, bool) {
	if raw == EmbeddedURL {
		return raw, false
	}
	u, err := url.Parse(raw)
	if err != nil || strings.HasSuffix(u.Path, "/") {
		return raw, false
	}
	note := u.Path != ""
	u.Path += "/"
	if u.RawPath != "" {
		u.RawPath += "/"
	}
	return u.String(), note
}

// fault decodes one fault; it reports whether it is valid.
func (d *decoder) fault(n *yaml.Node, path string, fl *Fault) bool {
	before := len(d.errs)
	f, ok := d.mapping(n, path, []string{"route", "latency", "error_rate", "status", "retry_after", "reset", "stall", "stall_after"})
	if !ok {
		return false
	}
	fl.Line = f.node.Line
	if d.str(f.get("route"), f.at("route"), &fl.Route) {
		if msg := checkRoute(fl.Route); msg != "" {
			d.errorf(f.get("route"), f.at("route"), "%s", msg)
		}
	} else if !f.has("route") {
		d.errorf(n, f.at("route"), `required; want "METHOD /path" or "*"`)
	}
	if f.has("latency") {
		fl.Latency = &LatencySpec{}
		d.latency(f.get("latency"), f.at("latency"), fl.Latency)
	}
	d.prob(f.get("error_rate"), f.at("error_rate"), &fl.ErrorRate)
	if d.intVal(f.get("status"), f.at("status"), 100, 599, &fl.Status) && !f.has("error_rate") {
		d.errorf(f.get("status"), f.at("status"), "set without error_rate; say how often to answer with it, e.g. error_rate: 0.02")
	}
	if fl.ErrorRate > 0 && fl.Status == 0 {
		fl.Status = 503
	}
	if d.duration(f.get("retry_after"), f.at("retry_after"), &fl.RetryAfter) && !f.has("error_rate") {
		d.errorf(f.get("retry_after"), f.at("retry_after"), "set without error_rate; Retry-After is sent with injected errors")
	}
	d.prob(f.get("reset"), f.at("reset"), &fl.Reset)
	d.duration(f.get("stall"), f.at("stall"), &fl.Stall)
	if d.duration(f.get("stall_after"), f.at("stall_after"), &fl.StallAfter) && !f.has("stall") {
		d.errorf(f.get("stall_after"), f.at("stall_after"), "set without stall; say how long to stall, e.g. stall: 5s")
	}
	if len(d.errs) == before && fl.Latency == nil && fl.ErrorRate == 0 && fl.Reset == 0 && fl.Stall == 0 {
		d.errorf(n, path, "injects nothing; give at least one of latency, error_rate, reset or stall")
	}
	return len(d.errs) == before
}

// checkRoute returns what is wrong with a fault route, or "".
func checkRoute(r string) string {
	if r == "*" {
		return ""
	}
	method, p, ok := strings.Cut(r, " ")
	want := `; want "METHOD /path" such as "POST /users", or "*"`
	if !ok || !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " \t") {
		return quote(r) + " is not a route" + want
	}
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "*":
		return ""
	}
	return quote(method) + " is not an HTTP method" + want
}

// latency decodes a latency distribution, checking that exactly the fields
// of its dist are given.
func (d *decoder) latency(n *yaml.Node, path string, l *LatencySpec) {
	f, ok := d.mapping(n, path, []string{"dist", "fixed", "min", "max", "mean", "stddev", "median", "p99"})
	if !ok {
		return
	}
	if !d.oneOf(f.get("dist"), f.at("dist"), []string{DistFixed, DistUniform, DistNormal, DistLognormal}, &l.Dist) {
		if !f.has("dist") {
			d.errorf(n, f.at("dist"), "required; want fixed, uniform, normal or lognormal")
		}
		return
	}
	dists := map[string][]string{
		DistFixed:     {"fixed"},
		DistUniform:   {"min", "max"},
		DistNormal:    {"mean", "stddev"},
		DistLognormal: {"median", "p99"},
	}
	dst := map[string]*time.Duration{
		"fixed": &l.Fixed, "min": &l.Min, "max": &l.Max, "mean": &l.Mean,
		"stddev": &l.StdDev, "median": &l.Median, "p99": &l.P99,
	}
	need := dists[l.Dist]
	for _, k := range []string{"fixed", "min", "max", "mean", "stddev", "median", "p99"} {
		switch {
		case slices.Contains(need, k) && !f.has(k):
			d.errorf(n, f.at(k), "required by dist %s (which takes %s)", l.Dist, strings.Join(need, " and "))
		case slices.Contains(need, k):
			d.duration(f.get(k), f.at(k), dst[k])
		case f.has(k):
			d.errorf(f.pairs[k].key, f.at(k), "not used by dist %s (which takes %s)", l.Dist, strings.Join(need, " and "))
		}
	}
	switch l.Dist {
	case DistUniform:
		if l.Max < l.Min {
			d.errorf(n, path, "max %v is less than min %v", l.Max, l.Min)
		}
	case DistLognormal:
		if f.has("p99") && l.P99 < l.Median {
			d.errorf(n, path, "p99 %v is less than median %v", l.P99, l.Median)
		}
		if f.has("median") && l.Median == 0 {
			d.errorf(f.get("median"), f.at("median"), "must be more than 0 for a lognormal")
		}
	}
}

// indexPath is path[i].
func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// quote is strconv.Quote.
func quote(s string) string { return strconv.Quote(s) }
