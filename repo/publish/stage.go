package publish

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"aim/deb/rootfs"
)

// Add writes the pool in three stages, so that a pool file under its
// final name is always complete and durable while thousands of files
// cost two filesystem syncs instead of two each:
//
//  1. every new package is written, unsynced, to a staging file
//     (stagePrefix) at the top of the pool;
//  2. one syncfs(2) makes their contents durable, then each is renamed
//     to its pool path (refusing to replace a file), and a second
//     syncfs makes the names durable;
//  3. only then is the package database saved.
//
// A kill or crash before 2 leaves staging files and no new pool names:
// the next Add deletes them (it holds the repository's lock). A crash
// during 2 or 3 leaves complete pool files the database does not name
// yet: the next Add of the same bytes uses them, and Publish deletes
// them if no dist names them.

// stagePrefix starts the names of Add's staging files.
const stagePrefix = ".aim-tmp-"

// stagedFile is a package's bytes in a staging file (s.staged), waiting
// to be renamed to dest.
type stagedFile struct {
	s    *scanned
	dest string
}

// stage writes a new staging file in dir with what write writes, mode
// 0644, without syncing it, and returns its path. The file is opened
// with plain open(2) (see rootfs.RawFile): thousands of them cost no
// descriptor-poller set-up each.
func stage(dir string, write func(w io.Writer) error) (string, error) {
	for {
		name := filepath.Join(dir, stagePrefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := rootfs.OpenRaw(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL, 0o600)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return "", err
		}
		err = f.Chmod(0o644)
		if err == nil {
			err = write(f)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name)
			return "", err
		}
		return name, nil
	}
}

// stageMove moves file into dir under a staging name, mode 0644, and
// returns that name; across filesystems it fails with syscall.EXDEV.
func stageMove(file, dir string) (string, error) {
	for {
		name := filepath.Join(dir, stagePrefix+"move-"+strconv.FormatUint(rand.Uint64(), 36))
		err := renameNew(file, name)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if err := os.Chmod(name, 0o644); err != nil {
			os.Remove(name)
			return "", err
		}
		return name, nil
	}
}

// errNoLink says stageLink did not link a file, which is then copied.
var errNoLink = errors.New("not linked")

// stageLink hard-links file, whose status st was taken before it was
// read, into dir under a staging name and returns that name. It fails
// with errNoLink, linking nothing, unless file is a regular file of this
// process's user with mode 0644, on dir's filesystem, and the inode
// linked is still the one read, with the same size and modification
// time: then the staging name holds the bytes Add checked, the mode a
// pool file has, and nobody else may write to it.
func stageLink(file string, st *unix.Stat_t, dir string) (string, error) {
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Mode&0o7777 != 0o644 || int(st.Uid) != euid() {
		return "", errNoLink
	}
	for {
		name := filepath.Join(dir, stagePrefix+"link-"+strconv.FormatUint(rand.Uint64(), 36))
		err := unix.Linkat(unix.AT_FDCWD, file, unix.AT_FDCWD, name, 0)
		switch {
		case errors.Is(err, unix.EEXIST):
			continue
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return "", errNoLink // another filesystem, a link limit, no right to link: copy
		}
		var now unix.Stat_t
		if err := unix.Fstatat(unix.AT_FDCWD, name, &now, unix.AT_SYMLINK_NOFOLLOW); err != nil || !sameInode(st, &now) {
			os.Remove(name)
			return "", errNoLink
		}
		return name, nil
	}
}

// euid is the process's effective user ID, asked once.
var euid = sync.OnceValue(os.Geteuid)

// sameInode reports whether b is the status of inode a, unchanged in
// owner, mode, size and modification time.
func sameInode(a, b *unix.Stat_t) bool {
	return a.Dev == b.Dev && a.Ino == b.Ino && a.Uid == b.Uid && a.Mode == b.Mode &&
		a.Size == b.Size && a.Mtim == b.Mtim
}

// removeStale deletes the staging files a killed Add left in dir.
func removeStale(dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, stagePrefix+"*"))
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := os.Remove(n); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove a staging file of an interrupted add: %w", err)
		}
	}
	return nil
}

