package publish

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"aim/deb"
	"aim/deb/rootfs"
)

// PoolPackage is one package of a repository's dist, as its package
// database records it.
type PoolPackage struct {
	Dist, Component             string
	Name, Version, Architecture string
	Section                     string
	// Filename is the pool path relative to the repository's top.
	Filename string
	Size     int64
	MD5      string
	SHA256   string
	// Control is the paragraph the Packages index lists: the package's
	// control fields, then Filename, Size, MD5sum and SHA256.
	Control *deb.Paragraph
}

// poolPackage describes the paragraph p of dist and component.
func poolPackage(dist, component string, p *deb.Paragraph) PoolPackage {
	id := deb.IdentityOf(p)
	size, _ := strconv.ParseInt(p.Get("Size"), 10, 64)
	return PoolPackage{
		Dist: dist, Component: component,
		Name: id.Package, Version: id.Version, Architecture: id.Architecture,
		Section: p.Get("Section"), Filename: p.Get("Filename"), Size: size,
		MD5: p.Get("MD5sum"), SHA256: p.Get("SHA256"), Control: p,
	}
}

// distState is the package database of one dist: for every component the
// Packages paragraphs of its packages, sorted.
type distState struct {
	dist  string
	comps map[string][]*deb.Paragraph
	dirty map[string]bool
	// byKey finds a package by name, version and architecture; built on
	// first use, kept up to date by add and dropped by remove.
	byKey  map[deb.Identity]*deb.Paragraph
	compOf map[*deb.Paragraph]string
}

// loadState reads the package database of dist. A component with no file
// has no packages.
func (r *Repo) loadState(dist string) (*distState, error) {
	return r.loadStateIn(filepath.Join(r.Dir, StateDir), dist)
}

// loadStateIn reads the packages of dist from the package set kept in
// base (see setFile).
func (r *Repo) loadStateIn(base, dist string) (*distState, error) {
	st := &distState{dist: dist, comps: map[string][]*deb.Paragraph{}, dirty: map[string]bool{}}
	for _, c := range r.Settings.Components {
		path := setFile(base, dist, c)
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		paras, err := parseSetFile(path, data)
		if err != nil {
			return nil, err
		}
		st.comps[c] = paras
	}
	return st, nil
}

