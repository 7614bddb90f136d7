package deb

import (
	"bufio"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// A repository add reads the control.tar and data.tar of thousands of
// small packages, and setting up a decompressor for each (a 64 KiB read
// buffer; for zstd a decoder with its block ring and history) was a
// large share of its work. Released read buffers, and the zstd decoders
// of small streams, are kept here for the next stream.

// readBuffers holds the input buffers of released decompressors.
var readBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufferSize) }}

// getReadBuffer returns a buffered reader of readBufferSize over r.
func getReadBuffer(r io.Reader) *bufio.Reader {
	br := readBuffers.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

// putReadBuffer gives br back; it must not be read again.
func putReadBuffer(br *bufio.Reader) {
	br.Reset(nil) // keep no reference to the stream
	readBuffers.Put(br)
}

// zstdDecoders holds the decoders of released small zstd streams.
var zstdDecoders sync.Pool

// newZstd returns a new zstd decoder over r: concurrency 1, its window
// bounded by zstdMaxWindow.
func newZstd(r io.Reader) (*zstd.Decoder, error) {
	return zstd.NewReader(r, zstd.WithDecoderMaxWindow(zstdMaxWindow), zstd.WithDecoderConcurrency(1))
}

// getZstd returns a decoder over r, a released one when there is one.
// A reset decoder keeps none of its previous stream's state.
func getZstd(r io.Reader) (*zstd.Decoder, error) {
	if z, ok := zstdDecoders.Get().(*zstd.Decoder); ok {
		if err := z.Reset(r); err == nil {
			return z, nil
		}
		z.Close()
	}
	return newZstd(r)
}

// putZstd gives z back; it must not be read again.
func putZstd(z *zstd.Decoder) {
	if z.Reset(nil) != nil { // drops the stream; fails only when closed
		return
	}
	zstdDecoders.Put(z)
}
