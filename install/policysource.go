package install

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"aim/db"
	"aim/deb"
	"aim/policy"
	"aim/repo"
	"aim/resolver"
)

// This file holds the policy's view of the root's packages: the cache
// and local archives as a policy.Source (CacheSource, LocalSource,
// EmptySource), installed packages as policy.Installed, and a decided
// plan turned back into the engine's transaction.

// CacheSource is a policy.Source over the available-package cache. Each
// package's Ref is its repo.Available.
type CacheSource struct {
	Cache *repo.Cache
}

// SourcePriority returns the highest priority among the sources that
// offer a.
func SourcePriority(c *repo.Cache, a repo.Available) int {
	p := 0
	for i, s := range a.Sources {
		if pr := c.Sources()[s].Priority; i == 0 || pr > p {
			p = pr
		}
	}
	return p
}

// Available returns a as policy sees it.
func (s CacheSource) Available(a repo.Available) policy.Available {
	v, _ := deb.ParseVersionLax(a.Version)
	return policy.Available{Package: &resolver.Package{Name: a.Name, Version: v, Arch: a.Architecture,
		User: a.User, Ref: a}, Priority: SourcePriority(s.Cache, a)}
}

// Versions implements policy.Source: every version of name, highest first.
func (s CacheSource) Versions(name string) []policy.Available {
	var out []policy.Available
	for _, a := range s.Cache.Lookup(name) {
		out = append(out, s.Available(a))
	}
	return out
}

// Providers implements policy.Source.
func (s CacheSource) Providers(name string) []policy.AvailableProvider {
	var out []policy.AvailableProvider
	for _, p := range s.Cache.Providers(name) {
		v, _ := deb.ParseVersionLax(p.Version)
		out = append(out, policy.AvailableProvider{Available: s.Available(p.Package), Version: v})
	}
	return out
}

// Relations implements policy.Source, reading the fields it needs of the
// package's paragraph from the cache.
func (s CacheSource) Relations(p *resolver.Package) (*resolver.Relations, error) {
	a, ok := p.Ref.(repo.Available)
	if !ok {
		return nil, fmt.Errorf("package %s is not from the cache", p.Name)
	}
	para, err := s.Cache.ParagraphFields(a, resolver.RelationFields...)
	if err != nil {
		return nil, err
	}
	return resolver.ParseRelationsOf(para)
}

// InstalledOf returns an installed package (aim's or dpkg's) as policy
// sees it, with its relations and flags read from its control data.
func InstalledOf(p *db.InstalledPackage, held bool) (policy.Installed, error) {
	q := &resolver.Package{Name: p.Name, Version: p.Version, Arch: p.Architecture, User: p.User, Installed: true}
	in := policy.Installed{Package: q, Auto: p.Auto, Held: held, Dpkg: p.FromDpkg}
	if p.Control != nil {
		rel, err := resolver.ParseRelationsOf(p.Control)
		if err != nil {
			return in, fmt.Errorf("installed package %s: %w", p.Name, err)
		}
		in.Relations = rel
		in.SystemUpdate = policy.HasFlag(p.Control.Get("Maemo-Flags"), "system-update")
	}
	return in, nil
}

// LocalArchive is a .deb file named on the command line or received by
// the service, offered beside the cache's packages.
type LocalArchive struct {
	Path    string
	Control *deb.Paragraph
	// read is the archive's control part as ReadLocal read it, which the
	// engine uses instead of reading it again while the file is
	// unchanged.
	read *readArchive
}

// Name returns the archive's package name.
func (l LocalArchive) Name() string { return deb.IdentityOf(l.Control).Package }

// Version returns the archive's version as written.
func (l LocalArchive) Version() string { return deb.IdentityOf(l.Control).Version }

// ReadLocal reads the control data of the .deb file at path.
func ReadLocal(path string) (LocalArchive, error) {
	l, err := ReadLocals([]string{path})
	if err != nil {
		return LocalArchive{}, err
	}
	return l[0], nil
}

// ReadLocals reads the control data of the .deb files at paths, in
// order; an error names the path as given.
func ReadLocals(paths []string) ([]LocalArchive, error) {
	abs := make([]string, len(paths))
	for i, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		abs[i] = a
	}
	read, bad, err := readControls(abs)
	if ae := (*archiveError)(nil); errors.As(err, &ae) {
		return nil, fmt.Errorf("%s: %w", paths[bad], ae.err)
	}
	if err != nil {
		return nil, err
	}
	out := make([]LocalArchive, len(paths))
	for i, r := range read {
		out[i] = LocalArchive{Path: abs[i], Control: r.ctrl.Control, read: r}
	}
	return out, nil
}

