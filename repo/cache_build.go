package repo

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

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
//
// The blob of strings goes out as it is made: to a temporary file beside
// the cache when the builder came from NewCacheFileBuilder, so memory holds
// only the records, not the index text; to memory otherwise.
type CacheBuilder struct {
	sources []CacheSource
	pkgs    []*buildPkg
	byKey   map[string]*buildPkg
	blob    []byte // the blob's bytes not yet written out
	blobLen int    // the blob's length so far, written or not
	prov    []buildProvide
	spool   *rootfs.AtomicFile // the cache file being written, or nil
	err     error              // the first error writing the spool
}

// blobChunk is how much of the blob a file builder buffers before writing.
const blobChunk = 1 << 20

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

// NewCacheFileBuilder returns an empty builder that writes the cache to a
// temporary file in dir as it goes; WriteFile then finishes it and puts
// it in place (dir must be on the same filesystem as that path), and
// Abort removes it.
func NewCacheFileBuilder(dir string) (*CacheBuilder, error) {
	f, err := rootfs.CreateAtomic(dir)
	if err != nil {
		return nil, fmt.Errorf("write cache: %w", err)
	}
	if _, err := f.Write(make([]byte, headerSize)); err != nil {
		f.Abort()
		return nil, fmt.Errorf("write cache: %w", err)
	}
	b := NewCacheBuilder()
	b.spool = f
	b.blob = make([]byte, 0, blobChunk+64<<10)
	return b, nil
}

// Abort removes the temporary file of a builder from NewCacheFileBuilder
// that is not to be written. It is safe to call after WriteFile.
func (b *CacheBuilder) Abort() {
	if b.spool != nil {
		b.spool.Abort()
	}
}

// flushBlob writes the buffered blob to the spool once a chunk is full
// (or always when all is true).
func (b *CacheBuilder) flushBlob(all bool) {
	if b.spool == nil || (!all && len(b.blob) < blobChunk) {
		return
	}
	if b.err == nil {
		_, b.err = b.spool.Write(b.blob)
	}
	b.blob = b.blob[:0]
}

// AddIndex reads a Packages index that came from src. A package already
// added with the same name, version, architecture and SHA256 is merged:
// it is listed once, with both sources. Different versions coexist. An
// index paragraph without Package, Version or Architecture, or with a
// malformed Version or Provides, is an error naming its line.
func (b *CacheBuilder) AddIndex(src CacheSource, r io.Reader) error {
	idx := uint32(len(b.sources))
	b.sources = append(b.sources, src)
	if f, ok := r.(*os.File); ok && b.spool == nil {
		if st, err := f.Stat(); err == nil && cap(b.blob)-len(b.blob) < int(st.Size())*5/4 {
			b.blob = append(make([]byte, 0, len(b.blob)+int(st.Size())*5/4), b.blob...)
		}
	}
	// Parsing runs on a goroutine of its own, a batch of paragraphs ahead
	// of the records being made from them: two cores where there are two.
	batches := make(chan []*deb.Paragraph, 4)
	done := make(chan struct{})
	var readErr error
	go func() {
		defer close(batches)
		pr := deb.NewParagraphReader(r)
		batch := make([]*deb.Paragraph, 0, parseBatch)
		for {
			p, err := pr.Next()
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				break
			}
			if batch = append(batch, p); len(batch) == parseBatch {
				select {
				case batches <- batch:
				case <-done:
					return
				}
				batch = make([]*deb.Paragraph, 0, parseBatch)
			}
		}
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-done:
			}
		}
	}()
	defer func() {
		close(done)
		for range batches { // let the reader finish before returning
		}
	}()
	for batch := range batches {
		for _, p := range batch {
			if err := b.add(idx, p); err != nil {
				return fmt.Errorf("line %d: %w", p.Line, err)
			}
		}
	}
	if readErr != nil {
		return readErr
	}
	if b.err != nil {
		return fmt.Errorf("write cache: %w", b.err)
	}
	return nil
}

// parseBatch is how many paragraphs the parsing goroutine hands over at once.
const parseBatch = 256

