//go:build !unix

package deb

import "io/fs"

// fileID identifies a file on disk, to find hard links.
type fileID struct{}

// hardLinkID finds no hard links where the platform does not say.
func hardLinkID(fs.FileInfo) (fileID, bool) { return fileID{}, false }