// renameNew renames old to new unless new exists, when it fails with an
// error matching os.ErrExist. Where renameat2 cannot refuse to replace,
// it links and removes instead.
func renameNew(old, new string) error {
	err := unix.Renameat2(unix.AT_FDCWD, old, unix.AT_FDCWD, new, unix.RENAME_NOREPLACE)
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOSYS) {
		if err := os.Link(old, new); err != nil {
			return err
		}
		return os.Remove(old)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: old, New: new, Err: err}
	}
	return nil
}

// poolDirs makes the pool directories of the packages an Add reads while
// they are read, by every worker of the scan, so that making thousands of
// directories (as costly as creating the files) shares the cores with
// reading the packages instead of following it on one. An empty
// directory holds no package, so making one early changes no guarantee
// of stage.go; those an Add made are removed again when it refuses its
// files or fails to name them (removeMade), and a kill leaves at most
// empty directories, which the next Add uses.
type poolDirs struct {
	top  string // the pool, made before the scan
	mu   sync.Mutex
	seen map[string]bool // made or found
	made []string        // made by this Add
}

func newPoolDirs(top string) *poolDirs {
	return &poolDirs{top: top, seen: map[string]bool{top: true}}
}

// prepare makes dir, a directory below top, and its missing parents,
// and reports whether this call made dir: then it holds nothing yet.
func (d *poolDirs) prepare(dir string) (made bool, err error) {
	d.mu.Lock()
	seen := d.seen[dir]
	d.mu.Unlock()
	if seen {
		return false, nil
	}
	if !strings.HasPrefix(dir, d.top+string(filepath.Separator)) {
		return false, fmt.Errorf("pool directory %s is not below %s", dir, d.top)
	}
	for {
		err := unix.Mkdir(dir, 0o755)
		switch {
		case err == nil:
			d.note(dir, true)
			return true, nil
		case errors.Is(err, unix.EEXIST):
			d.note(dir, false)
			return false, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOENT):
			if _, err := d.prepare(filepath.Dir(dir)); err != nil {
				return false, err
			}
			continue
		}
		return false, &os.PathError{Op: "mkdir", Path: dir, Err: err}
	}
}

func (d *poolDirs) note(dir string, made bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen[dir] = true
	if made {
		d.made = append(d.made, dir)
	}
}

// known reports whether dir was made or found by prepare.
func (d *poolDirs) known(dir string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seen[dir]
}

// removeMade removes the directories prepare made that are still empty,
// the deepest first.
func (d *poolDirs) removeMade() {
	d.mu.Lock()
	defer d.mu.Unlock()
	slices.SortFunc(d.made, func(a, b string) int { return len(b) - len(a) })
	for _, dir := range d.made {
		unix.Rmdir(dir)
	}
	d.made = nil
}

// dirMaker creates directories, remembering those it made or found so
// that thousands of pool files below a few dozen directories cost one
// mkdir each; those the scan made (pre) cost none.
type dirMaker struct {
	pre  *poolDirs
	seen map[string]bool
}

// make creates dir and its parents as needed.
func (m dirMaker) make(dir string) error {
	if m.seen[dir] || m.pre != nil && m.pre.known(dir) {
		return nil
	}
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, os.ErrNotExist) {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	m.seen[dir] = true
	return nil
}

// commitStaged renames each staged file to its pool path between two
// filesystem syncs (see stage), clearing the staged name of each; when
// one fails it removes the pool files it created. Directories the scan
// made or found (pre, which may be nil) are not made again.
func (r *Repo) commitStaged(incoming string, files []stagedFile, pre *poolDirs) error {
	if len(files) == 0 {
		return nil
	}
	if err := r.step("sync staged"); err != nil {
		return err
	}
	if err := rootfs.SyncFS(incoming); err != nil {
		return err
	}
	var created []string
	undo := func(err error) error {
		for _, p := range created {
			r.removePoolFile(p)
		}
		return err
	}
	dirs := dirMaker{pre: pre, seen: map[string]bool{}}
	for _, f := range files {
		if err := r.step("name " + strings.TrimPrefix(f.dest, r.Dir+string(filepath.Separator))); err != nil {
			return undo(err)
		}
		if err := dirs.make(filepath.Dir(f.dest)); err != nil {
			return undo(err)
		}
		if err := renameNew(f.s.staged, f.dest); err != nil {
			return undo(err)
		}
		f.s.staged = ""
		created = append(created, f.dest)
	}
	if err := r.step("sync names"); err != nil {
		return undo(err)
	}
	if err := rootfs.SyncFS(incoming); err != nil {
		return undo(err)
	}
	return nil
}
