package install

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"aim/db"
)

// ProblemKind says what Verify found wrong with a file.
type ProblemKind int

// The kinds of problems.
const (
	Missing         ProblemKind = iota + 1 // the path does not exist
	Changed                                // contents, type, mode or link target differ
	ConffileChanged                        // a conffile differs (the user may change those)
	// NotConfigured: the package's configuration is pending (Detail
	// says its state); Path is "".
	NotConfigured
)

// Problem is one file that differs from what was installed.
type Problem struct {
	Package, Path string
	Kind          ProblemKind
	Detail        string
}

func (p Problem) String() string {
	if p.Kind == NotConfigured {
		return fmt.Sprintf("%s: %s (run aim configure --pending)", p.Package, p.Detail)
	}
	what := map[ProblemKind]string{Missing: "missing", Changed: "changed", ConffileChanged: "conffile changed"}[p.Kind]
	s := fmt.Sprintf("%s: %s %s", p.Package, p.Path, what)
	if p.Detail != "" {
		s += " (" + p.Detail + ")"
	}
	return s
}

// Verify compares the files of the named installed packages (all when
// names is empty) with what the database recorded at install time, and
// returns the differences in package and path order. Conffiles that
// differ are ConffileChanged, never Changed. A package whose
// configuration is pending (see PendingState) is a NotConfigured problem
// before its files. Packages are named by their keys (see Key, with
// native the native architecture): NAME:ARCH names a foreign instance.
func Verify(root, native string, d *db.DB, names []string) ([]Problem, error) {
	pending, err := PendingState(d)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		pkgs, err := d.InstalledPackages()
		if err != nil {
			return nil, err
		}
		for _, p := range pkgs {
			names = append(names, Key(p.Name, p.Architecture, native))
		}
	}
	var out []Problem
	for _, n := range names {
		if st := pending[n]; st != "" {
			out = append(out, Problem{Package: n, Kind: NotConfigured, Detail: st})
		}
		name, arch := SplitKey(n)
		files, err := d.Files(name, arch)
		if arch == "" && errors.Is(err, db.ErrAmbiguous) {
			files, err = d.Files(name, native) // the native instance
		}
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if p, bad := check(root, f); bad {
				p.Package = n
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// check compares one recorded file with the disk.
func check(root string, f db.File) (Problem, bool) {
	p := Problem{Path: f.Path}
	host, err := hostPath(root, f.Path)
	if err != nil {
		p.Kind, p.Detail = Changed, err.Error()
		return p, true
	}
	fi, err := os.Lstat(host)
	if errors.Is(err, fs.ErrNotExist) {
		p.Kind = Missing
		return p, true
	}
	if err != nil {
		p.Kind, p.Detail = Changed, err.Error()
		return p, true
	}
	if detail := differs(host, fi, f); detail != "" {
		p.Kind, p.Detail = Changed, detail
		if f.Conffile {
			p.Kind = ConffileChanged
		}
		return p, true
	}
	return p, false
}

func differs(host string, fi fs.FileInfo, f db.File) string {
	switch f.Type {
	case 'd':
		if !fi.IsDir() && !isDirLink(host) {
			return "not a directory"
		}
		return ""
	case 'l':
		target, err := os.Readlink(host)
		if err != nil || target != f.Link {
			return "link target"
		}
		return ""
	case 'p':
		if fi.Mode()&fs.ModeNamedPipe == 0 {
			return "not a fifo"
		}
		return ""
	}
	if !fi.Mode().IsRegular() {
		return "not a regular file"
	}
	if fi.Size() != f.Size {
		return "size"
	}
	if fi.Mode().Perm() != f.Mode.Perm() {
		return fmt.Sprintf("mode %o, installed %o", fi.Mode().Perm(), f.Mode.Perm())
	}
	if sum, err := hashFile(host); err != nil || sum != f.SHA256 {
		return "contents"
	}
	return ""
}

// isDirLink reports whether host is a symlink to a directory (merged /usr).
func isDirLink(host string) bool {
	fi, err := os.Stat(host)
	return err == nil && fi.IsDir()
}
