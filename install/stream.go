package install

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"aim/deb"
)

// Received is a package that Receive read from a stream.
type Received struct {
	// Path is the archive file Receive wrote.
	Path string
	// Control is the package's control archive.
	Control *deb.ControlArchive
	// Size and SHA256 are the archive's length and hash, over every byte
	// read.
	Size   int64
	SHA256 string
}

// ArchiveError reports a stream that is not a well-formed .deb.
type ArchiveError struct{ Err error }

func (e *ArchiveError) Error() string { return "package: " + e.Err.Error() }
func (e *ArchiveError) Unwrap() error { return e.Err }

// ErrTooLarge is returned (wrapped) by Receive when the stream holds more
// bytes than allowed.
var ErrTooLarge = errors.New("package too large")

// Receive reads a .deb from r as it arrives and writes every byte to
// path (created with mode 0600, replacing a file there), hashing it. As
// soon as the control part (everything up to the end of control.tar) has
// been read, and before any byte of the payload is asked for, it calls
// onControl with the parsed control archive; an error from onControl
// stops the receive and is returned as is. It then reads data.tar and the
// members after it, checked as deb.ArchiveReader checks them, to the end
// of r.
//
// progress, when not nil, is called with the number of bytes read so far
// after every read. At most max bytes are read (ErrTooLarge beyond). When
// ctx ends Receive stops before its next read and returns an error
// wrapping ctx.Err(); a read blocked in r is the caller's to interrupt
// (by closing r). A malformed archive is an *ArchiveError; errors of r
// and of the file are returned wrapped. On any error the file at path is
// removed. Receive writes nothing but path.
func Receive(ctx context.Context, r io.Reader, path string, max int64, progress func(int64), onControl func(*deb.ControlArchive) error) (*Received, error) {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("receive: %w", err)
	}
	tr := &teeReader{ctx: ctx, r: r, w: out, h: sha256.New(), max: max, progress: progress}
	rec, err := receive(tr, onControl)
	if cerr := out.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("receive: %w", cerr)
	}
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	rec.Path, rec.Size, rec.SHA256 = path, tr.n, hex.EncodeToString(tr.h.Sum(nil))
	return rec, nil
}

// receive reads the archive through tr: control part, onControl, rest.
func receive(tr *teeReader, onControl func(*deb.ControlArchive) error) (*Received, error) {
	ar, err := deb.NewArchiveReader(tr)
	if err != nil {
		return nil, tr.explain(err)
	}
	defer ar.Close()
	if err := onControl(ar.Control()); err != nil {
		return nil, err
	}
	if _, err := ar.Signatures(); err != nil {
		return nil, tr.explain(err)
	}
	if _, err := io.Copy(io.Discard, tr); err != nil {
		return nil, tr.explain(err)
	}
	return &Received{Control: ar.Control()}, nil
}

// teeReader reads r, writes what it read to w and h, and remembers the
// first error that was not the archive's fault.
type teeReader struct {
	ctx      context.Context
	r        io.Reader
	w        io.Writer
	h        hash.Hash
	n, max   int64
	progress func(int64)
	err      error // the first error of ctx, r, w or the size bound
}

func (t *teeReader) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	if err := t.ctx.Err(); err != nil {
		t.err = fmt.Errorf("receive: %w", err)
		return 0, t.err
	}
	n, err := t.r.Read(p)
	if n > 0 {
		if t.n+int64(n) > t.max {
			t.err = fmt.Errorf("receive: %w (more than %d bytes)", ErrTooLarge, t.max)
			return 0, t.err
		}
		if _, werr := t.w.Write(p[:n]); werr != nil {
			t.err = fmt.Errorf("receive: %w", werr)
			return 0, t.err
		}
		t.h.Write(p[:n])
		t.n += int64(n)
		if t.progress != nil {
			t.progress(t.n)
		}
	}
	if err != nil && err != io.EOF {
		if cerr := t.ctx.Err(); cerr != nil {
			err = cerr // the caller closed r because ctx ended
		}
		t.err = fmt.Errorf("receive: %w", err)
		return n, t.err
	}
	return n, err
}

// explain returns the error that stopped the archive reader: the stream's
// own error when there was one, else an *ArchiveError.
func (t *teeReader) explain(err error) error {
	if t.err != nil {
		return t.err
	}
	return &ArchiveError{Err: err}
}
