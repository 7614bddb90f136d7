package deb

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// Compression names the compressor of a tar member of a .deb
// (control.tar.EXT, data.tar.EXT).
type Compression string

// The compressors dpkg-deb 1.21 knows. Build writes None, Gzip, Xz and
// Zstd (what dpkg-deb -Z accepts); the reader also takes Bzip2 and Lzma
// for data.tar, as dpkg-deb does.
const (
	None  Compression = "none"
	Gzip  Compression = "gzip"
	Xz    Compression = "xz"
	Zstd  Compression = "zstd"
	Bzip2 Compression = "bzip2"
	Lzma  Compression = "lzma"
)

// DefaultCompression is what Build uses when none is asked for: zstd.
// dpkg-deb defaults to xz, but xz is slow both ways: on a 50 MB tree of
// mixed files Build compresses about 1.4 MB/s with xz (dpkg-deb's liblzma
// about 0.5 MB/s) against about 135 MB/s with zstd, and reading
// decompresses about 26 MB/s against 800 MB/s, for packages about 10%
// larger. aim reads zstd everywhere and so does dpkg since 1.21.18
// (Debian 12, Ubuntu 21.10); choose Xz for older dpkg or the smallest
// files.
const DefaultCompression = Zstd

// zstdMaxWindow bounds the window a zstd stream may ask the decoder to
// allocate (zstd --long uses at most 128 MiB).
const zstdMaxWindow = 128 << 20

var extensions = map[Compression]string{
	None: "", Gzip: ".gz", Xz: ".xz", Zstd: ".zst", Bzip2: ".bz2", Lzma: ".lzma",
}

// ParseCompression returns the compression named s, one of the names
// dpkg-deb -Z accepts: none, gzip, xz or zstd.
func ParseCompression(s string) (Compression, error) {
	switch c := Compression(s); c {
	case None, Gzip, Xz, Zstd:
		return c, nil
	}
	return "", fmt.Errorf("unknown compression %q (use gzip, xz, zstd or none)", s)
}

// Extension returns the file name suffix of c, such as ".xz", or "" for None.
func (c Compression) Extension() string { return extensions[c] }

// compressionForExt returns the compression whose extension is ext.
func compressionForExt(ext string) (Compression, bool) {
	for c, e := range extensions {
		if e == ext {
			return c, true
		}
	}
	return "", false
}

// readBufferSize is the buffer decompressors read their input through.
const readBufferSize = 64 << 10

// decompressor wraps r in a decompressor for c. The returned closer
// releases the decompressor's resources; it does not close r, and
// neither the decompressor nor r may be read after it. Every
// decompressor runs in the caller's goroutine (zstd with concurrency 1,
// which is also the fastest for one stream) and bounds the memory a
// stream can ask for where the format allows (zstd's window).
//
// Input is read through a buffer: xz, lzma and bzip2 read one byte at a
// time from a reader that is not an io.ByteReader, one system call per
// byte on a file. The buffer reads no further than r returns, so r
// bounded to one member keeps the stream after it unread.
func decompressor(c Compression, r io.Reader) (io.Reader, func(), error) {
	return newDecompressor(c, r, false)
}

// smallDecompressor is decompressor for a stream known to be small (a
// control.tar, a data.tar kept inline): its zstd decoder comes from,
// and goes back to, zstdDecoders, which a large stream's decoder, with
// its window-sized history, would keep in memory.
func smallDecompressor(c Compression, r io.Reader) (io.Reader, func(), error) {
	return newDecompressor(c, r, true)
}

func newDecompressor(c Compression, r io.Reader, reuse bool) (io.Reader, func(), error) {
	if c == None {
		return r, func() {}, nil // read in the caller's sizes, no copy through a buffer
	}
	nop := func() {}
	// A small xz stream is read whole into memory (smallXz): no read
	// buffer to copy it through first.
	if _, ok := r.(io.ByteReader); !ok && !(c == Xz && reuse) {
		br := getReadBuffer(r)
		r, nop = br, func() { putReadBuffer(br) }
	}
	z, release, err := wrapDecompressor(c, r, reuse)
	if err != nil {
		nop()
		return nil, nil, err
	}
	return z, func() { release(); nop() }, nil
}

