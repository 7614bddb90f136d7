package dbus

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"

	"aim/install"
	"aim/repo"
)

// IncomingDir is where packages from URLs are downloaded to, relative to
// the root; each is removed when its task ends.
const IncomingDir = "var/cache/aim/incoming"

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

// download fetches sourceURL into IncomingDir/ID.deb, reporting progress
// up to downloadShare, and returns the file's path. It stops when ctx is
// cancelled; a failed download leaves no file.
func (s *Server) download(ctx context.Context, t *task, sourceURL string) (string, error) {
	dir := filepath.Join(s.root, IncomingDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", withCode(codeIO, fmt.Errorf("download: %w", err))
	}
	dest := filepath.Join(dir, t.ID+".deb")
	u, err := url.Parse(sourceURL)
	if err != nil {
		return "", withCode(codeParse, fmt.Errorf("download %s: %w", sourceURL, err))
	}
	report := func(done, total int64) {
		if total > 0 {
			t.Step(downloadShare*0.9*float64(done)/float64(total), "downloading")
		}
	}
	switch u.Scheme {
	case "http", "https":
		f := repo.NewFetcher()
		f.Progress = func(p repo.Progress) { report(p.Done, p.Total) }
		if _, err := f.Fetch(ctx, repo.Request{URL: sourceURL, Dest: dest, Size: -1, MaxSize: maxPackage}); err != nil {
			return "", withCode(codeNetwork, err)
		}
		return dest, nil
	case "file":
		src, err := os.Open(u.Path)
		if err != nil {
			return "", withCode(codeIO, fmt.Errorf("download %s: %w", sourceURL, err))
		}
		defer src.Close()
		size := int64(-1)
		if st, err := src.Stat(); err == nil {
			size = st.Size()
		}
		return dest, copyTo(ctx, dest, src, size, report)
	case "socket":
		path := u.Path
		if u.Host != "" {
			path = u.Host + u.Path
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "unix", path)
		if err != nil {
			return "", withCode(codeIO, fmt.Errorf("download %s: %w", sourceURL, err))
		}
		defer conn.Close()
		go func() { <-ctx.Done(); conn.Close() }()
		return dest, copyTo(ctx, dest, conn, -1, report)
	}
	return "", withCode(codeParse, fmt.Errorf("download %s: unsupported scheme", sourceURL))
}

// copyTo copies at most maxPackage bytes of r to dest.
func copyTo(ctx context.Context, dest string, r io.Reader, size int64, report func(done, total int64)) error {
	out, err := os.OpenFile(dest, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return withCode(codeIO, fmt.Errorf("download: %w", err))
	}
	buf := make([]byte, 64<<10)
	var done int64
	for {
		if ctx.Err() != nil {
			err = install.ErrCancelled
			break
		}
		n, rerr := r.Read(buf)
		if n > 0 {
			if _, werr := out.Write(buf[:n]); werr != nil {
				err = withCode(codeIO, fmt.Errorf("download: %w", werr))
				break
			}
			done += int64(n)
			if done > maxPackage {
				err = withCode(codeStorageSpace, fmt.Errorf("download: package larger than %d bytes", maxPackage))
				break
			}
			report(done, size)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = withCode(codeIO, fmt.Errorf("download: %w", rerr))
			break
		}
	}
	if cerr := out.Close(); err == nil && cerr != nil {
		err = withCode(codeIO, fmt.Errorf("download: %w", cerr))
	}
	if err != nil {
		os.Remove(dest)
	}
	return err
}
