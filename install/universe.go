package install

import (
	"fmt"

	"aim/db"
	"aim/deb"
	"aim/policy"
	"aim/repo"
	"aim/resolver"
)

// This file turns the root's state into what policy decides on: the
// available packages of the cache as a policy.Source, and the installed
// packages as policy.Installed. The command line and the D-Bus service
// both build their policy.System from it.

// HoldsKey is the database meta key that holds the names of held packages
// (aim mark hold), space-separated and sorted.
const HoldsKey = "held"

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

// Relations implements policy.Source, reading the package's paragraph
// from the cache.
func (s CacheSource) Relations(p *resolver.Package) (*resolver.Relations, error) {
	a, ok := p.Ref.(repo.Available)
	if !ok {
		return nil, fmt.Errorf("package %s is not from the cache", p.Name)
	}
	para, err := s.Cache.Paragraph(a)
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
