package ops

import "github.com/ironcorelabs/loadgen/results"

// workloadError is loadgen's own error, not the target's: a step asked for
// what the run cannot give (no pool user left to add, no document
// encrypted to a group, nothing an earlier step made). Its class is
// results.ClassWorkload, and its message says what to change.
type workloadError struct{ msg string }

func (e *workloadError) Error() string      { return e.msg }
func (e *workloadError) ErrorClass() string { return results.ClassWorkload }

// workloadErr returns a workloadError with the message msg.
func workloadErr(msg string) error { return &workloadError{msg} }
