package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// WriteFile replaces the file at path with data and mode perm atomically:
// readers see the old file or the new one, never a part, and after a
// crash one of the two is on disk (see CreateAtomic). The directory must
// exist.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return WriteFileFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFileFunc is WriteFile for content that write streams; path is left
// alone when write fails.
func WriteFileFunc(path string, perm fs.FileMode, write func(w io.Writer) error) error {
	f, err := CreateAtomic(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return err
	}
	return f.Commit(path, perm)
}

// An AtomicFile is a temporary file that becomes a named file only when
// Commit renames it, complete and synced, into place; for callers that
// learn the name only once the content is written. Until then, Abort
// removes it.
type AtomicFile struct {
	*os.File
	done bool
}

// CreateAtomic creates a temporary file in dir: the directory the
// committed file will be in, or another on its filesystem (a rename does
// not cross filesystems).
func CreateAtomic(dir string) (*AtomicFile, error) {
	f, err := os.CreateTemp(dir, ".aim-tmp-*")
	if err != nil {
		return nil, err
	}
	return &AtomicFile{File: f}, nil
}

// Commit gives the file mode perm, syncs it, renames it to path (on the
// filesystem it was created on), replacing what is there, and syncs the
// directory of path.
func (f *AtomicFile) Commit(path string, perm fs.FileMode) error {
	return f.commit(path, perm, os.Rename)
}

// CommitNew is Commit that refuses to replace: it fails with an error
// matching fs.ErrExist when path exists.
func (f *AtomicFile) CommitNew(path string, perm fs.FileMode) error {
	return f.commit(path, perm, os.Link)
}

// commit finishes the file and puts it at path with place.
func (f *AtomicFile) commit(path string, perm fs.FileMode, place func(old, new string) error) error {
	if f.done {
		return errors.New("rootfs: atomic file already committed or aborted")
	}
	defer f.Abort()
	err := f.Chmod(perm)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = place(f.Name(), path)
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// CommitScratch is Commit without the syncs, for scratch files that need
// not survive a crash: a reader still sees the old file or the new one
// whole.
func (f *AtomicFile) CommitScratch(path string, perm fs.FileMode) error {
	if f.done {
		return errors.New("rootfs: atomic file already committed or aborted")
	}
	defer f.Abort()
	err := f.Chmod(perm)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	return err
}

// Abort closes and removes the temporary file; after Commit it does
// nothing. It is safe to defer.
func (f *AtomicFile) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// syncDir makes a rename in dir durable. Filesystems that cannot sync a
// directory (EINVAL) are left as they are.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// SyncFS makes every write to the filesystem holding dir durable
// (syncfs(2)): one call instead of an fsync for each of many files.
func SyncFS(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
