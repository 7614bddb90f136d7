package repo

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"aim/deb"
	"aim/deb/rootfs"
)

// CacheSource describes one index that fed the available-package cache:
// which source it came from and what its Release said.
type CacheSource struct {
	// Name is the source's name (see sources.Source) and URI its base URI; Dist
	// and Component say which index of the source this is.
	Name      string `json:"name"`
	URI       string `json:"uri"`
	Dist      string `json:"dist"`
	Component string `json:"component,omitempty"`
	Arch      string `json:"arch,omitempty"`
	// Priority orders sources for candidate choice: higher wins.
	Priority int `json:"priority"`
	// Origin, Label, Suite and Codename are copied from the Release.
	Origin   string `json:"origin,omitempty"`
	Label    string `json:"label,omitempty"`
	Suite    string `json:"suite,omitempty"`
	Codename string `json:"codename,omitempty"`
}

// CacheBuilder collects the Packages indexes of every source and writes
// the available-package cache file that commands read afterwards.
type CacheBuilder struct {
	sources []CacheSource
	pkgs    []*buildPkg
	byKey   map[string]*buildPkg
	blob    []byte // every string the records point at
	prov    []buildProvide
}

type buildPkg struct {
	name, version, arch string
	ver                 deb.Version
	rec                 [recordWords]uint32
	origins             []uint32
}

type buildProvide struct {
	name string
	pkg  *buildPkg
	row  [provideWords]uint32
}

// NewCacheBuilder returns an empty builder.
func NewCacheBuilder() *CacheBuilder {
	return &CacheBuilder{byKey: map[string]*buildPkg{}}
}

// AddIndex reads a Packages index that came from src. A package already
// added with the same name, version, architecture and SHA256 is merged:
// it is listed once, with both sources. Different versions coexist. An
// index paragraph without Package, Version or Architecture, or with a
// malformed Version or Provides, is an error naming its line.
func (b *CacheBuilder) AddIndex(src CacheSource, r io.Reader) error {
	idx := uint32(len(b.sources))
	b.sources = append(b.sources, src)
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && cap(b.blob)-len(b.blob) < int(st.Size())*5/4 {
			b.blob = append(make([]byte, 0, len(b.blob)+int(st.Size())*5/4), b.blob...)
		}
	}
	pr := deb.NewParagraphReader(r)
	for {
		p, err := pr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := b.add(idx, p); err != nil {
			return fmt.Errorf("line %d: %w", p.Line, err)
		}
	}
}

func (b *CacheBuilder) add(src uint32, p *deb.Paragraph) error {
	id := deb.IdentityOf(p)
	name, version, arch := id.Package, id.Version, id.Architecture
	if name == "" || version == "" || arch == "" {
		return fmt.Errorf("paragraph lacks Package, Version or Architecture")
	}
	v, err := deb.ParseVersionLax(version)
	if err != nil {
		return err
	}
	key := name + "\x00" + version + "\x00" + arch + "\x00" + p.Get("SHA256")
	if old := b.byKey[key]; old != nil {
		old.origins = append(old.origins, src)
		return nil
	}
	bp := &buildPkg{name: name, version: version, arch: arch, ver: v, origins: []uint32{src}}
	section := p.Get("Section")
	b.put(&bp.rec, rName, name)
	b.put(&bp.rec, rVersion, version)
	b.put(&bp.rec, rArch, arch)
	b.put(&bp.rec, rSection, section)
	start := len(b.blob)
	b.blob = p.AppendText(b.blob)
	bp.rec[rPara], bp.rec[rPara+1] = uint32(start), uint32(len(b.blob)-start)
	start = len(b.blob)
	b.blob = appendLower(appendLower(b.blob, name), "\n"+p.Get("Description"))
	bp.rec[rSearch], bp.rec[rSearch+1] = uint32(start), uint32(len(b.blob)-start)
	if deb.IsUserSection(section) {
		bp.rec[rFlags] |= flagUser
	}
	if pv := p.Get("Provides"); pv != "" {
		if err := b.addProvides(bp, pv); err != nil {
			return err
		}
	}
	if len(b.blob) > 1<<32-1 {
		return fmt.Errorf("more package data than a cache holds")
	}
	b.byKey[key] = bp
	b.pkgs = append(b.pkgs, bp)
	return nil
}

