package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/ironcorelabs/loadgen/scenarios"
)

// expandOutDir fills {name}, {time} and {shard} in a run-folder template.
// A sharded run whose template has no {shard} gets "-shard-I" appended, so
// shards writing to one volume never share a folder.
func expandOutDir(tmpl, name string, start time.Time, shard scenarios.Shard) string {
	if tmpl == "" {
		tmpl = "runs/{name}-{time}"
	}
	if shard.Count > 0 && !strings.Contains(tmpl, "{shard}") {
		tmpl += "-shard-{shard}"
	}
	return outDirReplacer(name, start, shard).Replace(tmpl)
}

// outDirReplacer fills {name}, {time} and {shard} (the shard index; empty
// for an unsplit run) in a run-folder path.
func outDirReplacer(name string, start time.Time, shard scenarios.Shard) *strings.Replacer {
	sh := ""
	if shard.Count > 0 {
		sh = strconv.Itoa(shard.Index)
	}
	return strings.NewReplacer("{name}", safeName(name), "{time}", start.UTC().Format("20060102T150405Z"), "{shard}", sh)
}

// maxNameInPath caps a workload's name in its run folder's name, well
// under a file name's 255 bytes (a longer name made mkdir fail, exit 1).
const maxNameInPath = 64

// safeName is a workload name as a file name: ASCII letters, digits, -, _
// and . kept, any other character a -, at most maxNameInPath bytes.
func safeName(s string) string {
	if s == "" {
		return "run"
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, s)
	return s[:min(len(s), maxNameInPath)]
}
