package install

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"aim/db"
	"aim/deb"
	"aim/policy"
	"aim/repo"
	"aim/resolver"
)

// This file loads what a decision is made on: the available packages
// (the cache, plus local archives), the installed packages (aim's and
// dpkg's) and the holds. Both doors (the command line and the D-Bus
// service) get it from an Installer; nothing else builds one.

// HoldsKey is the database meta key that holds the names of held packages
// (aim mark hold), space-separated and sorted.
const HoldsKey = "held"

// ErrNoLists is wrapped by the error LoadSystem gives for a root whose
// package lists were never fetched (aim update never ran) when the
// request needs them.
var ErrNoLists = errors.New("no package lists")

// System is the state of a root as policy decides on it. Close releases
// the cache.
type System struct {
	// Policy is what policy decides on.
	Policy *policy.System
	// Cache is the available-package cache; nil without package lists.
	Cache *repo.Cache
	// Installed holds the installed packages by key (see Key: NAME, or
	// NAME:ARCH for a foreign architecture's instance): aim's, and dpkg's
	// (FromDpkg) where aim has none of that key.
	Installed map[string]*db.InstalledPackage
	// Holds names the held packages.
	Holds map[string]bool
}

// Close releases the cache.
func (s *System) Close() {
	if s.Cache != nil {
		s.Cache.Close()
		s.Cache = nil
	}
}

// Names returns the installed packages' keys in order.
func (s *System) Names() []string { return sortedNames(s.Installed) }

// Lookup returns the installed package a request names: by its key
// (NAME or NAME:ARCH), else, for a bare NAME, the only instance of that
// name (a foreign package installed for one architecture); nil when none
// or several match.
func (s *System) Lookup(n string) *db.InstalledPackage {
	if in := s.Installed[n]; in != nil {
		return in
	}
	if _, arch := SplitKey(n); arch != "" {
		return nil
	}
	var found *db.InstalledPackage
	for k, in := range s.Installed {
		if name, _ := SplitKey(k); name == n {
			if found != nil {
				return nil
			}
			found = in
		}
	}
	return found
}

