package install

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"aim/deb/rootfs"
)

// scanAtLeast is how many names of one directory make dropLeftovers read
// the directory once instead of trying to remove each name's backup and
// staged copy: a failed removal costs two system calls (os.Remove tries
// unlink, then rmdir), and a committed install leaves no backup of a new
// file, so for a package's thousand files the tries were most of the
// cleanup's time.
const scanAtLeast = 8

// leftovers gathers, by host directory, the base names whose PATH.aim-old
// backup or PATH.aim-tmp staged copy a transaction may have left there.
type leftovers map[string]map[string]bool

// add records the in-root path p (a directory's with a trailing slash:
// its backup is the file the directory displaced). A path that no longer
// resolves has nothing left beside it.
func (l leftovers) add(hosts *rootfs.Resolver, p string) {
	host, err := hosts.JoinNoFollow(strings.TrimSuffix(p, "/"))
	if err != nil {
		return
	}
	dir, base := filepath.Split(host)
	if l[dir] == nil {
		l[dir] = map[string]bool{}
	}
	l[dir][base] = true
}

// dropWorkers is how many directories drop handles at once: the work is
// system calls on independent directories, which the kernel runs in
// parallel.
const dropWorkers = 3

// drop removes every backup and staged copy left for the names added.
// It guarantees the same outcome as trying both removals for every name:
// a directory with few names is handled so, a larger one is read once
// and only the leftovers it holds are removed. Directories are handled
// dropWorkers at a time; the error returned is one of those met.
func (l leftovers) drop() error {
	dirs := make(chan string, len(l))
	for dir := range l {
		dirs <- dir
	}
	close(dirs)
	errs := make(chan error, dropWorkers)
	for range min(dropWorkers, len(l)) {
		go func() {
			var err error
			for dir := range dirs {
				if err == nil {
					err = l.dropIn(dir)
				}
			}
			errs <- err
		}()
	}
	var first error
	for range min(dropWorkers, len(l)) {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// dropIn removes the leftovers of the names added in dir.
func (l leftovers) dropIn(dir string) error {
	names := l[dir]
	if len(names) < scanAtLeast {
		for base := range names {
			if err := dropBackupAt(filepath.Join(dir, base)); err != nil {
				return err
			}
		}
		return nil
	}
	found, err := readNames(dir)
	if err != nil {
		return err
	}
	for _, n := range found {
		base, ok := strings.CutSuffix(n, oldSuffix)
		if !ok {
			base, ok = strings.CutSuffix(n, tmpSuffix)
		}
		if ok && names[base] {
			if err := removeIfExists(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// readNames lists the names in dir; a directory that is gone (or is no
// longer one) lists none.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if errors.Is(err, syscall.ENOTDIR) {
		return nil, nil
	}
	return names, err
}

// dropBackupAt deletes the backup and any staged file left beside host.
func dropBackupAt(host string) error {
	if err := removeIfExists(host + oldSuffix); err != nil {
		return err
	}
	return removeIfExists(host + tmpSuffix)
}
