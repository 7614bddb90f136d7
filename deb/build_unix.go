//go:build unix

package deb

import (
	"io/fs"
	"syscall"
)

// fileID identifies a file on disk, to find hard links.
type fileID struct{ dev, ino uint64 }

// hardLinkID returns the identity of a file with more than one link.
func hardLinkID(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Nlink < 2 {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true
}