func sortedNames(m map[string]*db.InstalledPackage) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// loadSystem reads root's cache, installed packages and holds (d may be
// nil: no database yet) and offers locals beside the cache. Without
// package lists it fails with an error wrapping ErrNoLists when
// needLists is set and no locals are given; otherwise the system then
// offers only the locals.
func loadSystem(root, arch string, foreign []string, d *db.DB, needLists bool, locals []LocalArchive) (*System, error) {
	s := &System{}
	c, err := repo.OpenCache(filepath.Join(root, repo.CacheFile))
	switch {
	case err == nil:
		s.Cache = c
	case errors.Is(err, repo.ErrNoCache) && (len(locals) > 0 || !needLists):
	case errors.Is(err, repo.ErrNoCache):
		return nil, fmt.Errorf("%w under %s yet: run aim update", ErrNoLists, root)
	default:
		return nil, err
	}
	if s.Installed, err = LoadInstalled(root, arch, d); err == nil {
		s.Holds, err = Holds(d)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	var src policy.Source = EmptySource{}
	if s.Cache != nil {
		src = CacheSource{Cache: s.Cache}
	}
	if len(locals) > 0 {
		src = LocalSource{Base: src, Locals: locals}
	}
	s.Policy = &policy.System{Source: src, Arch: arch, Foreign: foreign}
	for _, n := range s.Names() {
		name, _ := SplitKey(n)
		in, err := InstalledOf(s.Installed[n], s.Holds[name])
		if err != nil {
			s.Close()
			return nil, err
		}
		s.Policy.Installed = append(s.Policy.Installed, in)
	}
	return s, nil
}

// LoadInstalled returns what is installed below root by key (see Key,
// with native the native architecture): dpkg's packages (when
// var/lib/dpkg/status exists), then aim's from d (nil when there is no
// database), which win over dpkg's of the same key.
func LoadInstalled(root, native string, d *db.DB) (map[string]*db.InstalledPackage, error) {
	out := map[string]*db.InstalledPackage{}
	dpkg, err := db.ReadDpkgStatus(root)
	if err != nil {
		return nil, err
	}
	for i := range dpkg {
		out[Key(dpkg[i].Name, dpkg[i].Architecture, native)] = &dpkg[i]
	}
	if d == nil {
		return out, nil
	}
	pkgs, err := d.InstalledPackages()
	if err != nil {
		return nil, err
	}
	pending, err := PendingState(d)
	if err != nil {
		return nil, err
	}
	for i := range pkgs {
		k := Key(pkgs[i].Name, pkgs[i].Architecture, native)
		pkgs[i].DpkgState = pending[k]
		out[k] = &pkgs[i]
	}
	return out, nil
}

// OpenReader opens root's database read-only; it returns nil and no
// error when the root has no database yet.
func OpenReader(root string) (*db.DB, error) {
	d, err := db.OpenReadOnly(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return d, err
}

// OpenInstalledReader is OpenReader for callers that read only the
// installed packages, their pending states and the packages left in the
// config-files state (LoadInstalled, PendingState, ConfigFilesPackages):
// it also returns nil, without opening SQLite, when the database is
// known to hold no installed package and no transaction state
// (db.NothingInstalled).
func OpenInstalledReader(root string) (*db.DB, error) {
	if db.NothingInstalled(root) {
		return nil, nil
	}
	return OpenReader(root)
}

// OpenInstalledReaderOf is OpenInstalledReader for callers that look only
// at the installed packages called names (of any architecture) and their
// pending states, never at packages in the config-files state: it also
// returns nil, without opening SQLite, when the database is known to hold
// none of them (db.InstalledNames). Given nil, LoadInstalled returns
// dpkg's packages only, which is then all that is installed under those
// names.
func OpenInstalledReaderOf(root string, names []string) (*db.DB, error) {
	if installed, ok := db.InstalledNames(root); ok && !anyOf(installed, names) {
		return nil, nil
	}
	return OpenInstalledReader(root)
}

// anyOf reports whether set holds any of names.
func anyOf(set map[string]bool, names []string) bool {
	for _, n := range names {
		if set[n] {
			return true
		}
	}
	return false
}

// Holds returns the held package names stored in d; none when d is nil.
func Holds(d *db.DB) (map[string]bool, error) {
	out := map[string]bool{}
	if d == nil {
		return out, nil
	}
	return out, readHolds(d, out)
}

func readHolds(r metaReader, into map[string]bool) error {
	v, err := r.Meta(HoldsKey)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, n := range strings.Fields(v) {
		into[n] = true
	}
	return nil
}

// SetHolds holds (hold true) or releases names in d's hold list, in one
// database transaction.
func SetHolds(d *db.DB, names []string, hold bool) error {
	return d.Update(func(tx *db.Tx) error {
		h := map[string]bool{}
		if err := readHolds(tx, h); err != nil {
			return err
		}
		for _, n := range names {
			h[n] = hold
		}
		var list []string
		for n, ok := range h {
			if ok {
				list = append(list, n)
			}
		}
		sort.Strings(list)
		return tx.SetMeta(HoldsKey, strings.Join(list, " "))
	})
}

// Candidate returns the version of name an install would pick from the
// cache: policy.Candidate's choice (the highest version among those of
// the highest-priority sources, for the native architecture or all). ok
// is false when none fits or there is no cache.
func (s *System) Candidate(name string) (repo.Available, bool) {
	if s.Cache == nil {
		return repo.Available{}, false
	}
	return Candidate(s.Cache, name, s.Policy.Arch)
}

// Candidate is System.Candidate over a cache and an architecture.
func Candidate(c *repo.Cache, name, arch string) (repo.Available, bool) {
	avail := c.Lookup(name)
	choices := make([]policy.Choice, len(avail))
	for i, a := range avail {
		v, _ := deb.ParseVersionLax(a.Version)
		choices[i] = policy.Choice{Version: v, Arch: a.Architecture, Priority: SourcePriority(c, a)}
	}
	i := policy.Candidate(choices, arch)
	if i < 0 {
		return repo.Available{}, false
	}
	return avail[i], true
}

// Paragraph returns the control paragraph of a plan's package: from the
// cache or the local archive it comes from, or as installed; an empty
// paragraph when none is known.
func (s *System) Paragraph(p *resolver.Package) *deb.Paragraph {
	switch ref := p.Ref.(type) {
	case repo.Available:
		if s.Cache != nil {
			if para, err := s.Cache.Paragraph(ref); err == nil {
				return para
			}
		}
	case LocalArchive:
		return ref.Control
	}
	if in := s.Installed[Key(p.Name, p.Arch, s.Policy.Arch)]; in != nil && in.Control != nil {
		return in.Control
	}
	return &deb.Paragraph{}
}

// sizeFields returns the Size and Installed-Size fields of p's paragraph
// (Paragraph's), reading no other field of a cached one.
func (s *System) sizeFields(p *resolver.Package) *deb.Paragraph {
	if ref, ok := p.Ref.(repo.Available); ok && s.Cache != nil {
		if para, err := s.Cache.ParagraphFields(ref, "Size", "Installed-Size"); err == nil {
			return para
		}
	}
	return s.Paragraph(p)
}

// sizes returns the bytes a plan downloads and the change in disk use,
// from the Size and Installed-Size (KiB) fields.
func (s *System) sizes(pl *resolver.Plan) (download, disk int64) {
	field := func(p *resolver.Package, name string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSpace(s.sizeFields(p).Get(name)), 10, 64)
		return n
	}
	for _, q := range pl.Install {
		if _, local := q.Ref.(LocalArchive); !local {
			download += field(q, "Size")
		}
		disk += field(q, "Installed-Size") * 1024
	}
	for _, c := range pl.Upgrade {
		if _, local := c.To.Ref.(LocalArchive); !local {
			download += field(c.To, "Size")
		}
		disk += (field(c.To, "Installed-Size") - field(c.From, "Installed-Size")) * 1024
	}
	for _, q := range pl.Remove {
		disk -= field(q, "Installed-Size") * 1024
	}
	return download, disk
}
