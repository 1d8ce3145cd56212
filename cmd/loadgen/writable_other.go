//go:build !unix

package main

import (
	"fmt"
	"os"
)

// checkWritable checks that dir is a folder; whether it can be written is
// found out when the run writes it.
func checkWritable(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}
