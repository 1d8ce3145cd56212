package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.v3 node tree, collecting every problem as a
// positioned *Error instead of stopping at the first.
type decoder struct {
	file   string
	lookup func(string) (string, bool)
	errs   []error
}

// errorf records a problem with field at n's position.
func (d *decoder) errorf(n *yaml.Node, field, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Col: n.Column, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// entry is one key: value pair of a mapping.
type entry struct {
	key, val *yaml.Node
}

// fields is a decoded mapping: its pairs by key, and the mapping node itself.
type fields struct {
	node  *yaml.Node
	path  string
	pairs map[string]entry
}

// has reports whether key is present with a non-null value.
func (f fields) has(key string) bool {
	e, ok := f.pairs[key]
	return ok && !isNull(e.val)
}

// get returns the value of key, or nil if it is absent or null.
func (f fields) get(key string) *yaml.Node {
	if !f.has(key) {
		return nil
	}
	return f.pairs[key].val
}

// at returns the path of key below f.
func (f fields) at(key string) string { return join(f.path, key) }

// join appends key to a field path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is absent or an explicit null (`key:` or `~`).
func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// kindName describes a node's kind for "got ..." messages.
func kindName(n *yaml.Node) string {
	if n = resolve(n); n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// mapping checks that n is a mapping whose keys are all in allowed and not
// repeated, and returns its pairs. Unknown keys are reported with the list
// of allowed ones and a "did you mean" for a near miss; they are left out.
// YAML merge keys (<<: *base, or a list of them) are followed: keys given
// in n win over merged ones, and earlier merged mappings over later ones.
// On a non-mapping it reports the problem and returns ok false.
func (d *decoder) mapping(n *yaml.Node, path string, allowed []string) (fields, bool) {
	return d.mappingSeen(n, path, allowed, map[*yaml.Node]bool{})
}

// mappingSeen is mapping; seen holds the mappings already merged, so each
// is read once however often (or cyclically) anchors merge it.
func (d *decoder) mappingSeen(n *yaml.Node, path string, allowed []string, seen map[*yaml.Node]bool) (fields, bool) {
	n = resolve(n)
	seen[n] = true
	f := fields{node: n, path: path, pairs: map[string]entry{}}
	if n == nil || n.Kind != yaml.MappingNode {
		if n != nil {
			d.errorf(n, path, "want a mapping of %s; got %s", strings.Join(allowed, ", "), kindName(n))
		}
		return f, false
	}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			d.errorf(n.Content[i], path, "keys must be plain names; got %s", kindName(n.Content[i]))
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if !slices.Contains(allowed, k.Value) {
			msg := fmt.Sprintf("unknown field %q", k.Value)
			if s := suggest(k.Value, allowed); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			d.errorf(k, join(path, k.Value), "%s (allowed: %s)", msg, strings.Join(allowed, ", "))
			continue
		}
		if prev, dup := f.pairs[k.Value]; dup {
			d.errorf(k, join(path, k.Value), "repeated; first given at line %d", prev.key.Line)
			continue
		}
		f.pairs[k.Value] = entry{key: k, val: v}
	}
	for _, m := range merges {
		for _, src := range mergeSources(m) {
			r := resolve(src)
			if r == nil || r.Kind != yaml.MappingNode {
				d.errorf(src, path, "<< merges a mapping (such as *base) or a list of them; got %s", kindName(src))
				continue
			}
			if seen[r] {
				continue
			}
			g, _ := d.mappingSeen(r, path, allowed, seen)
			for k, e := range g.pairs {
				if _, ok := f.pairs[k]; !ok {
					f.pairs[k] = e
				}
			}
		}
	}
	return f, true
}

// sequence checks that n is a list and returns its items.
func (d *decoder) sequence(n *yaml.Node, path, want string) ([]*yaml.Node, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		if n != nil {
			d.errorf(n, path, "want a list of %s; got %s", want, kindName(n))
		}
		return nil, false
	}
	return n.Content, true
}

// scalar returns n's text after ${VAR} expansion. want describes the
// expected value for the error on a list or mapping.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	n = resolve(n)
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "want %s; got %s", want, kindName(n))
		return "", false
	}
	s, err := expand(n.Value, d.lookup)
	if err != nil {
		d.errorf(n, path, "%v", err)
		return "", false
	}
	return s, true
}

