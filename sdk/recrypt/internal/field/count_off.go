//go:build !fieldcount

package field

func countMul() {}
func countAdd() {}
