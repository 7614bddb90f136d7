package rootfs

import (
	"fmt"
	"path"
	"strings"
)

// ownDirs are aim's own directories and dpkg's database: no package may
// ship anything in them (dpkg refuses packages that would own its
// database, for the same reason).
var ownDirs = []string{ConfigDir, StateDir, CacheDir, LogDir, "var/lib/dpkg"}

// A ReservedPathError reports a package member in one of aim's own
// directories, or one that would put something other than a directory
// on their way.
type ReservedPathError struct {
	// Path is the member's path, Dir the reserved directory.
	Path, Dir string
	// Ancestor is set when Path is a directory on the way to Dir that
	// the member would make a symlink or a file.
	Ancestor bool
}

// Error says which member and which directory.
func (e *ReservedPathError) Error() string {
	if e.Ancestor {
		return fmt.Sprintf("/%s: a package may only ship a directory here, since it holds /%s", e.Path, e.Dir)
	}
	return fmt.Sprintf("/%s: a package may not ship anything in /%s, which belongs to aim or dpkg", e.Path, e.Dir)
}

// CheckMember refuses a package member (a clean slash path relative to
// the root, as a tar header names it) that lies in aim's own
// directories (etc/aim, var/lib/aim, var/cache/aim, var/log/aim) or in
// dpkg's database (var/lib/dpkg), including the directories themselves,
// and a member that is not a directory at a path on the way to one of
// them (a symlink "etc" or "var/cache"), as that would redirect what
// aim writes there. It returns a *ReservedPathError.
func CheckMember(name string, isDir bool) error {
	name = strings.Trim(path.Clean("/"+name), "/")
	for _, d := range ownDirs {
		if name == d || strings.HasPrefix(name, d+"/") {
			return &ReservedPathError{Path: name, Dir: d}
		}
		if !isDir && name != "" && strings.HasPrefix(d, name+"/") {
			return &ReservedPathError{Path: name, Dir: d, Ancestor: true}
		}
	}
	return nil
}
