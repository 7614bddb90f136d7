package deb

import (
	"bytes"
	"io"
	"runtime"
)

// Build's own gzip compresses on every core: the input is cut into
// chunks of gzipChunkSize bytes, each compressed on its own into a gzip
// member, and the members are written in order. A stream of several
// members is a valid gzip file (RFC 1952, section 2.2), which zlib's
// gzread (dpkg-deb), gzip -d and Go's reader all read through. The cut
// depends only on the input, never on the number of cores, so the bytes
// are the same on any machine; each member starts without the previous
// 32 KiB of history, which costs next to nothing (476 bytes more of
// 13.3 MB on bench/deb.sh's big tree).
//
// With SystemCompressors the same chunks are compressed by gzip
// processes, one a chunk (see systemCompressor): the gzip program is 1.6
// times cheaper than the Go encoder at level 9. One process a chunk costs
// about 15% more CPU than one gzip for the whole stream (13 processes for
// a 26 MB tree), but with two idle cores the build of that tree took
// 0.76-0.84 s against 1.02-1.26 s for one process (dpkg-deb: 0.92-1.13 s).

// gzipChunkSize is the input of each gzip member of a build.
const gzipChunkSize = 2 << 20

// maxChunkWorkers bounds the chunks compressed at once.
const maxChunkWorkers = 4

// chunkResult is a compressed chunk, with its input buffer to reuse.
type chunkResult struct {
	out, in []byte
	err     error
}

// chunkFunc appends the compressed form of chunk to dst.
type chunkFunc func(dst, chunk []byte) ([]byte, error)

// chunkedCompressor compresses what is written to it in chunks of size
// bytes with compress, up to workers chunks at once, and writes the
// results to w in input order. Close compresses the last, partial chunk
// (or an empty one when nothing was written), waits for every chunk and
// returns the first error, its own or w's.
type chunkedCompressor struct {
	w        io.Writer
	size     int
	workers  int
	compress chunkFunc
	buf      []byte
	free     [][]byte // input buffers to reuse
	freeOut  [][]byte // output buffers to reuse
	queue    []chan chunkResult
	written  bool // a chunk was submitted
	err      error
}

func newChunkedCompressor(w io.Writer, size, workers int, compress chunkFunc) *chunkedCompressor {
	return &chunkedCompressor{w: w, size: size, workers: max(workers, 1), compress: compress}
}

func (c *chunkedCompressor) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 && c.err == nil {
		if c.buf == nil {
			c.buf = c.takeBuffer()
		}
		k := min(len(p), c.size-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		p, n = p[k:], n+k
		if len(c.buf) == c.size {
			c.submit()
		}
	}
	return n, c.err
}

// takeBuffer returns an empty buffer of c.size bytes' capacity.
func (c *chunkedCompressor) takeBuffer() []byte {
	if k := len(c.free); k > 0 {
		b := c.free[k-1]
		c.free = c.free[:k-1]
		return b[:0]
	}
	return make([]byte, 0, c.size)
}

// submit starts compressing c.buf, first writing out the oldest chunks
// while workers are busy.
func (c *chunkedCompressor) submit() {
	for len(c.queue) >= c.workers && c.err == nil {
		c.writeOldest()
	}
	if c.err != nil {
		return
	}
	chunk, done := c.buf, make(chan chunkResult, 1)
	c.buf, c.written = nil, true
	var dst []byte
	if k := len(c.freeOut); k > 0 {
		dst, c.freeOut = c.freeOut[k-1][:0], c.freeOut[:k-1]
	}
	go func() {
		out, err := c.compress(dst, chunk)
		done <- chunkResult{out, chunk, err}
	}()
	c.queue = append(c.queue, done)
}

// writeOldest waits for the oldest chunk and writes it out.
func (c *chunkedCompressor) writeOldest() {
	r := <-c.queue[0]
	c.queue = c.queue[1:]
	c.free = append(c.free, r.in)
	defer func() { c.freeOut = append(c.freeOut, r.out) }()
	switch {
	case c.err != nil:
	case r.err != nil:
		c.err = r.err
	default:
		if _, err := c.w.Write(r.out); err != nil {
			c.err = err
		}
	}
}

func (c *chunkedCompressor) Close() error {
	if c.err == nil && (len(c.buf) > 0 || !c.written) {
		if c.buf == nil {
			c.buf = c.takeBuffer()
		}
		c.submit()
	}
	for len(c.queue) > 0 {
		c.writeOldest()
	}
	return c.err
}

// gzipWorkers is how many gzip members are compressed at once.
func gzipWorkers() int { return min(runtime.GOMAXPROCS(0), maxChunkWorkers) }

// gzipChunk appends to dst chunk compressed into one gzip member at level
// (1 to 9) in Go, without name or time stamp.
func gzipChunk(dst, chunk []byte, level int) ([]byte, error) {
	b := bytes.NewBuffer(dst)
	z, err := compressor(Gzip, b, level)
	if err != nil {
		return nil, err
	}
	if _, err := z.Write(chunk); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// newGzipChunked returns the Go compressor of a gzip data.tar or
// control.tar, in chunks. level 0 means 9, as dpkg-deb.
func newGzipChunked(w io.Writer, level int) *chunkedCompressor {
	if level <= 0 {
		level = 9
	}
	level = min(level, 9)
	return newChunkedCompressor(w, gzipChunkSize, gzipWorkers(), func(dst, chunk []byte) ([]byte, error) {
		return gzipChunk(dst, chunk, level)
	})
}