// wrapDecompressor returns the decompressor for c over r, and what
// releases it.
func wrapDecompressor(c Compression, r io.Reader, reuse bool) (io.Reader, func(), error) {
	nop := func() {}
	switch c {
	case Gzip:
		z, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, err
		}
		return z, func() { z.Close() }, nil
	case Xz:
		if reuse {
			return smallXz(r)
		}
		z, err := xz.NewReader(r)
		if err != nil {
			return nil, nil, err
		}
		return z, nop, nil
	case Zstd:
		if reuse {
			z, err := getZstd(r)
			if err != nil {
				return nil, nil, err
			}
			return z, func() { putZstd(z) }, nil
		}
		z, err := newZstd(r)
		if err != nil {
			return nil, nil, err
		}
		return z, z.Close, nil
	case Bzip2:
		return bzip2.NewReader(r), nop, nil
	case Lzma:
		z, err := lzma.NewReader(r)
		if err != nil {
			return nil, nil, err
		}
		return z, nop, nil
	}
	return nil, nil, fmt.Errorf("unsupported compression %q", c)
}

// smallXzMax bounds the small xz streams smallXz reads whole.
const smallXzMax = 1 << 20

// smallXzBuffers holds the buffers smallXz reads streams into.
var smallXzBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// smallXz decodes a small xz stream read whole into memory, with each
// block's dictionary no larger than the block (see shrinkXzDict). A
// stream larger than smallXzMax is decoded as it is.
func smallXz(r io.Reader) (io.Reader, func(), error) {
	buf := smallXzBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	release := func() {
		if buf.Cap() <= 2*smallXzMax {
			smallXzBuffers.Put(buf)
		}
	}
	n, err := buf.ReadFrom(io.LimitReader(r, smallXzMax+1))
	if err != nil {
		release()
		return nil, nil, err
	}
	var in io.Reader
	if n > smallXzMax {
		// The decoder reads a byte at a time: through a buffer.
		in = bufio.NewReader(io.MultiReader(bytes.NewReader(buf.Bytes()), r))
	} else {
		shrinkXzDict(buf.Bytes())
		in = bytes.NewReader(buf.Bytes())
	}
	z, err := xz.NewReader(in)
	if err != nil {
		release()
		return nil, nil, err
	}
	return z, release, nil
}

// flushCloser is a bufio.Writer whose Close flushes it.
type flushCloser struct{ *bufio.Writer }

func (f *flushCloser) Close() error { return f.Flush() }

// compressor wraps w in a compressor for c at level (0 means the level
// dpkg-deb uses: gzip 9, xz 6, zstd 3). Output is deterministic: the same
// input gives the same bytes. Closing the result flushes it but does not
// close w.
func compressor(c Compression, w io.Writer, level int) (io.WriteCloser, error) {
	switch c {
	case None:
		// Tar headers come 512 bytes at a time: gather them.
		return &flushCloser{bufio.NewWriterSize(w, copyBufferSize)}, nil
	case Gzip:
		if level == 0 {
			level = gzip.BestCompression
		}
		return gzip.NewWriterLevel(w, level)
	case Xz:
		return xz.WriterConfig{DictCap: xzDictCap(level)}.NewWriter(w)
	case Zstd:
		return zstd.NewWriter(w, zstd.WithEncoderLevel(zstdLevel(level)), zstd.WithWindowSize(zstdWindow(level)))
	}
	return nil, fmt.Errorf("cannot compress with %q", c)
}

// xzDictCap maps an xz preset level to its dictionary size, as xz(1) does.
func xzDictCap(level int) int {
	switch {
	case level <= 0:
		return 8 << 20 // preset 6, the default
	case level == 1:
		return 1 << 20
	case level == 2:
		return 2 << 20
	case level <= 4:
		return 4 << 20
	case level <= 6:
		return 8 << 20
	case level == 7:
		return 16 << 20
	case level == 8:
		return 32 << 20
	}
	return 64 << 20
}

// zstdWindow returns the window the zstd encoder keeps at level (0 for
// the default, 3): 2 MiB up to level 6 and 8 MiB above, as the zstd
// library does for large inputs (window log 21 for levels 3 to 6). The
// encoder's own default, 8 MiB at every level, gave 0.7% smaller
// packages but cost a 16 MiB history that is moved down every 8 MiB
// and paged in fresh by each build (39.8 against 27.3 MB peak, and about
// 10% of the CPU of a 26 MB build), and asks as much of the reader.
func zstdWindow(level int) int {
	if level <= 6 {
		return 2 << 20
	}
	return 8 << 20
}

// zstdLevel maps a zstd command-line level to the encoder's speed setting.
func zstdLevel(level int) zstd.EncoderLevel {
	if level == 0 {
		level = 3
	}
	return zstd.EncoderLevelFromZstd(level)
}