// localPriority is the priority of local archives: above every source's,
// so a file the user named is the candidate for its package.
const localPriority = 1000

// LocalSource offers local archives on top of Base's packages.
type LocalSource struct {
	Base   policy.Source
	Locals []LocalArchive
}

// Versions implements policy.Source: Base's versions of name, then the
// local archives of that package.
func (s LocalSource) Versions(name string) []policy.Available {
	out := s.Base.Versions(name)
	for _, l := range s.Locals {
		if l.Name() == name {
			v, _ := deb.ParseVersionLax(l.Version())
			out = append(out, policy.Available{Package: &resolver.Package{Name: name, Version: v,
				Arch: deb.IdentityOf(l.Control).Architecture, User: policy.IsUser(l.Control.Get("Section")), Ref: l},
				Priority: localPriority})
		}
	}
	return out
}

// Providers implements policy.Source (local archives provide nothing
// beyond their own name).
func (s LocalSource) Providers(name string) []policy.AvailableProvider {
	return s.Base.Providers(name)
}

// Relations implements policy.Source.
func (s LocalSource) Relations(p *resolver.Package) (*resolver.Relations, error) {
	if l, ok := p.Ref.(LocalArchive); ok {
		return resolver.ParseRelationsOf(l.Control)
	}
	return s.Base.Relations(p)
}

// EmptySource offers no packages: a root without package lists.
type EmptySource struct{}

// Versions implements policy.Source.
func (EmptySource) Versions(string) []policy.Available { return nil }

// Providers implements policy.Source.
func (EmptySource) Providers(string) []policy.AvailableProvider { return nil }

// Relations implements policy.Source.
func (EmptySource) Relations(*resolver.Package) (*resolver.Relations, error) {
	return nil, errors.New("no package lists")
}

// TransactionOf turns a decided plan into the engine's transaction, in
// plan order. cache (nil without package lists) gives each package's
// download URL, size, hash and needed space; a local archive is installed
// from its path.
func TransactionOf(cache *repo.Cache, out *policy.Outcome) (*Transaction, error) {
	manual := map[string]bool{}
	for _, n := range out.Manual {
		manual[n] = true
	}
	tx := &Transaction{}
	for _, st := range out.Plan.Steps {
		c, err := ChangeOf(cache, st, manual)
		if err != nil {
			return nil, err
		}
		tx.Changes = append(tx.Changes, c)
	}
	return tx, nil
}

// ChangeOf turns one plan step into the engine's change; manual names the
// packages the user asked for (the others are installed as automatic).
func ChangeOf(cache *repo.Cache, st resolver.Step, manual map[string]bool) (Change, error) {
	p := st.Package
	c := Change{Name: p.Name, Version: p.Version.String(), Arch: p.Arch, Auto: !manual[p.Name]}
	switch st.Action {
	case resolver.Remove:
		c.Action = Remove
		return c, nil
	case resolver.Upgrade:
		c.Action = Upgrade
	default:
		c.Action = Install
	}
	if l, ok := p.Ref.(LocalArchive); ok {
		c.Path, c.read = l.Path, l.read
		return c, nil
	}
	a, ok := p.Ref.(repo.Available)
	if !ok || len(a.Sources) == 0 || cache == nil {
		return c, fmt.Errorf("%s %s: not in any source", p.Name, p.Version)
	}
	para, err := cache.ParagraphFields(a, "Filename", "Size", "SHA256", "Maemo-Required-Free-Space", "Installed-Size")
	if err != nil {
		return c, err
	}
	src := cache.Sources()[a.Sources[0]]
	c.URL = strings.TrimSuffix(src.URI, "/") + "/" + para.Get("Filename")
	c.Size, _ = strconv.ParseInt(para.Get("Size"), 10, 64)
	c.SHA256, c.Origin = para.Get("SHA256"), src.Name
	need := para.Get("Maemo-Required-Free-Space")
	if need == "" {
		need = para.Get("Installed-Size")
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(need), 10, 64)
	c.Need = n * 1024
	return c, nil
}
