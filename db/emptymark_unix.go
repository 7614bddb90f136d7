//go:build unix

package db

import (
	"io/fs"
	"syscall"
)

// errSyncUnsupported is what fsync of a directory gives on filesystems
// that cannot sync one.
var errSyncUnsupported = syscall.EINVAL

// inode returns fi's inode number.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
