package deb

import "io"

// NewCompressor wraps w in a compressor for c (None, Gzip, Xz or Zstd) at
// level, 0 meaning dpkg-deb's default for c. Output is deterministic: the
// same input and level give the same bytes (gzip writes no name or time).
// Closing the result flushes it but does not close w. Repository indexes
// (Packages.gz, Packages.xz) are written with it.
func NewCompressor(c Compression, w io.Writer, level int) (io.WriteCloser, error) {
	return compressor(c, w, level)
}
