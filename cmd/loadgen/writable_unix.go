//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// checkWritable checks that dir is a folder new entries can be made in,
// without writing anything.
func checkWritable(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	if err := syscall.Access(dir, 0x2|0x1); err != nil { // W_OK|X_OK
		return fmt.Errorf("folder %s cannot be written: %w", dir, err)
	}
	return nil
}
