package deb

import "io"

// NewDecompressor wraps r in a decompressor for c (any compression the
// .deb reader accepts). The returned function releases the decompressor's
// resources; it does not close r. Repository indexes (Packages.xz, .gz,
// .zst) are read with it too.
func NewDecompressor(c Compression, r io.Reader) (io.Reader, func(), error) {
	return decompressor(c, r)
}
