//go:build !linux

package recrypt

import "testing"

// threadCPU reports nothing where the thread's CPU clock is not at hand.
func threadCPU(*testing.B) func() { return func() {} }
