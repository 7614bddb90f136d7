package main

import (
	"aim/install"
	"errors"
	"io/fs"
	"sort"
	"strings"

	"aim/db"
	"aim/deb"
	"aim/policy"
	"aim/repo"
	"aim/resolver"
)

// cacheSource is the engine's policy source over the cache, with what
// the summary printer needs on top.
type cacheSource struct {
	install.CacheSource
}

// paragraph returns the control paragraph of a plan's package: from the
// cache, or as installed.
func (s cacheSource) paragraph(p *resolver.Package, ix installedIndex) *deb.Paragraph {
	if a, ok := p.Ref.(repo.Available); ok {
		if para, err := s.Cache.Paragraph(a); err == nil {
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
	s := &system{source: cacheSource{install.CacheSource{Cache: c}}, ix: ix, close: func() { c.Close() }}
	s.sys = &policy.System{Source: s.source, Arch: nativeArch(cfg)}
	for _, n := range ix.names() {
		in, err := install.InstalledOf(ix[n], holds[n])
		if err != nil {
			c.Close()
			return nil, err
		}
		s.sys.Installed = append(s.sys.Installed, in)
	}
	return s, nil
}

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
	v, err := d.Meta(install.HoldsKey)
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