// parseSetFile parses the package records of one component read from
// path, refusing an incomplete one.
func parseSetFile(path string, data []byte) ([]*deb.Paragraph, error) {
	paras, err := deb.ParseParagraphs(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, p := range paras {
		if deb.IdentityOf(p).Package == "" || p.Get("Filename") == "" || len(p.Get("SHA256")) != 64 {
			return nil, fmt.Errorf("%s: paragraph %d: incomplete package record", path, i+1)
		}
	}
	return paras, nil
}

// save writes the components whose packages changed, each atomically.
func (st *distState) save(r *Repo) error {
	for c := range st.dirty {
		path := r.stateFile(st.dist, c)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		sortParagraphs(st.comps[c])
		var b bytes.Buffer
		if err := deb.WriteParagraphs(&b, st.comps[c]); err != nil {
			return err
		}
		if err := rootfs.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	st.dirty = map[string]bool{}
	return nil
}

// packages returns every package of the dist, by component then in index
// order.
func (st *distState) packages(components []string) []PoolPackage {
	var out []PoolPackage
	for _, c := range components {
		for _, p := range st.comps[c] {
			out = append(out, poolPackage(st.dist, c, p))
		}
	}
	return out
}

// find returns the component and paragraph of the package id names, or
// nil.
func (st *distState) find(id deb.Identity) (string, *deb.Paragraph) {
	if st.byKey == nil {
		st.byKey, st.compOf = map[deb.Identity]*deb.Paragraph{}, map[*deb.Paragraph]string{}
		for c, paras := range st.comps {
			for _, p := range paras {
				st.byKey[deb.IdentityOf(p)], st.compOf[p] = p, c
			}
		}
	}
	p := st.byKey[id]
	return st.compOf[p], p
}

// add records p in component c, replacing nothing (the caller checked
// for duplicates).
func (st *distState) add(c string, p *deb.Paragraph) {
	st.comps[c] = append(st.comps[c], p)
	st.dirty[c] = true
	if st.byKey != nil {
		st.byKey[deb.IdentityOf(p)], st.compOf[p] = p, c
	}
}

// remove deletes the packages called name (of version version, when not
// empty) and returns them.
func (st *distState) remove(name, version string) []PoolPackage {
	var gone []PoolPackage
	st.byKey, st.compOf = nil, nil
	for c, paras := range st.comps {
		kept := paras[:0]
		for _, p := range paras {
			if id := deb.IdentityOf(p); id.Package == name && (version == "" || id.Version == version) {
				gone = append(gone, poolPackage(st.dist, c, p))
				st.dirty[c] = true
				continue
			}
			kept = append(kept, p)
		}
		st.comps[c] = kept
	}
	return gone
}

// sortParagraphs orders a Packages index: by name, then version, newest
// first, then architecture, so that equal databases give equal indexes.
func sortParagraphs(paras []*deb.Paragraph) {
	type sortKey struct {
		name, arch string
		v          deb.Version
		raw        string
	}
	keys := make(map[*deb.Paragraph]sortKey, len(paras))
	for _, p := range paras {
		id := deb.IdentityOf(p)
		v, _ := deb.ParseVersionLax(id.Version)
		keys[p] = sortKey{id.Package, id.Architecture, v, id.Version}
	}
	sort.SliceStable(paras, func(i, j int) bool {
		a, b := keys[paras[i]], keys[paras[j]]
		if a.name != b.name {
			return a.name < b.name
		}
		if c := deb.CompareVersions(a.v, b.v); c != 0 {
			return c > 0
		}
		if a.raw != b.raw {
			return a.raw < b.raw
		}
		return a.arch < b.arch
	})
}

// Packages returns every package of dist (the default dist when empty),
// by component then in index order.
func (r *Repo) Packages(dist string) ([]PoolPackage, error) {
	d, err := r.dist(dist)
	if err != nil {
		return nil, err
	}
	st, err := r.loadState(d)
	if err != nil {
		return nil, err
	}
	return st.packages(r.Settings.Components), nil
}

// referencedPool returns the pool files every dist's database, every
// snapshot and every recorded published set names: a snapshot can be
// published and a rollback done without the package files again.
func (r *Repo) referencedPool() (map[string]bool, error) {
	refs := map[string]bool{}
	bases, err := r.packageSets()
	if err != nil {
		return nil, err
	}
	// Sets often hold the same bytes (the live set and the one last
	// published): each text is parsed once.
	seen := map[string]bool{}
	for _, base := range bases {
		for _, d := range r.Settings.Dists {
			for _, c := range r.Settings.Components {
				path := setFile(base, d, c)
				data, err := os.ReadFile(path)
				if errors.Is(err, os.ErrNotExist) || err == nil && seen[string(data)] {
					continue
				}
				if err != nil {
					return nil, err
				}
				seen[string(data)] = true
				paras, err := parseSetFile(path, data)
				if err != nil {
					return nil, err
				}
				for _, p := range paras {
					refs[p.Get("Filename")] = true
				}
			}
		}
	}
	return refs, nil
}

// poolDir returns the pool directory of a package: pool/COMPONENT/ then
// the first letter of its source (the first four for lib*), then the
// source, as Debian's archive lays it out.
func poolDir(component, source string) string {
	prefix := source[:1]
	if strings.HasPrefix(source, "lib") && len(source) > 3 {
		prefix = source[:4]
	}
	return "pool/" + component + "/" + prefix + "/" + source
}

// debFileName is the pool file name of a package: NAME_VERSION_ARCH.deb
// with the version's epoch left out, as dpkg-name writes it.
func debFileName(name, version, arch string) string {
	if _, v, ok := strings.Cut(version, ":"); ok {
		version = v
	}
	return name + "_" + version + "_" + arch + ".deb"
}
