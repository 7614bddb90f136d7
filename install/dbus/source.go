package dbus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"aim/deb"
	"aim/install"
	"aim/repo"
)

// IncomingDir is where packages from URLs are written as they arrive,
// relative to the root (the partial directory of the archives cache);
// each is removed when its task ends.
const IncomingDir = install.ArchivesDir + "/partial"

// maxPackage bounds a package read from a URL.
const maxPackage = 1 << 30

// supportedURL reports whether u is file://, http://, https:// or
// socket://PATH.
func supportedURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch p.Scheme {
	case "file", "socket":
		return p.Path != "" || p.Host != ""
	case "http", "https":
		return p.Host != ""
	}
	return false
}

// receive streams sourceURL into IncomingDir/ID.deb through
// install.Receive: onControl runs as soon as the control part is in,
// while the payload still arrives. Progress up to 0.9 of downloadShare is
// reported when the size is known. Cancelling ctx (or t) stops it, even
// in the middle of a read; it then returns an error wrapping
// install.ErrCancelled. A source that sends nothing for the stall timeout
// (Config.StallTimeout), from the moment it is opened, fails with a
// *StallError. A failed receive leaves no file.
func (s *Server) receive(ctx context.Context, t *task, sourceURL string, onControl func(*deb.ControlArchive) error) (*install.Received, error) {
	dir := filepath.Join(s.root, IncomingDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, withCode(codeIO, fmt.Errorf("download: %w", err))
	}
	rctx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	idle := time.AfterFunc(s.stallTO, func() { abort(&StallError{URL: sourceURL, After: s.stallTO}) })
	defer idle.Stop()
	src, size, err := open(rctx, sourceURL)
	if err != nil {
		return nil, s.downloadError(ctx, rctx, t, sourceURL, err)
	}
	defer src.Close()
	stop := context.AfterFunc(rctx, func() { src.Close() }) // unblocks a read waiting for data
	defer stop()
	report := func(done int64) {
		if size > 0 {
			t.Step(downloadShare*0.9*float64(done)/float64(size), "downloading")
		}
	}
	in := &activeReader{r: src, active: func() { idle.Reset(s.stallTO) }}
	rec, err := install.Receive(rctx, in, filepath.Join(dir, t.ID+".deb"), maxPackage, report, onControl)
	if err != nil {
		return nil, s.downloadError(ctx, rctx, t, sourceURL, err)
	}
	return rec, nil
}

// DefaultStallTimeout is how long a package source may send nothing
// before its task fails, when Config.StallTimeout does not say.
const DefaultStallTimeout = 2 * time.Minute

// StallError says that a package source sent nothing for a while: a
// stalled http(s) body or socket:// peer.
type StallError struct {
	URL   string
	After time.Duration
}

// Error names the source and how long it was silent.
func (e *StallError) Error() string {
	return fmt.Sprintf("download %s: no data for %v", e.URL, e.After)
}

// activeReader calls active after each read that returned data.
type activeReader struct {
	r      io.Reader
	active func()
}

func (a *activeReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.active()
	}
	return n, err
}

// downloadError gives err its taskFailed code: Canceled when the task
// was cancelled (ctx), the source's stall (rctx's cause) in place of err,
// Archive for a malformed package, StorageSpace for one
// too large, Network for http(s) and IO otherwise. Errors that already
// carry a code (from onControl) keep it.
func (s *Server) downloadError(ctx, rctx context.Context, t *task, sourceURL string, err error) error {
	var ce *codedError
	var ae *install.ArchiveError
	var se *StallError
	switch {
	case t.Cancelled() || ctx.Err() != nil:
		return fmt.Errorf("download %s: %w", sourceURL, install.ErrCancelled)
	case errors.As(context.Cause(rctx), &se):
		err = se
	case errors.As(err, &ce):
		return err
	case errors.As(err, &ae):
		return withCode(codeArchive, err)
	case errors.Is(err, install.ErrTooLarge):
		return withCode(codeStorageSpace, err)
	}
	if u, perr := url.Parse(sourceURL); perr == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return withCode(codeNetwork, err)
	}
	return withCode(codeIO, err)
}

// open returns a stream of the package at sourceURL and its size (-1
// when unknown). http(s) goes through the client repo.NewFetcher makes
// (proxies and timeouts as for repositories), without retries: a stream
// cannot be restarted.
func open(ctx context.Context, sourceURL string) (io.ReadCloser, int64, error) {
	u, err := url.Parse(sourceURL)
	if err != nil {
		return nil, -1, fmt.Errorf("download %s: %w", sourceURL, err)
	}
	switch u.Scheme {
	case "http", "https":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, sourceURL, nil)
		if err != nil {
			return nil, -1, fmt.Errorf("download %s: %w", sourceURL, err)
		}
		f := repo.NewFetcher()
		req.Header.Set("User-Agent", f.UserAgent)
		resp, err := f.Client.Do(req)
		if err != nil {
			return nil, -1, fmt.Errorf("download %s: %w", sourceURL, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, -1, fmt.Errorf("download %s: %s", sourceURL, resp.Status)
		}
		return resp.Body, resp.ContentLength, nil
	case "file":
		f, err := openRegular(u.Path)
		if err != nil {
			return nil, -1, fmt.Errorf("download %s: %w", sourceURL, err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, -1, fmt.Errorf("download %s: %w", sourceURL, err)
		}
		return f, st.Size(), nil
	case "socket":
		path := u.Path
		if u.Host != "" {
			path = u.Host + u.Path
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "unix", path)
		if err != nil {
			return nil, -1, fmt.Errorf("download %s: %w", sourceURL, err)
		}
		return conn, -1, nil
	}
	return nil, -1, fmt.Errorf("download %s: unsupported scheme", sourceURL)
}

// NotRegularError says that a file:// source is not a regular file: a
// named pipe, a device, a socket or a directory, which could block a
// read for ever or never end.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

// Error names the file and what it is.
func (e *NotRegularError) Error() string {
	what := "not a regular file"
	switch t := e.Mode.Type(); {
	case t&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case t&fs.ModeDevice != 0:
		what = "a device"
	case t&fs.ModeSocket != 0:
		what = "a socket"
	case t&fs.ModeDir != 0:
		what = "a directory"
	}
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, what)
}

// openRegular opens the regular file p (through symbolic links) for
// reading and refuses anything else without reading it. It looks before
// opening (opening a device may do something), and opens without
// blocking (a named pipe swapped in meanwhile opens at once and is
// refused by the second look).
func openRegular(p string) (*os.File, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &NotRegularError{Path: p, Mode: st.Mode()}
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = &NotRegularError{Path: p, Mode: st.Mode()}
		}
		return nil, err
	}
	return f, nil
}
