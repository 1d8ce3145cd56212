package service

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
)

// maxPolicyFile bounds a policy file; the admin console's policies are a few KiB.
const maxPolicyFile = 1 << 20

// LoadPolicy reads and checks the policy file at path (see ParsePolicy).
func LoadPolicy(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("service: policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPolicyFile+1))
	if err != nil {
		return nil, fmt.Errorf("service: policy: %s: %w", path, err)
	}
	if len(data) > maxPolicyFile {
		return nil, fmt.Errorf("service: policy: %s: larger than %d bytes", path, maxPolicyFile)
	}
	return ParsePolicy(path, data)
}

// ParsePolicy decodes and checks a policy in the admin console's JSON form (see Policy and
// policies.json, the default). Unknown fields are errors. Errors name name:line:col, the field
// (such as rules[1].category) and what is wrong.
func ParsePolicy(name string, data []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		off := dec.InputOffset()
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset - 1 // the offending byte
		case errors.As(err, &te):
			off = literalStart(data, te.Offset) // te.Offset is after the value
			want := map[reflect.Kind]string{reflect.Slice: "an array", reflect.Struct: "an object", reflect.String: "a string"}[te.Type.Kind()]
			err = fmt.Errorf("%s: %s where %s is wanted", te.Field, te.Value, cmp.Or(want, te.Type.String()))
		case errors.Is(err, io.EOF):
			err = errors.New("empty file; want a JSON object with \"rules\"")
		}
		return nil, fmt.Errorf("service: policy: %s:%s: %w", name, lineCol(data, off), err)
	}
	if end := dec.InputOffset(); len(bytes.TrimSpace(data[end:])) != 0 {
		end += int64(len(data[end:]) - len(bytes.TrimLeft(data[end:], " \t\r\n")))
		return nil, fmt.Errorf("service: policy: %s:%s: data after the policy object", name, lineCol(data, end))
	}
	if err := p.validate(); err != nil {
		var pe *policyError
		if errors.As(err, &pe) {
			if off, ok := valueOffsets(data)[pe.path]; ok {
				return nil, fmt.Errorf("service: policy: %s:%s: %w", name, lineCol(data, off), err)
			}
		}
		return nil, fmt.Errorf("service: policy: %s: %w", name, err)
	}
	return &p, nil
}

// literalStart returns where the JSON string, number or literal ending at end starts (end
// itself for anything else).
func literalStart(data []byte, end int64) int64 {
	end = min(max(end, 0), int64(len(data)))
	i := end - 1
	switch {
	case i < 0:
		return end
	case data[i] == '"':
		for i--; i >= 0; i-- {
			if data[i] == '"' && (i == 0 || data[i-1] != '\\') {
				return i
			}
		}
		return end
	}
	for i >= 0 && bytes.IndexByte([]byte("0123456789abcdefghijklmnopqrstuvwxyzE.+-"), data[i]) >= 0 {
		i--
	}
	return i + 1
}

// lineCol returns "line:col" (1-based, col in bytes) of byte offset off in data.
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return strconv.Itoa(line) + ":" + strconv.FormatInt(col, 10)
}

// valueOffsets maps the JSON path of every value in data ("rules[1].category") to the offset
// where the value starts. data must be valid JSON; it stops at the first error.
func valueOffsets(data []byte) map[string]int64 {
	type frame struct {
		path    string
		obj     bool
		key     string
		idx     int
		wantKey bool
	}
	out := make(map[string]int64)
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []*frame
	for {
		off := dec.InputOffset()
		for off < int64(len(data)) && bytes.IndexByte([]byte(" \t\r\n,:"), data[off]) >= 0 {
			off++
		}
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.obj && top.wantKey {
			top.key, _ = tok.(string)
			top.wantKey = false
			continue
		}
		path := ""
		switch {
		case top == nil:
		case top.obj && top.path == "":
			path = top.key
		case top.obj:
			path = top.path + "." + top.key
		default:
			path = top.path + "[" + strconv.Itoa(top.idx) + "]"
		}
		out[path] = off
		if top != nil {
			top.idx++
			top.wantKey = top.obj
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{path: path, obj: d == '{', wantKey: d == '{'})
		}
	}
}
