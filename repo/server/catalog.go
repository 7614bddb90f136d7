package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"aim/deb"
	"aim/repo"
	"aim/repo/publish"
)

// Control fields that carry a package's tags (written XB-Aim-Tags and
// XB-Aim-Conflict-Tags in debian/control).
const (
	TagsField         = "Aim-Tags"
	ConflictTagsField = "Aim-Conflict-Tags"
)

// catalog is an immutable snapshot of what the repository publishes: its
// settings and, for every dist, the user packages of its Packages
// indexes. It is rebuilt when a Release file changes and swapped in
// whole, so a request sees one published release.
type catalog struct {
	settings publish.Settings
	dists    map[string]*distCatalog
	// stamp identifies the files the snapshot was read from.
	stamp string
}

// distCatalog is one dist of a catalog.
type distCatalog struct {
	name string
	// archs are the architectures the dist's Release indexes.
	archs []string
	// byName holds every user package that is not hidden, by name.
	byName map[string][]*pkg
	names  []string
	// custom are the categories that are not maemo's, sorted by id.
	custom []deb.Category
}

// pkg is one build of a user package as the Packages index lists it.
type pkg struct {
	name, version, arch, component string
	v                              deb.Version
	filename, sha256               string
	size, installedKB              int64
	para                           *deb.Paragraph
	category                       deb.Category
	tags, conflicts                []Tag
	// text is what q= searches, lower-cased.
	text string
}

// dist returns the dist named d, or the first dist when d is empty.
func (c *catalog) dist(d string) (*distCatalog, bool) {
	if d == "" && len(c.settings.Dists) > 0 {
		d = c.settings.Dists[0]
	}
	dc, ok := c.dists[d]
	return dc, ok
}

// loadCatalog reads the settings and every dist's Release and Packages
// indexes below dir. A dist not yet published is empty. An index whose
// hash is not the one its Release names (a publish is in progress) is
// read from its by-hash copy instead, so the snapshot is the release the
// Release file describes.
func loadCatalog(dir string) (*catalog, error) {
	stamp, err := catalogStamp(dir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, publish.ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("read repository settings: %w", err)
	}
	s, err := publish.ParseSettings(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", publish.ConfigFile, err)
	}
	c := &catalog{settings: *s, dists: map[string]*distCatalog{}, stamp: stamp}
	for _, d := range s.Dists {
		dc, err := loadDist(dir, releaseDir(s, d), d, s.Components)
		if err != nil {
			return nil, fmt.Errorf("dist %s: %w", d, err)
		}
		c.dists[d] = dc
	}
	return c, nil
}

// releaseDir is the directory of dist's Release below the repository's
// top ("" for a flat repository).
func releaseDir(s *publish.Settings, dist string) string {
	if s.Flat {
		return ""
	}
	return "dists/" + dist
}

// catalogStamp identifies the settings file and every Release and
// InRelease below dir by size, time and inode: when it changes, the
// repository was published again.
func catalogStamp(dir string) (string, error) {
	var b strings.Builder
	files := []string{publish.ConfigFile, "Release", "InRelease"}
	if dists, err := os.ReadDir(filepath.Join(dir, "dists")); err == nil {
		for _, d := range dists {
			if !d.IsDir() {
				continue
			}
			files = append(files, "dists/"+d.Name()+"/Release", "dists/"+d.Name()+"/InRelease")
		}
	}
	for _, f := range files {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("stat %s: %w", f, err)
		}
		var ino uint64
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			ino = st.Ino
		}
		fmt.Fprintf(&b, "%s %d %d %d\n", f, fi.Size(), fi.ModTime().UnixNano(), ino)
	}
	return b.String(), nil
}

func loadDist(dir, rdir, name string, components []string) (*distCatalog, error) {
	dc := &distCatalog{name: name, byName: map[string][]*pkg{}}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path.Join(rdir, "Release"))))
	if errors.Is(err, fs.ErrNotExist) {
		return dc, nil
	}
	if err != nil {
		return nil, err
	}
	rel, err := repo.ParseRelease(data)
	if err != nil {
		return nil, err
	}
	dc.archs = rel.Architectures
	seen := map[string]bool{}
	for _, f := range rel.Files {
		if path.Base(f.Path) != "Packages" {
			continue
		}
		comp := components[0]
		if i := strings.IndexByte(f.Path, '/'); i > 0 {
			comp = f.Path[:i]
		}
		text, err := readIndex(dir, rdir, f)
		if err != nil {
			return nil, err
		}
		paras, err := deb.ParseParagraphs(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		for _, p := range paras {
			if e := newPkg(comp, p); e != nil && !seen[e.key()] {
				seen[e.key()] = true
				dc.byName[e.name] = append(dc.byName[e.name], e)
			}
		}
	}
	dc.index()
	return dc, nil
}

