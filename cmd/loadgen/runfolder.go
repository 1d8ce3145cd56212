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

func safeName(s string) string {
	if s == "" {
		return "run"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, s)
}
