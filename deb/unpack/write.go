package unpack

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"

	"aim/deb"
	"aim/deb/rootfs"
)

// removeExisting removes what stands at final (without following a symlink), so
// that a new entry can take its place. An empty directory is removed, a
// non-empty one is an error. Removing anything forgets the resolved
// parent directories, which may have led through it.
func (x *extractor) removeExisting(final string) error {
	fi, err := os.Lstat(final)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	x.forgetParents()
	if err := os.Remove(final); err != nil {
		if fi.IsDir() {
			return errNotEmpty
		}
		return err
	}
	return nil
}

// dir creates a directory, or updates an existing one. An existing
// symlink that resolves inside the root to a directory is kept untouched.
func (x *extractor) dir(e *Entry, final string) error {
	fi, err := os.Lstat(final)
	if err != nil || !fi.IsDir() {
		x.forgetParents() // see resolveDir
	}
	switch {
	case err == nil && fi.IsDir() && x.hasAttrs(fi, e):
		// Already e's owner and mode (most directories of a package
		// exist): no open, chown, chmod and close.
		x.dirs = append(x.dirs, dirTime{final, e.ModTime})
		return nil
	case err == nil && fi.IsDir():
	case err == nil && fi.Mode()&fs.ModeSymlink != 0 && x.isDirLink(e.Path):
		return nil
	case err == nil && x.suffix != "":
		// Staging leaves targets alone: the caller moves what is in the
		// way (its Check runs first), or refuses the package.
		return fmt.Errorf("%s: not a directory, and staging does not replace it", e.Path)
	case err == nil:
		if err := x.removeExisting(final); err != nil {
			return err
		}
		fallthrough
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(final, 0700); err != nil && !(errors.Is(err, fs.ErrExist) && isDir(final)) {
			return err // not another extraction making the same directory at once
		}
	default:
		return err
	}
	if err := x.setDirAttrs(final, e); err != nil {
		return err
	}
	x.dirs = append(x.dirs, dirTime{final, e.ModTime})
	return nil
}

// isDir reports whether a directory (not a symlink) stands at p.
func isDir(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.IsDir()
}

// isDirLink reports whether name, a symlink, resolves inside the root to
// an existing directory.
func (x *extractor) isDirLink(name string) bool {
	p, err := rootfs.Root(x.root).Join(name)
	if err != nil {
		return false
	}
	fi, err := os.Lstat(p)
	return err == nil && fi.IsDir()
}

