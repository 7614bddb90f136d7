//go:build !linux

package unpack

import (
	"io/fs"
	"os"
	"time"
)

// lutimes sets the times of p to t; a symlink keeps its own times, since
// following it is not an option.
func lutimes(p string, t time.Time) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil
	}
	return os.Chtimes(p, t, t)
}
