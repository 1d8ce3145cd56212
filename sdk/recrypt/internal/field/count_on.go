//go:build fieldcount

package field

import "sync/atomic"

// Counters of field operations, compiled in only with the fieldcount build
// tag, for tests that show secret scalars of different values cost the same
// number of field operations. They are process-wide and atomic.
var mulCount, addCount atomic.Uint64

func countMul() { mulCount.Add(1) }
func countAdd() { addCount.Add(1) }

// Counts returns the numbers of multiplications and additions performed in Fp
// since the process started.
func Counts() (muls, adds uint64) { return mulCount.Load(), addCount.Load() }