func (b *CacheBuilder) addProvides(bp *buildPkg, value string) error {
	rels, err := deb.ParseRelationField("Provides", value)
	if err != nil {
		return err
	}
	for _, alt := range rels {
		bv := buildProvide{name: alt[0].Name, pkg: bp}
		b.putProvide(&bv.row, 0, alt[0].Name)
		if alt[0].Op == deb.OpEQ {
			b.putProvide(&bv.row, 3, alt[0].Version.String())
		}
		b.prov = append(b.prov, bv)
	}
	return nil
}

func (b *CacheBuilder) put(rec *[recordWords]uint32, at int, s string) {
	rec[at], rec[at+1] = uint32(len(b.blob)), uint32(len(s))
	b.blob = append(b.blob, s...)
}

func (b *CacheBuilder) putProvide(row *[provideWords]uint32, at int, s string) {
	row[at], row[at+1] = uint32(len(b.blob)), uint32(len(s))
	b.blob = append(b.blob, s...)
}

// appendLower appends s to b with ASCII letters in lower case.
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// Cache file layout (all integers little-endian):
//
//	header   magic "AIMPKC01", then u64 pairs (offset, count) for records,
//	         provides, origins and the JSON source list, padded to 128 bytes
//	blob     every string, each record's paragraph text and search text
//	records  recordWords u32 each, sorted by name, then version (highest
//	         first), then architecture
//	provides provideWords u32 each, sorted by provided name
//	origins  u32 source indexes, referenced by records
//	sources  JSON array of CacheSource
const (
	cacheMagic   = "AIMPKC01"
	headerSize   = 128
	recordWords  = 15
	provideWords = 5
	flagUser     = 1
)

// record word indexes: (offset, length) pairs into the blob, then the
// origins (offset into the origins array, count) and flags.
const (
	rName = iota * 2
	rVersion
	rArch
	rPara
	rSearch
	rSection
	rOrigins
	rFlags = 14
)

// WriteFile writes the cache atomically to path, with mode 0600, so a
// reader sees the old cache or the new one, never half.
func (b *CacheBuilder) WriteFile(path string) error {
	if err := rootfs.WriteFileFunc(path, 0o600, b.encode); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	return nil
}

func (b *CacheBuilder) sort() {
	sort.SliceStable(b.pkgs, func(i, j int) bool {
		x, y := b.pkgs[i], b.pkgs[j]
		if x.name != y.name {
			return x.name < y.name
		}
		if c := deb.CompareVersions(x.ver, y.ver); c != 0 {
			return c > 0
		}
		return x.arch < y.arch
	})
	sort.SliceStable(b.prov, func(i, j int) bool { return b.prov[i].name < b.prov[j].name })
}

// encode writes the cache file's bytes to w.
func (b *CacheBuilder) encode(w io.Writer) error {
	b.sort()
	index := make(map[*buildPkg]uint32, len(b.pkgs))
	var origins []uint32
	records := make([]uint32, 0, len(b.pkgs)*recordWords)
	for i, p := range b.pkgs {
		index[p] = uint32(i)
		p.rec[rOrigins], p.rec[rOrigins+1] = uint32(len(origins)), uint32(len(p.origins))
		origins = append(origins, p.origins...)
		records = append(records, p.rec[:]...)
	}
	provides := make([]uint32, 0, len(b.prov)*provideWords)
	for _, pv := range b.prov {
		pv.row[2] = index[pv.pkg]
		provides = append(provides, pv.row[:]...)
	}
	srcJSON, err := json.Marshal(b.sources)
	if err != nil {
		return err
	}
	header := make([]byte, headerSize)
	copy(header, cacheMagic)
	off := uint64(headerSize + len(b.blob))
	for slot, sec := range []struct{ n, size int }{
		{len(records) / recordWords, 4 * len(records)},
		{len(provides) / provideWords, 4 * len(provides)},
		{len(origins), 4 * len(origins)},
		{len(srcJSON), len(srcJSON)},
	} {
		binary.LittleEndian.PutUint64(header[8+slot*16:], off)
		binary.LittleEndian.PutUint64(header[16+slot*16:], uint64(sec.n))
		off += uint64(sec.size)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.Write(header)
	bw.Write(b.blob)
	for _, words := range [][]uint32{records, provides, origins} {
		for _, x := range words {
			bw.Write(binary.LittleEndian.AppendUint32(header[:0], x))
		}
	}
	bw.Write(srcJSON)
	return bw.Flush()
}
