//go:build !unix

package db

import (
	"errors"
	"io/fs"
)

// errSyncUnsupported is what fsync of a directory gives on filesystems
// that cannot sync one.
var errSyncUnsupported = errors.New("directory sync not supported")

// inode returns 0: size and time alone describe the file here.
func inode(fs.FileInfo) uint64 { return 0 }
