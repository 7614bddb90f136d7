package deb

import (
	"io"
	"sync"
)

// Read-ahead of a decompressed data.tar: the decompressor runs in its
// own goroutine, up to readAheadDepth buffers of readAheadSize bytes
// ahead of the reader, so that decompressing (CPU) and writing the files
// out (system calls, hashing) use two cores.
const (
	readAheadSize  = 256 << 10
	readAheadDepth = 4
)

// readAheadBufs holds the buffers of closed read-aheads: a repository
// add reads thousands of small packages, and a megabyte of fresh buffers
// for each was most of its work.
var readAheadBufs = sync.Pool{New: func() any { return make([]byte, readAheadSize) }}

// recycleReadAhead gives a buffer back to readAheadBufs.
func recycleReadAhead(b []byte) {
	if cap(b) == readAheadSize {
		//lint:ignore SA6002 the slice header's allocation is small beside the buffer's
		readAheadBufs.Put(b[:readAheadSize])
	}
}

// readAhead reads r in a goroutine into a few buffers that Read hands
// out in order. Close stops the goroutine and waits for it, so that r
// (and what it reads from) is not read after Close returns. Buffers are
// taken as the stream needs them (a small stream uses one) and go back
// to readAheadBufs on Close.
type readAhead struct {
	full     chan chunk  // filled buffers, in order
	free     chan []byte // buffers to fill
	stop     chan struct{}
	finished chan struct{}
	once     sync.Once

	cur  []byte // unread part of the current buffer
	buf  []byte // the current buffer, to give back
	err  error  // the error after cur
	done bool   // err is final
	// closed is set by Close; Read then fails.
	closed bool
}

type chunk struct {
	b   []byte
	err error
}

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{full: make(chan chunk, readAheadDepth), free: make(chan []byte, readAheadDepth+1),
		stop: make(chan struct{}), finished: make(chan struct{})}
	go ra.fill(r)
	return ra
}

// fill reads r into free buffers until r fails or ends, or Close.
func (ra *readAhead) fill(r io.Reader) {
	defer close(ra.finished)
	defer close(ra.full)
	taken := 0
	for {
		var b []byte
		select {
		case b = <-ra.free:
		case <-ra.stop:
			return
		default:
			if taken <= readAheadDepth {
				b = readAheadBufs.Get().([]byte)
				taken++
				break
			}
			select {
			case b = <-ra.free:
			case <-ra.stop:
				return
			}
		}
		n, err := 0, error(nil)
		for n < len(b) && err == nil {
			var m int
			m, err = r.Read(b[n:])
			n += m
		}
		select {
		case ra.full <- chunk{b[:n], err}:
		case <-ra.stop:
			recycleReadAhead(b)
			return
		}
		if err != nil {
			return
		}
	}
}

// Read returns the bytes r gave, in order, then r's error (io.EOF at
// its end); after Close, io.ErrClosedPipe.
func (ra *readAhead) Read(p []byte) (int, error) {
	if ra.closed {
		return 0, io.ErrClosedPipe
	}
	for len(ra.cur) == 0 {
		if ra.done {
			return 0, ra.err
		}
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)]
			ra.buf = nil
		}
		c, ok := <-ra.full
		if !ok {
			return 0, io.ErrClosedPipe
		}
		ra.cur, ra.buf, ra.err, ra.done = c.b, c.b, c.err, c.err != nil
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the read-ahead, waits until it no longer reads r and
// gives its buffers back. It must not run at the same time as Read.
func (ra *readAhead) Close() {
	ra.once.Do(func() {
		close(ra.stop)
		<-ra.finished
		ra.closed = true
		recycleReadAhead(ra.buf)
		ra.buf, ra.cur = nil, nil
		for c := range ra.full {
			recycleReadAhead(c.b)
		}
		for {
			select {
			case b := <-ra.free:
				recycleReadAhead(b)
			default:
				return
			}
		}
	})
	<-ra.finished
}
