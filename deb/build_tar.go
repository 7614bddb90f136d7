package deb

import (
	"archive/tar"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"time"
)

// buildEntry is one file of a tree being packed.
type buildEntry struct {
	path     string // clean relative path; "." for the top directory
	mode     fs.FileMode
	mtime    time.Time
	size     int64
	link     string // symlink target
	hardlink string // earlier path of the same file, for a hard link
	data     []byte // contents held in memory (generated members), or nil
}

// tarRecordSize is GNU tar's default record size (blocking factor 20);
// dpkg-deb's tar members are padded to a multiple of it.
const tarRecordSize = 10240

// scanTree lists dir and everything below it in dpkg-deb's order: depth
// first, each directory's entries sorted by name. A top-level entry named
// skip is left out with everything below it.
func scanTree(fsys fs.FS, dir, skip string) ([]*buildEntry, error) {
	ids := map[fileID]string{}
	var out []*buildEntry
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := "."
		switch {
		case p == dir:
		case dir == ".":
			rel = p
		default:
			rel = p[len(dir)+1:]
		}
		if skip != "" && rel == skip {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		e, err := scanEntry(fsys, p, rel, d, ids)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

func scanEntry(fsys fs.FS, p, rel string, d fs.DirEntry, ids map[fileID]string) (*buildEntry, error) {
	fi, err := d.Info()
	if err != nil {
		return nil, err
	}
	e := &buildEntry{path: rel, mode: fi.Mode(), mtime: fi.ModTime()}
	switch t := fi.Mode().Type(); {
	case t == 0:
		e.size = fi.Size()
		if id, ok := hardLinkID(fi); ok {
			if first, seen := ids[id]; seen {
				e.hardlink = first
			} else {
				ids[id] = rel
			}
		}
	case t == fs.ModeSymlink:
		if e.link, err = fs.ReadLink(fsys, p); err != nil {
			return nil, err
		}
	case t == fs.ModeDir, t == fs.ModeNamedPipe:
	default:
		return nil, fmt.Errorf("%s: unsupported file type %v", p, t)
	}
	return e, nil
}

// UnixMode returns the Unix permission bits of m, set-id and sticky bits
// included.
func UnixMode(m fs.FileMode) int64 {
	u := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 04000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 02000
	}
	if m&fs.ModeSticky != 0 {
		u |= 01000
	}
	return u
}

// tarHeader returns the header dpkg-deb --root-owner-group writes for e:
// GNU format, owner root:root, name "./path" ("./dir/" for directories).
func tarHeader(e *buildEntry, clamp func(time.Time) time.Time) *tar.Header {
	name := "./"
	if e.path != "." {
		name += e.path
		if e.mode.IsDir() {
			name += "/"
		}
	}
	h := &tar.Header{
		Name: name, Mode: UnixMode(e.mode), Uname: "root", Gname: "root",
		ModTime: clamp(e.mtime).Truncate(time.Second),
	}
	switch {
	case e.mode.IsDir():
		h.Typeflag = tar.TypeDir
	case e.mode&fs.ModeSymlink != 0:
		h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
	case e.mode&fs.ModeNamedPipe != 0:
		h.Typeflag = tar.TypeFifo
	case e.hardlink != "":
		h.Typeflag, h.Linkname = tar.TypeLink, "./"+e.hardlink
	default:
		h.Typeflag, h.Size = tar.TypeReg, e.size
	}
	return h
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// dpkgOrder returns entries in the order dpkg-deb archives them: every
// entry but symlinks in tree order, then the symlinks in tree order (so
// that unpacking never writes through a symlink of the same archive).
func dpkgOrder(entries []*buildEntry) []*buildEntry {
	out := make([]*buildEntry, 0, len(entries))
	var links []*buildEntry
	for _, e := range entries {
		if e.mode&fs.ModeSymlink != 0 {
			links = append(links, e)
		} else {
			out = append(out, e)
		}
	}
	return append(out, links...)
}

// writeTar writes entries (read from fsys below dir) as a GNU tar stream
// to w, padded to whole records as GNU tar does.
// Files are read through one buffer of copyBufferSize bytes. When sums is
// not nil, it receives the hex MD5 sum of every regular file (hard links
// included) by path, hashed as the file is written.
func writeTar(w io.Writer, fsys fs.FS, dir string, entries []*buildEntry, clamp func(time.Time) time.Time, sums map[string]string) error {
	tw := &gnuTarWriter{w: w}
	buf := make([]byte, copyBufferSize)
	for _, e := range dpkgOrder(entries) {
		h := tarHeader(e, clamp)
		if err := tw.writeHeader(h); err != nil {
			return fmt.Errorf("write %s: %w", h.Name, err)
		}
		switch {
		case h.Typeflag == tar.TypeReg && sums != nil:
			md := md5.New()
			if err := writeContents(io.MultiWriter(tw, md), fsys, path.Join(dir, e.path), e, buf); err != nil {
				return err
			}
			sums[e.path] = hex.EncodeToString(md.Sum(nil))
		case h.Typeflag == tar.TypeReg:
			if err := writeContents(tw, fsys, path.Join(dir, e.path), e, buf); err != nil {
				return err
			}
		case h.Typeflag == tar.TypeLink && sums != nil:
			// The first path of the file came earlier: entries are in
			// tree order, symlinks last.
			if s, ok := sums[e.hardlink]; ok {
				sums[e.path] = s
			}
		}
	}
	return tw.close()
}

// copyBufferSize is the buffer files are read through when building:
// large enough that most files take one read.
const copyBufferSize = 256 << 10

func writeContents(w io.Writer, fsys fs.FS, name string, e *buildEntry, buf []byte) error {
	if e.data != nil {
		_, err := w.Write(e.data)
		return err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.CopyBuffer(w, io.LimitReader(f, e.size), buf)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if n != e.size {
		return fmt.Errorf("%s changed size while building", name)
	}
	return nil
}
