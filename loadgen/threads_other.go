//go:build !linux

package loadgen

// threadTimes is not measured on this platform.
func threadTimes() (map[int]threadTime, bool) { return nil, false }
