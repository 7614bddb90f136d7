package install

import (
	"io/fs"
	"os"
)

// stageCheck returns the check staging runs on each member of s before
// writing it: the names checkMember refuses, and, for a directory, what
// displace does.
func (x *txn) stageCheck(s *step) func(name string, isDir bool) error {
	return func(name string, isDir bool) error {
		if err := checkMember(name, isDir); err != nil {
			return err
		}
		if !isDir {
			return nil
		}
		return x.displace(s, "/"+name)
	}
}

// displace makes way for directory p of s where a file or a symlink
// (one that does not lead to a directory) stands: a file of another
// package that s does not replace is a *FileConflictError, refused before
// it is touched; any other (s's own old file, a replaced package's, one
// no package owns) is moved aside to its backup name, which a rollback
// renames back and the commit deletes (see undoer.step and dropBackup).
// Staging must never delete what stands in a directory's way: the
// conflict check that follows staging would come too late.
func (x *txn) displace(s *step, p string) error {
	host, err := x.paths.JoinNoFollow(p)
	if err != nil {
		return err
	}
	if !x.inTheWay(host, p) {
		return nil
	}
	// Packages staged at once may both ship directory p: the first moves
	// what is in the way, the second then finds nothing or a directory.
	x.displacing.Lock()
	defer x.displacing.Unlock()
	if !x.inTheWay(host, p) {
		return nil
	}
	dpkg, err := dpkgOwners(x.e.Root, map[string]bool{p: true})
	if err != nil {
		return err
	}
	changing := map[string]bool{}
	for _, o := range x.steps {
		changing[o.key] = true
	}
	if err := x.checkFile(s, p, changing, map[string]*step{}, dpkg, nil); err != nil {
		return err
	}
	if err := x.e.faultAt("displace " + p); err != nil {
		return err
	}
	err = os.Rename(host, host+oldSuffix)
	x.paths.Changed(p)
	return err
}

// inTheWay reports whether something that is not a directory, nor a
// symlink to one, stands at host (the in-root path p).
func (x *txn) inTheWay(host, p string) bool {
	fi, err := os.Lstat(host)
	if err != nil || fi.IsDir() {
		return false
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if target, err := x.paths.Join(p); err == nil && isDir(target) {
			return false // a symlink to a directory (merged /usr) is kept
		}
	}
	return true
}