// str decodes a string into *dst if n is set.
func (d *decoder) str(n *yaml.Node, path string, dst *string) bool {
	if isNull(n) {
		return false
	}
	s, ok := d.scalar(n, path, "a string")
	if ok {
		*dst = s
	}
	return ok
}

// boolean decodes true or false into *dst if n is set.
func (d *decoder) boolean(n *yaml.Node, path string, dst *bool) bool {
	if isNull(n) {
		return false
	}
	s, ok := d.scalar(n, path, "true or false")
	if !ok {
		return false
	}
	switch s {
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		d.errorf(n, path, "%q is not true or false", s)
		return false
	}
	return true
}

// int64Val decodes an integer in [lo, hi] into *dst if n is set.
func (d *decoder) int64Val(n *yaml.Node, path string, lo, hi int64, dst *int64) bool {
	if isNull(n) {
		return false
	}
	s, ok := d.scalar(n, path, "an integer")
	if !ok {
		return false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(s), "_", ""), 10, 64)
	if err != nil {
		d.errorf(n, path, "%q is not an integer", s)
		return false
	}
	if v < lo || v > hi {
		d.errorf(n, path, "%d is out of range; want %s", v, rangeText(lo, hi))
		return false
	}
	*dst = v
	return true
}

// rangeText describes [lo, hi] for errors.
func rangeText(lo, hi int64) string {
	switch {
	case hi >= math.MaxInt32:
		return fmt.Sprintf("%d or more", lo)
	default:
		return fmt.Sprintf("%d to %d", lo, hi)
	}
}

// intVal decodes an int in [lo, hi] into *dst if n is set.
func (d *decoder) intVal(n *yaml.Node, path string, lo, hi int, dst *int) bool {
	var v int64
	if !d.int64Val(n, path, int64(lo), int64(hi), &v) {
		return false
	}
	*dst = int(v)
	return true
}

// duration decodes a non-negative Go duration into *dst if n is set.
func (d *decoder) duration(n *yaml.Node, path string, dst *time.Duration) bool {
	if isNull(n) {
		return false
	}
	s, ok := d.scalar(n, path, "a duration")
	if !ok {
		return false
	}
	v, err := parseDuration(s)
	if err != nil {
		d.errorf(n, path, "%v", err)
		return false
	}
	if v < 0 {
		d.errorf(n, path, "%s is negative; durations must be 0 or more", s)
		return false
	}
	*dst = v
	return true
}

// rate decodes a rate (per second) into *dst if n is set.
func (d *decoder) rate(n *yaml.Node, path string, dst *float64) bool {
	if isNull(n) {
		return false
	}
	s, ok := d.scalar(n, path, "a rate such as 200/s")
	if !ok {
		return false
	}
	v, err := parseRate(s)
	if err != nil {
		d.errorf(n, path, "%v", err)
		return false
	}
	*dst = v
	return true
}

// prob decodes a probability into *dst if n is set.
func (d *decoder) prob(n *yaml.Node, path string, dst *float64) bool {
	if isNull(n) {
		return false
	}
	s, ok := d.scalar(n, path, "a probability such as 0.02 or 2%")
	if !ok {
		return false
	}
	v, err := parseProb(s)
	if err != nil {
		d.errorf(n, path, "%v", err)
		return false
	}
	*dst = v
	return true
}

// oneOf decodes a string that must be one of allowed into *dst if n is set.
func (d *decoder) oneOf(n *yaml.Node, path string, allowed []string, dst *string) bool {
	var s string
	if !d.str(n, path, &s) {
		return false
	}
	if !slices.Contains(allowed, s) {
		msg := fmt.Sprintf("%q is not allowed; want one of %s", s, strings.Join(allowed, ", "))
		if g := suggest(s, allowed); g != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", g)
		}
		d.errorf(n, path, "%s", msg)
		return false
	}
	*dst = s
	return true
}

// mergeSources returns what a merge key's value merges: one mapping or a
// list of them.
func mergeSources(v *yaml.Node) []*yaml.Node {
	if r := resolve(v); r != nil && r.Kind == yaml.SequenceNode {
		return r.Content
	}
	return []*yaml.Node{v}
}