// setDirAttrs applies owner and mode to a directory opened without
// following symlinks.
func (x *extractor) setDirAttrs(final string, e *Entry) error {
	f, err := rootfs.OpenRaw(final, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	err = x.setAttrs(f, e)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// setAttrs applies owner, then mode (chown clears set-id bits) to f.
func (x *extractor) setAttrs(f rootfs.RawFile, e *Entry) error {
	if x.opts.Chown {
		if err := f.Chown(e.UID, e.GID); err != nil {
			return err
		}
	}
	return f.Chmod(unixMode(e.Mode))
}

// unixMode is the permission, set-id and sticky bits of m as chmod(2)
// takes them.
func unixMode(m fs.FileMode) uint32 {
	mode := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= syscall.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		mode |= syscall.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		mode |= syscall.S_ISVTX
	}
	return mode
}

// copyBufferSize is the buffer files are copied through: large enough
// that most files take one write.
const copyBufferSize = 256 << 10

// copyBuffers holds the copy buffers of finished extractions: a fresh
// one is 64 pages to fault in, and an install stages dozens of
// packages.
var copyBuffers = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

// releaseBuffer gives the extractor's copy buffer back to copyBuffers.
func (x *extractor) releaseBuffer() {
	if x.buf != nil {
		copyBuffers.Put((*[copyBufferSize]byte)(x.buf))
		x.buf = nil
	}
}

// file writes a regular file, hashing it on the way unless SkipHash.
func (x *extractor) file(e *Entry, h *tar.Header, r io.Reader, final string) error {
	if h.Size > x.opts.MaxFileSize {
		return &LimitError{Path: e.Path, Limit: x.opts.MaxFileSize, File: true}
	}
	if x.total += h.Size; x.total > x.opts.MaxTotalSize {
		return &LimitError{Path: e.Path, Limit: x.opts.MaxTotalSize}
	}
	perm, exact := x.createMode(unixMode(e.Mode))
	f, err := x.create(final, perm)
	if err != nil {
		return err
	}
	var sum hash.Hash
	if !x.opts.SkipHash {
		sum = sha256.New()
	}
	err = x.copyFile(f, r, h.Size, sum)
	if err == nil {
		err = x.setFileAttrs(f, e, exact)
	}
	if err == nil {
		err = f.SetTimes(e.ModTime)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	e.Size = h.Size
	if sum != nil {
		e.SHA256 = hex.EncodeToString(sum.Sum(nil))
	}
	return nil
}

// create makes a new file at final with permissions perm (see
// createMode), removing what stands there first (see rootfs.RawFile for
// why no *os.File).
func (x *extractor) create(final string, perm uint32) (rootfs.RawFile, error) {
	const flags = syscall.O_WRONLY | syscall.O_CREAT | syscall.O_EXCL | syscall.O_NOFOLLOW
	f, err := rootfs.OpenRaw(final, flags, perm)
	if errors.Is(err, syscall.EEXIST) {
		if err := x.removeExisting(final); err != nil {
			return f, err
		}
		f, err = rootfs.OpenRaw(final, flags, perm)
	}
	return f, err
}

// copyFile copies exactly size bytes of r to f (and sum, when not nil)
// through the extractor's buffer.
func (x *extractor) copyFile(f rootfs.RawFile, r io.Reader, size int64, sum hash.Hash) error {
	if x.buf == nil {
		x.buf = copyBuffers.Get().(*[copyBufferSize]byte)[:]
	}
	for size > 0 {
		b := x.buf[:min(size, int64(len(x.buf)))]
		n, err := io.ReadFull(r, b)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
		if sum != nil {
			sum.Write(b[:n])
		}
		if _, err := f.Write(b[:n]); err != nil {
			return err
		}
		size -= int64(n)
	}
	return nil
}

// symlink creates a symlink; its target is stored as given.
func (x *extractor) symlink(e *Entry, final string) error {
	err := os.Symlink(e.Link, final)
	if errors.Is(err, fs.ErrExist) {
		if err = x.removeExisting(final); err == nil {
			err = os.Symlink(e.Link, final)
		}
	}
	if err != nil {
		return err
	}
	if x.opts.Chown {
		if err := os.Lchown(final, e.UID, e.GID); err != nil {
			return err
		}
	}
	return lutimes(final, e.ModTime)
}

// hardlink links to an earlier file of the archive, resolved inside the
// root like any entry.
func (x *extractor) hardlink(e *Entry, final string) error {
	target, err := deb.CleanEntryName(e.Link)
	if err != nil {
		return err
	}
	i, ok := x.byPath[target]
	if !ok {
		return fmt.Errorf("hard link target %s was not written", target)
	}
	src, _, err := x.resolve(target)
	if err != nil {
		return err
	}
	src += x.suffix
	if err := x.removeExisting(final); err != nil {
		return err
	}
	if err := os.Link(src, final); err != nil {
		return err
	}
	prev := x.entries[i]
	e.Link, e.Mode, e.Size, e.SHA256 = target, prev.Mode, prev.Size, prev.SHA256
	return nil
}

// fifo creates a named pipe.
func (x *extractor) fifo(e *Entry, final string) error {
	if err := x.removeExisting(final); err != nil {
		return err
	}
	if err := syscall.Mkfifo(final, 0600); err != nil {
		return &fs.PathError{Op: "mkfifo", Path: final, Err: err}
	}
	if x.opts.Chown {
		if err := os.Lchown(final, e.UID, e.GID); err != nil {
			return err
		}
	}
	if err := os.Chmod(final, e.Mode&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return err
	}
	return lutimes(final, e.ModTime)
}
