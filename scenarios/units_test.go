package scenarios

import (
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"200/s", 200, true},
		{"200", 200, true}, // a bare number is per second
		{"0.5/s", 0.5, true},
		{"30/m", 0.5, true},
		{"3600/h", 1, true},
		{" 10 / s ", 10, true},
		{"0", 0, true},
		{"1/1m", 1.0 / 60, true},
		{"fast", 0, false},
		{"10/d", 0, false},
		{"-1/s", 0, false},
		{"/s", 0, false},
		{"NaN", 0, false},
		{"Inf/s", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"512", 512, true},
		{"512B", 512, true},
		{"4KB", 4000, true},
		{"4KiB", 4096, true},
		{"1MiB", 1 << 20, true},
		{"2MB", 2e6, true},
		{"1GiB", 1 << 30, true},
		{"0", 0, true},
		{"4 KiB", 4096, true},
		{"4kb", 0, false},
		{"1.5MiB", 0, false},
		{"-1", 0, false},
		{"KiB", 0, false},
		{"9999999999999GiB", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSize(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseProb(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"0.02", 0.02, true}, {"1", 1, true}, {"2%", 0.02, true}, {"100%", 1, true},
		{"1.5", 0, false}, {"-0.1", 0, false}, {"101%", 0, false}, {"often", 0, false}, {"NaN", 0, false},
	}
	for _, tt := range tests {
		got, err := parseProb(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseProb(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"250ms", 250 * time.Millisecond, true}, {"1m30s", 90 * time.Second, true}, {"0", 0, true},
		{"1 minute", 0, false}, {"10", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	cands := []string{"workers", "max_workers", "duration", "rate"}
	tests := []struct{ in, want string }{
		{"wrkers", "workers"}, {"Workers", "workers"}, {"durration", "duration"}, {"rat", "rate"},
		{"max_worker", "max_workers"}, {"zzz", ""}, {"throughput", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, cands); got != tt.want {
			t.Errorf("suggest(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
