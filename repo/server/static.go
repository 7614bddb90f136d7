package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// staticFiles serves the published tree below an os.Root, which refuses
// any path, symbolic links included, that leads outside the directory.
type staticFiles struct {
	root *os.Root
	// dir is the root's real path, without symbolic links.
	dir string
	// private are files never served even when the tree holds them
	// (the upload token, keys), compared by identity.
	private []os.FileInfo
}

// topFiles are the files served at the top of the tree: key.asc and a
// flat repository's Release and indexes.
var topFiles = map[string]bool{
	"key.asc": true, "Release": true, "InRelease": true, "Release.gpg": true,
	"Packages": true, "Packages.gz": true, "Packages.xz": true, "Packages.bz2": true, "Packages.zst": true,
}

// topDirs are the directories served.
var topDirs = map[string]bool{"dists": true, "pool": true}

// servable reports whether the cleaned, slash-separated relative path p
// is one the server may serve: below dists/ or pool/, or one of
// topFiles, with no dot file or ".." anywhere.
func servable(p string) bool {
	parts := strings.Split(p, "/")
	for _, s := range parts {
		if s == "" || strings.HasPrefix(s, ".") {
			return false
		}
	}
	if len(parts) == 1 {
		return topFiles[p]
	}
	return topDirs[parts[0]]
}

// relPath turns a request's URL path into a relative path, or reports
// false for one that is not clean: "..", ".", empty segments or NUL.
func relPath(urlPath string) (string, bool) {
	p := strings.TrimPrefix(urlPath, "/")
	if p == "" || strings.ContainsRune(p, 0) || strings.Contains(p, "\\") || path.Clean(p) != p {
		return "", false
	}
	for s := range strings.SplitSeq(p, "/") {
		if s == ".." || s == "." {
			return "", false
		}
	}
	return p, true
}

// serve answers GET and HEAD for a file of the tree with its content
// type, ETag and Last-Modified; http.ServeContent answers conditional
// and range requests. It answers 404 for anything not servable,
// directories, paths leading outside the root, and private files.
func (s *staticFiles) serve(w http.ResponseWriter, r *http.Request) {
	p, ok := relPath(r.URL.Path)
	if !ok {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	if !servable(p) {
		http.NotFound(w, r)
		return
	}
	f, err := s.root.Open(p)
	if err == nil && !s.resolvesServable(p) {
		f.Close()
		err = os.ErrNotExist
	}
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || s.isPrivate(fi) {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(p, f))
	h.Set("ETag", fmt.Sprintf(`"%x-%x"`, fi.Size(), fi.ModTime().UnixNano()))
	h.Set("Cache-Control", cacheControl(p))
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// resolvesServable reports whether p, its symbolic links resolved, is
// still a servable path: a link in pool/ to ../aim-repo.conf stays inside
// the root (os.Root allows it) but is not served.
func (s *staticFiles) resolvesServable(p string) bool {
	real, err := filepath.EvalSymlinks(filepath.Join(s.dir, filepath.FromSlash(p)))
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(s.dir, real)
	return err == nil && servable(filepath.ToSlash(rel))
}

func (s *staticFiles) isPrivate(fi os.FileInfo) bool {
	for _, p := range s.private {
		if os.SameFile(p, fi) {
			return true
		}
	}
	return false
}

// cacheControl lets clients keep files that never change under their
// name (by-hash indexes, pool packages) and revalidate the rest.
func cacheControl(p string) string {
	switch {
	case strings.Contains(p, "/by-hash/"):
		return "public, max-age=31536000, immutable"
	case strings.HasPrefix(p, "pool/"):
		return "public, max-age=86400"
	}
	return "no-cache"
}

// Content types by file name extension.
var contentTypes = map[string]string{
	".deb": "application/vnd.debian.binary-package", ".udeb": "application/vnd.debian.binary-package",
	".gz": "application/gzip", ".xz": "application/x-xz", ".bz2": "application/x-bzip2",
	".zst": "application/zstd", ".lz4": "application/x-lz4", ".gpg": "application/pgp-signature",
	".png": "image/png", ".install": InstallMIMEType,
}

// contentType is the type of the file p: by extension, key.asc as a key,
// the Release files and indexes as text, and by-hash files by their
// first bytes (they are indexes, compressed or not).
func contentType(p string, f io.ReaderAt) string {
	base := path.Base(p)
	if t, ok := contentTypes[path.Ext(base)]; ok {
		return t
	}
	switch {
	case base == "key.asc":
		return "application/pgp-keys"
	case strings.Contains(p, "/by-hash/"):
		return sniffIndex(f)
	case base == "Release" || base == "InRelease" || base == "Packages" || base == "Sources":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

// sniffIndex tells a compressed index from a plain one.
func sniffIndex(f io.ReaderAt) string {
	head := make([]byte, 6)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "application/gzip"
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return "application/x-xz"
	case bytes.HasPrefix(head, []byte("BZh")):
		return "application/x-bzip2"
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "application/zstd"
	}
	return "text/plain; charset=utf-8"
}

// statPrivate returns the file infos of the named files that exist.
func statPrivate(names []string) []os.FileInfo {
	var out []os.FileInfo
	for _, n := range names {
		if fi, err := os.Stat(n); err == nil {
			out = append(out, fi)
		}
	}
	return out
}
