package main

import (
	"aim/install"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"aim/deb"
	"aim/policy"
	"aim/repo"
)

// localDeb is a .deb file named on the command line.
// localDeb is a .deb file named on the command line.
type localDeb = install.LocalArchive

// localDebs splits arguments into local .deb files and package names; a
// local file becomes the want NAME=VERSION.
func localDebs(args []string) ([]localDeb, []string, error) {
	var locals []localDeb
	var names []string
	for _, a := range args {
		if !strings.HasSuffix(a, ".deb") {
			names = append(names, a)
			continue
		}
		l, err := readLocal(a)
		if err != nil {
			return nil, nil, err
		}
		locals = append(locals, l)
		names = append(names, l.Control.Get("Package")+"="+l.Control.Get("Version"))
	}
	return locals, names, nil
}

func readLocal(p string) (localDeb, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return localDeb{}, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return localDeb{}, err
	}
	defer f.Close()
	ar, err := deb.NewArchiveReader(f)
	if err != nil {
		return localDeb{}, fmt.Errorf("%s: %w", p, err)
	}
	defer ar.Close()
	return localDeb{Path: abs, Control: ar.Control().Control}, nil
}

// loadSystemWith is loadSystem with local archives added.
// Without package lists, local archives are installed alone.
func loadSystemWith(e *env, locals []localDeb) (*system, error) {
	s, err := loadSystem(e)
	if err != nil && len(locals) > 0 && errNoLists(e) != nil {
		s, err = localSystem(e)
	}
	if err != nil || len(locals) == 0 {
		return s, err
	}
	s.sys.Source = install.LocalSource{Base: s.sys.Source, Locals: locals}
	return s, nil
}

// askable reports whether r is a terminal.
func askable(r io.Reader) bool { return isTerminal(r) }

// errNoLists is the error loadSystem gives for a root without lists.
func errNoLists(e *env) error {
	if _, err := repo.OpenCache(filepath.Join(e.g.root, repo.CacheFile)); errors.Is(err, repo.ErrNoCache) {
		return noListsErr
	}
	return nil
}

var noListsErr = errors.New("no package lists")

// localSystem is a system with no available packages but local ones.
func localSystem(e *env) (*system, error) {
	cfg, err := settings(e)
	if err != nil {
		return nil, err
	}
	ix, err := loadInstalled(e)
	if err != nil {
		return nil, err
	}
	holds, err := readHolds(e)
	if err != nil {
		return nil, err
	}
	s := &system{ix: ix, close: func() {}}
	s.sys = &policy.System{Source: install.EmptySource{}, Arch: nativeArch(cfg)}
	for _, n := range ix.names() {
		in, err := install.InstalledOf(ix[n], holds[n])
		if err != nil {
			return nil, err
		}
		s.sys.Installed = append(s.sys.Installed, in)
	}
	return s, nil
}
