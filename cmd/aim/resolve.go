package main

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"aim/db"
	"aim/deb"
	"aim/policy"
	"aim/repo"
	"aim/resolver"
)

// cacheSource is a policy.Source over the available-package cache.
type cacheSource struct {
	c *repo.Cache
}

func (s cacheSource) available(a repo.Available) policy.Available {
	v, _ := deb.ParseVersionLax(a.Version)
	return policy.Available{Package: &resolver.Package{Name: a.Name, Version: v, Arch: a.Architecture,
		User: a.User, Ref: a}, Priority: priorityOf(s.c, a)}
}

// Versions implements policy.Source.
func (s cacheSource) Versions(name string) []policy.Available {
	var out []policy.Available
	for _, a := range s.c.Lookup(name) {
		out = append(out, s.available(a))
	}
	return out
}

// Providers implements policy.Source.
func (s cacheSource) Providers(name string) []policy.AvailableProvider {
	var out []policy.AvailableProvider
	for _, p := range s.c.Providers(name) {
		v, _ := deb.ParseVersionLax(p.Version)
		out = append(out, policy.AvailableProvider{Available: s.available(p.Package), Version: v})
	}
	return out
}

// Relations implements policy.Source.
func (s cacheSource) Relations(p *resolver.Package) (*resolver.Relations, error) {
	a, ok := p.Ref.(repo.Available)
	if !ok {
		return nil, fmt.Errorf("package %s is not from the cache", p.Name)
	}
	para, err := s.c.Paragraph(a)
	if err != nil {
		return nil, err
	}
	return resolver.ParseRelationsOf(para)
}

// paragraph returns the control paragraph of a plan's package: from the
// cache, or as installed.
func (s cacheSource) paragraph(p *resolver.Package, ix installedIndex) *deb.Paragraph {
	if a, ok := p.Ref.(repo.Available); ok {
		if para, err := s.c.Paragraph(a); err == nil {
			return para
		}
	}
	if in := ix[p.Name]; in != nil && in.Control != nil {
		return in.Control
	}
	return &deb.Paragraph{}
}

// system is what the plan commands decide on.
type system struct {
	sys    *policy.System
	source cacheSource
	ix     installedIndex
	close  func()
}

// loadSystem reads the cache, the installed packages and the holds.
func loadSystem(e *env) (*system, error) {
	cfg, err := settings(e)
	if err != nil {
		return nil, err
	}
	c, err := openCache(e)
	if err != nil {
		return nil, err
	}
	ix, err := loadInstalled(e)
	if err != nil {
		c.Close()
		return nil, err
	}
	holds, err := readHolds(e)
	if err != nil {
		c.Close()
		return nil, err
	}
	s := &system{source: cacheSource{c}, ix: ix, close: func() { c.Close() }}
	s.sys = &policy.System{Source: s.source, Arch: nativeArch(cfg)}
	for _, n := range ix.names() {
		in, err := installedOf(ix[n], holds[n])
		if err != nil {
			c.Close()
			return nil, err
		}
		s.sys.Installed = append(s.sys.Installed, in)
	}
	return s, nil
}

func installedOf(p *db.InstalledPackage, held bool) (policy.Installed, error) {
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

// holdsKey is the meta key under which held package names are stored,
// space-separated and sorted.
const holdsKey = "held"

// readHolds returns the held package names; none without a database.
func readHolds(e *env) (map[string]bool, error) {
	d, err := db.OpenReadOnly(e.g.root)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer d.Close()
	v, err := d.Meta(holdsKey)
	if errors.Is(err, db.ErrNotFound) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, n := range strings.Fields(v) {
		out[n] = true
	}
	return out, nil
}

func joinHolds(h map[string]bool) string {
	var names []string
	for n, ok := range h {
		if ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}
