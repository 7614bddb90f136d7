package install

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"aim/db"
	"aim/deb"
)

// FileConflictError reports a file that a new package would take from
// another package that it does not replace.
type FileConflictError struct {
	Package, Path, Owner string
	// Dpkg is set when the owner is a package of dpkg, whose files aim
	// never takes.
	Dpkg bool
}

// Error says which file is in conflict and with whom.
func (e *FileConflictError) Error() string {
	if e.Dpkg {
		return fmt.Sprintf("%s: file %s belongs to dpkg's package %s", e.Package, e.Path, e.Owner)
	}
	return fmt.Sprintf("%s: file %s belongs to package %s (which %s does not replace)", e.Package, e.Path, e.Owner, e.Package)
}

// checkConflicts refuses a new file owned by another package unless the
// new package Replaces it; for replaced owners, ownership moves. A file
// another instance of the same package has (a Multi-Arch: same package
// of another architecture) is shared when identical and refused when not.
func (x *txn) checkConflicts() error {
	changing := map[string]bool{}
	claimed := map[string]*step{}
	for _, s := range x.steps {
		changing[s.key] = true
	}
	var paths []string
	want := map[string]bool{}
	for _, s := range x.steps {
		for _, f := range s.newFiles {
			if f.Type != 'd' {
				paths = append(paths, f.Path)
				want[f.Path] = true
			}
		}
	}
	dpkg, err := dpkgOwners(x.e.Root, want)
	if err != nil {
		return err
	}
	owners, err := x.e.DB.OwnersOf(paths)
	if err != nil {
		return err
	}
	for _, s := range x.steps {
		for _, f := range s.newFiles {
			if f.Type == 'd' {
				continue
			}
			if err := x.checkFile(s, f.Path, changing, claimed, dpkg, owners); err != nil {
				return err
			}
			claimed[f.Path] = s
		}
	}
	return nil
}

// checkFile checks s's file p; owners holds the installed owners of the
// paths checked (nil: ask the database).
func (x *txn) checkFile(s *step, p string, changing map[string]bool, claimed map[string]*step, dpkg map[string]string, owners map[string][]db.Owner) error {
	if owner, ok := dpkg[p]; ok {
		return &FileConflictError{Package: s.key, Path: p, Owner: owner, Dpkg: true}
	}
	if other, ok := claimed[p]; ok && other.key != s.key {
		if other.c.Name == s.c.Name {
			if f, ok := fileOf(other.newFiles, p); ok {
				return sharedFile(s, other.key, f)
			}
		} else if !x.replaces(s, other.c.Name) {
			return &FileConflictError{Package: s.key, Path: p, Owner: other.key}
		} else {
			// s, later in the plan, replaces a file of a package this
			// transaction also installs: as for an installed owner, the
			// file moves to s, recorded after other's list.
			s.takeFrom(db.Owner{Name: other.c.Name, Architecture: other.arch}.String(), p)
		}
	}
	mine, known := owners[p]
	if owners == nil {
		var err error
		if mine, err = x.e.DB.Owners(p); err != nil {
			return err
		}
	} else if !known {
		return nil
	}
	for _, owner := range mine {
		o := x.e.key(owner.Name, owner.Architecture)
		if o == s.key || changing[o] {
			continue
		}
		if owner.Name == s.c.Name {
			if err := x.sharedInstalled(s, owner, p); err != nil {
				return err
			}
			continue
		}
		if !x.replaces(s, owner.Name) {
			return &FileConflictError{Package: s.key, Path: p, Owner: o}
		}
		s.takeFrom(owner.String(), p)
	}
	return nil
}

// takeFrom records that s takes the file p over from owner (NAME:ARCH).
func (s *step) takeFrom(owner, p string) {
	if s.takeover == nil {
		s.takeover = map[string][]string{}
	}
	s.takeover[owner] = append(s.takeover[owner], p)
}

// sharedInstalled checks s's file p against the one the installed
// instance owner (of s's package, another architecture) has.
func (x *txn) sharedInstalled(s *step, owner db.Owner, p string) error {
	files, err := x.e.DB.Files(owner.Name, owner.Architecture)
	if err != nil {
		return err
	}
	f, _ := fileOf(files, p)
	return sharedFile(s, x.e.key(owner.Name, owner.Architecture), f)
}

// sharedFile refuses s's file at f.Path unless it is identical to f,
// the other instance's.
func sharedFile(s *step, other string, f db.File) error {
	mine, _ := fileOf(s.newFiles, f.Path)
	if mine.Type != f.Type || mine.SHA256 != f.SHA256 || mine.Link != f.Link || mine.Mode != f.Mode {
		return &SharedFileError{Package: s.key, Other: other, Path: f.Path}
	}
	return nil
}

// fileOf finds p in files.
func fileOf(files []db.File, p string) (db.File, bool) {
	for _, f := range files {
		if f.Path == p {
			return f, true
		}
	}
	return db.File{}, false
}

// replaces reports whether s's new version Replaces the installed
// package called owner (at its installed version).
func (x *txn) replaces(s *step, owner string) bool {
	rels, err := deb.ParseRelations(s.ctrl.Control.Get("Replaces"))
	if err != nil {
		return false
	}
	in, err := x.e.DB.Installed(owner, "")
	if errors.Is(err, db.ErrAmbiguous) {
		// Instances of a Multi-Arch: same package move together: any.
		var all []db.InstalledPackage
		if all, err = x.e.DB.Instances(owner); err == nil {
			in = &all[0]
		}
	}
	for _, alts := range rels {
		for _, r := range alts {
			if r.Name != owner {
				continue
			}
			if r.Op == deb.OpNone || err == nil && r.SatisfiedBy(in.Version) {
				return true
			}
		}
	}
	return false
}

// dpkgOwners reads dpkg's file lists (var/lib/dpkg/info/*.list) and
// returns the package that lists each path of want; empty where dpkg is
// absent. Directories are left out: packages share them. Only the paths
// of want found in a list are looked at on disk, so the cost is that of
// reading the lists, however many files dpkg's packages have.
func dpkgOwners(root string, want map[string]bool) (map[string]string, error) {
	lists, err := filepath.Glob(filepath.Join(root, "var/lib/dpkg/info/*.list"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if len(want) == 0 {
		return out, nil
	}
	for _, l := range lists {
		pkg := strings.TrimSuffix(filepath.Base(l), ".list")
		pkg, _, _ = strings.Cut(pkg, ":")
		if err := readList(root, l, pkg, want, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readList(root, list, pkg string, want map[string]bool, out map[string]string) error {
	f, err := os.Open(list)
	if err != nil {
		return fmt.Errorf("dpkg file list: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := sc.Bytes()
		if !want[string(p)] { // no allocation for the lookup
			continue
		}
		if fi, err := os.Lstat(filepath.Join(root, string(p))); err == nil && fi.IsDir() {
			continue
		}
		out[string(p)] = pkg
	}
	return sc.Err()
}

// dpkgPaths returns every path dpkg's file lists name, directories
// included; empty where dpkg is absent.
func dpkgPaths(root string) (map[string]bool, error) {
	lists, err := filepath.Glob(filepath.Join(root, "var/lib/dpkg/info/*.list"))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, l := range lists {
		f, err := os.Open(l)
		if err != nil {
			return nil, fmt.Errorf("dpkg file list: %w", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if p := sc.Text(); p != "" {
				out[path.Clean("/"+p)] = true
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("dpkg file list %s: %w", filepath.Base(l), err)
		}
	}
	return out, nil
}
