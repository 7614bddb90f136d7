package dbus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

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
// reported when the size is known. Cancelling ctx (or t) stops it; it
// then returns an error wrapping install.ErrCancelled. A failed receive
// leaves no file.
func (s *Server) receive(ctx context.Context, t *task, sourceURL string, onControl func(*deb.ControlArchive) error) (*install.Received, error) {
	dir := filepath.Join(s.root, IncomingDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, withCode(codeIO, fmt.Errorf("download: %w", err))
	}
	src, size, err := open(ctx, sourceURL)
	if err != nil {
		return nil, s.downloadError(ctx, t, sourceURL, err)
	}
	defer src.Close()
	stop := context.AfterFunc(ctx, func() { src.Close() }) // unblocks a read waiting for data
	defer stop()
	report := func(done int64) {
		if size > 0 {
			t.Step(downloadShare*0.9*float64(done)/float64(size), "downloading")
		}
	}
	rec, err := install.Receive(ctx, src, filepath.Join(dir, t.ID+".deb"), maxPackage, report, onControl)
	if err != nil {
		return nil, s.downloadError(ctx, t, sourceURL, err)
	}
	return rec, nil
}

// downloadError gives err its taskFailed code: Canceled when the task
// was cancelled, Archive for a malformed package, StorageSpace for one
// too large, Network for http(s) and IO otherwise. Errors that already
// carry a code (from onControl) keep it.
func (s *Server) downloadError(ctx context.Context, t *task, sourceURL string, err error) error {
	var ce *codedError
	var ae *install.ArchiveError
	switch {
	case t.Cancelled() || ctx.Err() != nil:
		return fmt.Errorf("download %s: %w", sourceURL, install.ErrCancelled)
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
		f, err := os.Open(u.Path)
		if err != nil {
			return nil, -1, fmt.Errorf("download %s: %w", sourceURL, err)
		}
		size := int64(-1)
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		return f, size, nil
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