// readIndex reads the index f of the Release in rdir and checks its
// SHA256, falling back to its by-hash copy.
func readIndex(dir, rdir string, f repo.ReleaseFile) ([]byte, error) {
	tries := []string{f.Path, path.Join(path.Dir(f.Path), "by-hash/SHA256", f.SHA256)}
	for _, p := range tries {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path.Join(rdir, p))))
		if err != nil {
			continue
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) == f.SHA256 {
			return data, nil
		}
	}
	return nil, fmt.Errorf("%s: no copy with the SHA256 its Release names", f.Path)
}

// newPkg describes the paragraph p of component comp, or returns nil for
// a package the feed does not list: not a user package, hidden, or with
// malformed fields or tags.
func newPkg(comp string, p *deb.Paragraph) *pkg {
	cat, ok := deb.SectionCategory(p.Get("Section"))
	if !ok || !deb.VisibleSection(p.Get("Section"), false) {
		return nil
	}
	id := deb.IdentityOf(p)
	v, err := deb.ParseVersionLax(id.Version)
	if err != nil || id.Package == "" || p.Get("Filename") == "" {
		return nil
	}
	tags, err := ParseTags(p.Get(TagsField))
	if err != nil {
		return nil
	}
	conflicts, err := ParseTags(p.Get(ConflictTagsField))
	if err != nil {
		return nil
	}
	size, _ := strconv.ParseInt(p.Get("Size"), 10, 64)
	isize, _ := strconv.ParseInt(p.Get("Installed-Size"), 10, 64)
	e := &pkg{
		name: id.Package, version: id.Version, arch: id.Architecture, component: comp,
		v: v, filename: p.Get("Filename"), sha256: p.Get("SHA256"), size: size, installedKB: isize,
		para: p, category: cat, tags: tags, conflicts: conflicts,
	}
	e.text = strings.ToLower(strings.Join([]string{e.name, e.displayName(), p.Get("Description")}, "\n"))
	return e
}

func (e *pkg) key() string { return e.name + "\x00" + e.version + "\x00" + e.arch }

// displayName is Maemo-Display-Name, else the package name.
func (e *pkg) displayName() string {
	if n := strings.TrimSpace(e.para.Get("Maemo-Display-Name")); n != "" {
		return deb.DisplayString(n)
	}
	return e.name
}

// index sorts the names and collects the custom categories.
func (dc *distCatalog) index() {
	custom := map[string]deb.Category{}
	for n, builds := range dc.byName {
		dc.names = append(dc.names, n)
		for _, b := range builds {
			if !b.category.Predefined {
				custom[b.category.ID] = b.category
			}
		}
	}
	slices.Sort(dc.names)
	for _, c := range custom {
		dc.custom = append(dc.custom, c)
	}
	slices.SortFunc(dc.custom, func(a, b deb.Category) int { return strings.Compare(a.ID, b.ID) })
}

// filter is what a feed request asks for.
type filter struct {
	arch string
	// tagged is true when the request names tags (even none): only then
	// are packages filtered by their tags.
	tagged   bool
	tags     []Tag
	category string
	query    string
}

// matches reports whether the build e passes f.
func (f *filter) matches(e *pkg) bool {
	if f.arch != "" && e.arch != f.arch && e.arch != "all" {
		return false
	}
	if f.category != "" && !strings.EqualFold(e.category.ID, f.category) {
		return false
	}
	if f.query != "" && !strings.Contains(e.text, f.query) {
		return false
	}
	return !f.tagged || Fits(f.tags, e.tags, e.conflicts)
}

// pick returns the build of name that f selects: among the builds that
// pass f, the native architecture before all (when f names one), then the
// highest version, then by architecture and component names; nil when no
// build passes.
func (dc *distCatalog) pick(name string, f *filter) *pkg {
	var best *pkg
	for _, e := range dc.byName[name] {
		if f.matches(e) && (best == nil || f.better(e, best)) {
			best = e
		}
	}
	return best
}

// better reports whether a is preferred over b.
func (f *filter) better(a, b *pkg) bool {
	if f.arch != "" && (a.arch == "all") != (b.arch == "all") {
		return b.arch == "all"
	}
	if c := deb.CompareVersions(a.v, b.v); c != 0 {
		return c > 0
	}
	if a.version != b.version {
		return a.version > b.version
	}
	if (a.arch == "all") != (b.arch == "all") {
		return b.arch == "all"
	}
	if a.arch != b.arch {
		return a.arch < b.arch
	}
	return a.component < b.component
}

// apps returns one build per app that f selects, by name.
func (dc *distCatalog) apps(f *filter) []*pkg {
	var out []*pkg
	for _, n := range dc.names {
		if e := dc.pick(n, f); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// hasArch reports whether the dist has an index for arch.
func (dc *distCatalog) hasArch(arch string) bool { return slices.Contains(dc.archs, arch) }

// icon returns the PNG of e's Maemo-Icon-26 field.
func (e *pkg) icon() ([]byte, error) { return deb.Icon(e.para) }

// hasIcon reports whether e declares an icon (not whether it decodes).
func (e *pkg) hasIcon() bool { return len(bytes.TrimSpace([]byte(e.para.Get(deb.IconField)))) > 0 }
