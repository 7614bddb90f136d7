package install

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

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
// new package Replaces it; for replaced owners, ownership moves.
func (x *txn) checkConflicts() error {
	changing := map[string]bool{}
	claimed := map[string]string{}
	for _, s := range x.steps {
		changing[s.c.Name] = true
	}
	dpkg, err := dpkgOwners(x.e.Root)
	if err != nil {
		return err
	}
	for _, s := range x.steps {
		for _, f := range s.newFiles {
			if f.Type == 'd' {
				continue
			}
			if err := x.checkFile(s, f.Path, changing, claimed, dpkg); err != nil {
				return err
			}
			claimed[f.Path] = s.c.Name
		}
	}
	return nil
}

func (x *txn) checkFile(s *step, p string, changing map[string]bool, claimed, dpkg map[string]string) error {
	if owner, ok := dpkg[p]; ok {
		return &FileConflictError{Package: s.c.Name, Path: p, Owner: owner, Dpkg: true}
	}
	if other, ok := claimed[p]; ok && other != s.c.Name && !x.replaces(s, other) {
		return &FileConflictError{Package: s.c.Name, Path: p, Owner: other}
	}
	owners, err := x.e.DB.Owners(p)
	if err != nil {
		return err
	}
	for _, owner := range owners {
		o := owner.Name
		if o == s.c.Name || changing[o] {
			continue
		}
		if !x.replaces(s, o) {
			return &FileConflictError{Package: s.c.Name, Path: p, Owner: o}
		}
		if s.takeover == nil {
			s.takeover = map[string][]string{}
		}
		s.takeover[o] = append(s.takeover[o], p)
	}
	return nil
}

// replaces reports whether s's new version Replaces the installed
// package called owner (at its installed version).
func (x *txn) replaces(s *step, owner string) bool {
	rels, err := deb.ParseRelations(s.ctrl.Control.Get("Replaces"))
	if err != nil {
		return false
	}
	in, err := x.e.DB.Installed(owner, "")
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

// dpkgOwners reads dpkg's file lists (var/lib/dpkg/info/*.list) into a
// map from path to package; empty where dpkg is absent. Directories are
// left out: packages share them.
func dpkgOwners(root string) (map[string]string, error) {
	lists, err := filepath.Glob(filepath.Join(root, "var/lib/dpkg/info/*.list"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, l := range lists {
		pkg := strings.TrimSuffix(filepath.Base(l), ".list")
		pkg, _, _ = strings.Cut(pkg, ":")
		if err := readList(root, l, pkg, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readList(root, list, pkg string, out map[string]string) error {
	f, err := os.Open(list)
	if err != nil {
		return fmt.Errorf("dpkg file list: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := sc.Text()
		if p == "" || p == "/." {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(root, p)); err == nil && fi.IsDir() {
			continue
		}
		out[p] = pkg
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
