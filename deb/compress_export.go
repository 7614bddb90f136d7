package deb

import "io"

// NewDecompressor wraps r in a decompressor for c (any compression the
// .deb reader accepts). The returned function releases the decompressor's
// resources; it does not close r. Repository indexes (Packages.xz, .gz,
// .zst) are read with it too.
func NewDecompressor(c Compression, r io.Reader) (io.Reader, func(), error) {
	return decompressor(c, r)
}

// NewStreamDecompressor is NewDecompressor for a long stream, such as a
// repository's Packages.xz: xz goes through the xz program when one is
// installed, as a .deb's data does, decoding several times faster on a
// core of its own and keeping its dictionary out of this process; other
// compressions, and xz without the program, are NewDecompressor's. The
// returned function stops the program if it still runs and waits for it.
func NewStreamDecompressor(c Compression, r io.Reader) (io.Reader, func(), error) {
	return dataDecompressor(c, r)
}
