package hooks

import (
	"bytes"
	"strconv"
)

// Bounds of one script's output in a transcript: its first OutputHead
// bytes (at most OutputLines lines) are recorded as they arrive, its last
// OutputTail bytes (at most OutputLines lines) when it ends, and what lies
// between is only counted: a "note PKG SCRIPT: N bytes of output cut"
// record stands in for it. A script printing gigabytes thus costs a
// transcript, a session log and memory of a few hundred KiB.
const (
	OutputHead  = 64 << 10
	OutputTail  = 64 << 10
	OutputLines = 1000
)

// ring keeps the last cap(buf) bytes written to it.
type ring struct {
	buf   []byte // len(buf) == capacity once allocated
	size  int    // the capacity
	start int    // index of the oldest byte
	n     int    // bytes held
	total int64  // bytes ever written
	last  byte   // the newest byte no longer held
}

func newRing(size int) *ring { return &ring{size: size} }

// Write keeps the last r.size bytes of what was written so far.
func (r *ring) Write(p []byte) (int, error) {
	n := len(p)
	r.total += int64(n)
	if r.size <= 0 {
		return n, nil
	}
	if r.buf == nil {
		r.buf = make([]byte, r.size)
	}
	if len(p) >= r.size {
		if len(p) > r.size {
			r.last = p[len(p)-r.size-1]
		} else if r.n > 0 {
			r.last = r.buf[(r.start+r.n-1)%r.size]
		}
		copy(r.buf, p[len(p)-r.size:])
		r.start, r.n = 0, r.size
		return n, nil
	}
	if over := r.n + len(p) - r.size; over > 0 {
		r.last = r.buf[(r.start+over-1)%r.size]
	}
	end := (r.start + r.n) % r.size
	c := copy(r.buf[end:], p)
	copy(r.buf, p[c:])
	if r.n += len(p); r.n > r.size {
		r.start = (r.start + r.n - r.size) % r.size
		r.n = r.size
	}
	return n, nil
}

// Bytes returns a copy of the bytes held, oldest first.
func (r *ring) Bytes() []byte {
	out := make([]byte, 0, r.n)
	if r.n == 0 {
		return out
	}
	end := r.start + r.n
	if end <= r.size {
		return append(out, r.buf[r.start:end]...)
	}
	out = append(out, r.buf[r.start:]...)
	return append(out, r.buf[:end-r.size]...)
}

// lost is how many bytes written are no longer held.
func (r *ring) lost() int64 { return r.total - int64(r.n) }

// whole returns the bytes held from the first line that begins in them
// (all of them when nothing was lost or the lost part ended a line, and
// when no line begins in them) and how many bytes were lost or dropped.
func (r *ring) whole() ([]byte, int64) {
	b, cut := r.Bytes(), r.lost()
	if cut == 0 || r.last == '\n' {
		return b, cut
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 && i+1 < len(b) {
		return b[i+1:], cut + int64(i+1)
	}
	return b, cut
}

// tailBuffer keeps the last max bytes written to it (Result.Output).
type tailBuffer struct{ r *ring }

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{r: newRing(max)} }

func (b *tailBuffer) Write(p []byte) (int, error) { return b.r.Write(p) }

// result returns the bytes kept and whether some were lost.
func (b *tailBuffer) result() ([]byte, bool) {
	return b.r.Bytes(), b.r.lost() > 0
}

// Clip is an io.Writer that keeps the first Head and the last Tail bytes
// written to it and counts the rest, so that a transcript of any length
// can be stored whole enough to read. The zero value keeps nothing; use
// NewClip.
type Clip struct {
	head []byte
	max  int
	tail *ring
}

// NewClip returns a Clip keeping head bytes from the start and tail
// bytes from the end.
func NewClip(head, tail int) *Clip {
	return &Clip{max: head, tail: newRing(tail)}
}

// Write keeps what fits in the head whole (a Write that does not fit
// goes to the tail, so transcript records are not split at the head's
// end) and the rest in the tail.
func (c *Clip) Write(p []byte) (int, error) {
	if c.tail == nil {
		return len(p), nil
	}
	if c.tail.total == 0 && len(c.head)+len(p) <= c.max {
		c.head = append(c.head, p...)
		return len(p), nil
	}
	return c.tail.Write(p)
}

// Cut returns how many bytes the Clip dropped so far (a line of the tail
// cut in the middle counts as dropped when String drops it).
func (c *Clip) Cut() int64 {
	if c.tail == nil {
		return 0
	}
	return c.tail.lost()
}

// String returns the head, then, when bytes were dropped, a line
// "[N bytes cut]" and the tail from its first whole line; otherwise the
// head and the tail joined, exactly as written.
func (c *Clip) String() string {
	if c.tail == nil || c.tail.total == 0 {
		return string(c.head)
	}
	tail, cut := c.tail.whole()
	if cut == 0 {
		return string(c.head) + string(tail)
	}
	return string(c.head) + "[" + strconv.FormatInt(cut, 10) + " bytes cut]\n" + string(tail)
}
