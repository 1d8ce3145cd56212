package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ironcorelabs/loadgen/ops"
)

// steps decodes a steps or mix list.
func (d *decoder) steps(n *yaml.Node, path string, mix bool, cat *ops.Catalog) []StepSpec {
	items, ok := d.sequence(n, path, "steps such as {op: http, url: /health}")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(n, path, "empty; want at least one step such as {op: http, url: /health}")
		return nil
	}
	out := make([]StepSpec, 0, len(items))
	for i, item := range items {
		if st, ok := d.step(item, indexPath(path, i), mix, cat); ok {
			out = append(out, st)
		}
	}
	return out
}

// step decodes one step, checking its op's fields against the catalog.
func (d *decoder) step(n *yaml.Node, path string, mix bool, cat *ops.Catalog) (StepSpec, bool) {
	before := len(d.errs)
	st := StepSpec{}
	base := []string{"op", "name"}
	if mix {
		base = append(base, "weight")
	}
	// The op decides which other fields are allowed, so find it first.
	var entry *ops.Entry
	if v := findKey(n, "op", map[*yaml.Node]bool{}); !isNull(v) && d.str(v, join(path, "op"), &st.Op) {
		e, ok := cat.Lookup(st.Op)
		if !ok {
			msg := fmt.Sprintf("unknown op %q", st.Op)
			if s := suggest(st.Op, cat.Names()); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			d.errorf(v, join(path, "op"), "%s (known ops: %s)", msg, strings.Join(cat.Names(), ", "))
		}
		entry = e
	}
	allowed := base
	if entry != nil {
		for _, fd := range entry.Fields {
			allowed = append(allowed, fd.Name)
		}
	} else if st.Op != "" {
		// An unknown op's fields cannot be checked; allow them rather
		// than report each as unknown too.
		allowed = append(allowed, keys(n, map[*yaml.Node]bool{})...)
	}
	f, ok := d.mapping(n, path, allowed)
	if !ok {
		return st, false
	}
	st.Line, st.Col = f.node.Line, f.node.Column
	if !f.has("op") {
		d.errorf(n, f.at("op"), "required; want one of %s", strings.Join(cat.Names(), ", "))
	}
	if d.str(f.get("name"), f.at("name"), &st.Name) && st.Name == "" {
		d.errorf(f.get("name"), f.at("name"), "empty; omit it to label the step by its op")
	}
	if st.Name == "" {
		st.Name = st.Op
	}
	if strings.ContainsAny(st.Name, "/*") && f.has("name") {
		d.errorf(f.get("name"), f.at("name"), "%q may not hold / or * (threshold keys use scenario/op)", st.Name)
	}
	if mix {
		st.Weight = 1
		d.intVal(f.get("weight"), f.at("weight"), 1, math.MaxInt32, &st.Weight)
	}
	if entry != nil {
		st.Args = ops.Args{}
		st.ArgPos = map[string]Pos{}
		for _, fd := range entry.Fields {
			v := f.get(fd.Name)
			if v == nil {
				if fd.Required {
					msg := "required by op " + entry.Name
					if fd.Help != "" {
						msg += ": " + fd.Help
					}
					d.errorf(n, f.at(fd.Name), "%s", msg)
				}
				continue
			}
			if a, ok := d.arg(v, f.at(fd.Name), fd.Kind); ok {
				st.Args[fd.Name] = a
				rv := resolve(v)
				st.ArgPos[fd.Name] = Pos{Line: rv.Line, Col: rv.Column}
			}
		}
	}
	return st, len(d.errs) == before
}

// arg converts an op field's value to the Go type of its kind.
func (d *decoder) arg(n *yaml.Node, path string, k ops.FieldKind) (any, bool) {
	switch k {
	case ops.String:
		var s string
		return s, d.str(n, path, &s)
	case ops.Int:
		var v int64
		return v, d.int64Val(n, path, math.MinInt64, math.MaxInt64, &v)
	case ops.Bool:
		var v bool
		return v, d.boolean(n, path, &v)
	case ops.Duration:
		var v time.Duration
		return v, d.duration(n, path, &v)
	case ops.Size:
		s, ok := d.scalar(n, path, k.String())
		if !ok {
			return nil, false
		}
		v, err := parseSize(s)
		if err != nil {
			d.errorf(n, path, "%v", err)
			return nil, false
		}
		return v, true
	case ops.StringList, ops.IntList:
		items, ok := d.sequence(n, path, strings.TrimPrefix(k.String(), "a list of "))
		if !ok {
			return nil, false
		}
		var ss []string
		var is []int64
		good := true
		for i, item := range items {
			p := indexPath(path, i)
			if k == ops.StringList {
				var s string
				if d.scalarOnly(item, p, "a string") && d.str(item, p, &s) {
					ss = append(ss, s)
					continue
				}
			} else {
				var v int64
				if d.scalarOnly(item, p, "an integer") && d.int64Val(item, p, math.MinInt64, math.MaxInt64, &v) {
					is = append(is, v)
					continue
				}
			}
			good = false
		}
		if k == ops.StringList {
			return slices.Clip(append([]string{}, ss...)), good
		}
		return slices.Clip(append([]int64{}, is...)), good
	case ops.StringMap:
		m := resolve(n)
		if m == nil || m.Kind != yaml.MappingNode {
			d.errorf(n, path, "want %s; got %s", k, kindName(m))
			return nil, false
		}
		out := map[string]string{}
		good := true
		for i := 0; i+1 < len(m.Content); i += 2 {
			kn, vn := resolve(m.Content[i]), m.Content[i+1]
			if kn == nil || kn.Kind != yaml.ScalarNode {
				d.errorf(m.Content[i], path, "keys must be strings")
				good = false
				continue
			}
			p := join(path, kn.Value)
			if _, dup := out[kn.Value]; dup {
				d.errorf(kn, p, "repeated")
				good = false
				continue
			}
			var s string
			if !d.scalarOnly(vn, p, "a string") || !d.str(vn, p, &s) && !isNull(vn) {
				good = false
				continue
			}
			out[kn.Value] = s
		}
		return out, good
	}
	d.errorf(n, path, "op field of unsupported kind %v", k)
	return nil, false
}

// scalarOnly reports whether n is a scalar (or null), reporting a list or
// mapping where want was expected.
func (d *decoder) scalarOnly(n *yaml.Node, path, want string) bool {
	r := resolve(n)
	if r != nil && r.Kind != yaml.ScalarNode {
		d.errorf(n, path, "want %s; got %s", want, kindName(r))
		return false
	}
	return true
}

// findKey returns the value of key in the mapping n, following merge keys
// as mapping does, or nil.
func findKey(n *yaml.Node, key string, seen map[*yaml.Node]bool) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode || seen[n] {
		return nil
	}
	seen[n] = true
	var merged *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		switch {
		case k == nil || k.Kind != yaml.ScalarNode:
		case k.Value == key:
			return n.Content[i+1]
		case k.Value == "<<" && k.Tag == "!!merge" && merged == nil:
			for _, src := range mergeSources(n.Content[i+1]) {
				if v := findKey(src, key, seen); v != nil {
					merged = v
					break
				}
			}
		}
	}
	return merged
}

// keys returns the keys of the mapping n, merged ones included.
func keys(n *yaml.Node, seen map[*yaml.Node]bool) []string {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode || seen[n] {
		return nil
	}
	seen[n] = true
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode {
			if k.Value == "<<" && k.Tag == "!!merge" {
				for _, src := range mergeSources(n.Content[i+1]) {
					out = append(out, keys(src, seen)...)
				}
				continue
			}
			out = append(out, k.Value)
		}
	}
	return out
}