func (b *CacheBuilder) add(src uint32, p *deb.Paragraph) error {
	id := deb.IdentityOf(p)
	name, version, arch := id.Package, id.Version, id.Architecture
	if name == "" || version == "" || arch == "" {
		return fmt.Errorf("paragraph lacks Package, Version or Architecture")
	}
	key := name + "\x00" + version + "\x00" + arch + "\x00" + p.Get("SHA256")
	if old := b.byKey[key]; old != nil {
		old.origins = append(old.origins, src)
		return nil
	}
	// The record keeps its strings in key: substrings of the paragraph
	// would keep the whole paragraph's text alive until the cache is written.
	name = key[:len(name)]
	version = key[len(name)+1 : len(name)+1+len(version)]
	arch = key[len(name)+len(version)+2 : len(name)+len(version)+2+len(arch)]
	v, err := deb.ParseVersionLax(version)
	if err != nil {
		return err
	}
	bp := &buildPkg{name: name, version: version, arch: arch, ver: v, origins: []uint32{src}}
	section := p.Get("Section")
	b.put(&bp.rec, rName, name)
	b.put(&bp.rec, rVersion, version)
	b.put(&bp.rec, rArch, arch)
	b.put(&bp.rec, rSection, section)
	start := len(b.blob)
	b.blob = p.AppendText(b.blob)
	b.setBlobField(&bp.rec, rPara, start)
	start = len(b.blob)
	b.blob = appendLower(appendLower(b.blob, name), "\n"+p.Get("Description"))
	b.setBlobField(&bp.rec, rSearch, start)
	if deb.IsUserSection(section) {
		bp.rec[rFlags] |= flagUser
	}
	if pv := p.Get("Provides"); pv != "" {
		if err := b.addProvides(bp, pv); err != nil {
			return err
		}
	}
	if b.blobLen > 1<<32-1 {
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
		bv := buildProvide{name: strings.Clone(alt[0].Name), pkg: bp}
		b.putProvide(&bv.row, 0, alt[0].Name)
		if alt[0].Op == deb.OpEQ {
			b.putProvide(&bv.row, 3, alt[0].Version.String())
		}
		b.prov = append(b.prov, bv)
	}
	return nil
}

// setBlobField records in rec[at], rec[at+1] the bytes appended to the
// blob buffer since start, and counts them into the blob.
func (b *CacheBuilder) setBlobField(rec *[recordWords]uint32, at, start int) {
	n := len(b.blob) - start
	rec[at], rec[at+1] = uint32(b.blobLen), uint32(n)
	b.blobLen += n
	b.flushBlob(false)
}

func (b *CacheBuilder) put(rec *[recordWords]uint32, at int, s string) {
	rec[at], rec[at+1] = uint32(b.blobLen), uint32(len(s))
	b.blob = append(b.blob, s...)
	b.blobLen += len(s)
}

func (b *CacheBuilder) putProvide(row *[provideWords]uint32, at int, s string) {
	row[at], row[at+1] = uint32(b.blobLen), uint32(len(s))
	b.blob = append(b.blob, s...)
	b.blobLen += len(s)
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
	var err error
	if b.spool == nil {
		err = rootfs.WriteFileFunc(path, 0o600, b.encode)
	} else {
		err = b.finishSpool(path)
	}
	if err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	return nil
}

// finishSpool writes what follows the blob, then the header at the start
// of the spool, and commits it to path.
func (b *CacheBuilder) finishSpool(path string) error {
	defer b.spool.Abort()
	b.flushBlob(true)
	if b.err != nil {
		return b.err
	}
	header, tail, err := b.sections()
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(b.spool, 1<<20)
	if err := tail(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if _, err := b.spool.WriteAt(header, 0); err != nil {
		return err
	}
	return b.spool.Commit(path, 0o600)
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

// encode writes the cache file's bytes to w (a builder that keeps its
// blob in memory).
func (b *CacheBuilder) encode(w io.Writer) error {
	header, tail, err := b.sections()
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.Write(header)
	bw.Write(b.blob)
	if err := tail(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// sections sorts the records and returns the file's header and a function
// writing what follows the blob: records, provides, origins and sources.
func (b *CacheBuilder) sections() ([]byte, func(*bufio.Writer) error, error) {
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
		return nil, nil, err
	}
	header := make([]byte, headerSize)
	copy(header, cacheMagic)
	off := uint64(headerSize + b.blobLen)
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
	tail := func(bw *bufio.Writer) error {
		var word [4]byte
		for _, words := range [][]uint32{records, provides, origins} {
			for _, x := range words {
				binary.LittleEndian.PutUint32(word[:], x)
				bw.Write(word[:])
			}
		}
		_, err := bw.Write(srcJSON)
		return err
	}
	return header, tail, nil
}
