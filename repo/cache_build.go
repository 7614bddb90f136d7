package repo

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

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
	pkgs    []buildPkg         // in the order added
	ids     arena              // each record's identity, then its SHA256
	dedup   dedupTable         // finds a record by identity and SHA256
	extra   map[int32][]uint32 // further sources of a record, usually none
	blob    []byte             // the blob's bytes not yet written out
	blobLen int                // the blob's length so far, written or not
	prov    []buildProvide
	names   arena // the provided names
	// sectionNames lists the sections seen, sectionIndex finds one there.
	sectionNames []string
	sectionIndex map[string]uint32
	spool        *rootfs.AtomicFile // the cache file being written, or nil
	err          error              // the first error writing the spool
}

// blobChunk is how much of the blob a file builder buffers before writing.
const blobChunk = 256 << 10

// buildPkg is one record being built. It is a value in one slice, not an
// object of its own, and holds no pointers: its strings live in the
// builder's arena (name, version and architecture back to back), so 63,000 of them stay small and the garbage
// collector never scans them.
type buildPkg struct {
	rec    [recordWords]uint32
	origin uint32 // the first source listing it
	id     uint32 // where its identity starts in the arena
}

// idLen is the length of the record's arena entry.
func (p *buildPkg) idLen() uint32 {
	return p.rec[rName+1] + p.rec[rVersion+1] + p.rec[rArch+1]
}

// name, version and arch return the record's identity, held in the arena.
func (b *CacheBuilder) name(p *buildPkg) []byte { return b.ids.get(p.id, p.rec[rName+1]) }
func (b *CacheBuilder) version(p *buildPkg) []byte {
	return b.ids.get(p.id, p.idLen())[p.rec[rName+1]:][:p.rec[rVersion+1]]
}
func (b *CacheBuilder) arch(p *buildPkg) []byte {
	return b.ids.get(p.id, p.idLen())[p.rec[rName+1]+p.rec[rVersion+1]:][:p.rec[rArch+1]]
}

type buildProvide struct {
	name uint32 // where the provided name starts in names; row[1] is its length
	pkg  int32  // index in pkgs
	row  [provideWords]uint32
}

// NewCacheBuilder returns an empty builder.
func NewCacheBuilder() *CacheBuilder {
	return &CacheBuilder{dedup: newDedupTable()}
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
	b.blob = make([]byte, 0, blobChunk+16<<10)
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
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil {
			b.reserve(st.Size())
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

// reserve makes room for an index of size bytes: in the records (one
// for every 750 bytes or so, as in Debian's indexes) and the dedup table,
// so that they are not copied as they grow, and in the blob when it stays
// in memory.
func (b *CacheBuilder) reserve(size int64) {
	if size >= 1<<32 {
		return
	}
	n := len(b.pkgs) + int(size/750)
	if cap(b.pkgs) < n {
		b.pkgs = slices.Grow(b.pkgs, n-len(b.pkgs))
	}
	b.rehash(n)
	if b.spool == nil && cap(b.blob)-len(b.blob) < int(size)*5/4 {
		b.blob = slices.Grow(b.blob, int(size)*5/4)
	}
}

// parseBatch is how many paragraphs the parsing goroutine hands over at once.
const parseBatch = 64

func (b *CacheBuilder) add(src uint32, p *deb.Paragraph) error {
	name, version, arch := p.Get("Package"), p.Get("Version"), p.Get("Architecture")
	if name == "" || version == "" || arch == "" {
		return fmt.Errorf("paragraph lacks Package, Version or Architecture")
	}
	// The record keeps its identity in the arena: substrings of the
	// paragraph would keep the whole paragraph's text alive until the
	// cache is written.
	id, err := b.ids.grow(len(name) + len(version) + len(arch))
	if err != nil {
		return err
	}
	b.ids.appendString(name)
	b.ids.appendString(version)
	b.ids.appendString(arch)
	bp := buildPkg{origin: src, id: id}
	bp.rec[rName+1], bp.rec[rVersion+1], bp.rec[rArch+1] = uint32(len(name)), uint32(len(version)), uint32(len(arch))
	at := int32(len(b.pkgs))
	old, ok, err := b.lookup(&bp, p.Get("SHA256"))
	if err != nil {
		return err
	}
	if ok {
		b.ids.truncate(id)
		if b.extra == nil {
			b.extra = map[int32][]uint32{}
		}
		b.extra[old] = append(b.extra[old], src)
		return nil
	}
	if _, err := deb.ParseVersionLax(version); err != nil {
		return err
	}
	if len(b.pkgs) >= 1<<31-1 {
		return fmt.Errorf("more packages than a cache holds")
	}
	section := p.Get("Section")
	// The identity and section go to the blob when the cache is written,
	// in record order (see putIdentities); until then the section is an
	// index into the builder's list of sections.
	bp.rec[rSection], bp.rec[rSection+1] = b.internSection(section), uint32(len(section))
	start := len(b.blob)
	b.blob = p.AppendText(b.blob)
	b.setBlobField(&bp.rec, rPara, start)
	start = len(b.blob)
	b.blob = appendLower(append(appendLower(b.blob, name), '\n'), p.Get("Description"))
	b.setBlobField(&bp.rec, rSearch, start)
	if deb.IsUserSection(section) {
		bp.rec[rFlags] |= flagUser
	}
	if pv := p.Get("Provides"); pv != "" {
		if err := b.addProvides(at, pv); err != nil {
			return err
		}
	}
	if b.blobLen > 1<<32-1 {
		return fmt.Errorf("more package data than a cache holds")
	}
	b.pkgs = append(b.pkgs, bp)
	b.insert(at)
	return nil
}

func (b *CacheBuilder) addProvides(pkg int32, value string) error {
	rels, err := deb.ParseRelationField("Provides", value)
	if err != nil {
		return err
	}
	for _, alt := range rels {
		name, err := b.names.grow(len(alt[0].Name))
		if err != nil {
			return err
		}
		b.names.appendString(alt[0].Name)
		bv := buildProvide{name: name, pkg: pkg}
		bv.row[1] = uint32(len(alt[0].Name)) // the name goes to the blob in putIdentities
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

// internSection returns the index of section in the builder's list of
// the sections seen, adding it: Debian has a few hundred.
func (b *CacheBuilder) internSection(section string) uint32 {
	i, ok := b.sectionIndex[section]
	if !ok {
		i = uint32(len(b.sectionNames))
		if b.sectionIndex == nil {
			b.sectionIndex = map[string]uint32{}
		}
		b.sectionIndex[section] = i
		b.sectionNames = append(b.sectionNames, section)
	}
	return i
}

// putIdentities appends to the blob, after everything else, the names
// of the records in order, then their versions, architectures and
// sections, then the provided names in order: a lookup by name, a binary
// search, reads a few pages of names packed together rather than one page
// for each name it compares.
func (b *CacheBuilder) putIdentities(order []int32) {
	for _, from := range order {
		p := &b.pkgs[from]
		b.putBytes(&p.rec, rName, b.name(p))
	}
	for _, from := range order {
		p := &b.pkgs[from]
		b.putBytes(&p.rec, rVersion, b.version(p))
		b.putBytes(&p.rec, rArch, b.arch(p))
		b.put(&p.rec, rSection, b.sectionNames[p.rec[rSection]])
		b.flushBlob(false)
	}
	for i := range b.prov {
		pv := &b.prov[i]
		name := b.names.get(pv.name, pv.row[1])
		pv.row[0] = uint32(b.blobLen)
		b.blob = append(b.blob, name...)
		b.blobLen += len(name)
		b.flushBlob(false)
	}
}

// putBytes is put for a byte slice, flushing the blob when a chunk is full.
func (b *CacheBuilder) putBytes(rec *[recordWords]uint32, at int, s []byte) {
	rec[at], rec[at+1] = uint32(b.blobLen), uint32(len(s))
	b.blob = append(b.blob, s...)
	b.blobLen += len(s)
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
//	blob     every string, each record's paragraph text and search text;
//	         the builder puts the records' names last, packed in record
//	         order, then their versions, architectures and sections, then
//	         the provided names (readers find every string by offset, so
//	         this order is the builder's choice, not part of the format)
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
	header, tail, err := b.sections()
	if err != nil {
		return err
	}
	b.flushBlob(true)
	if b.err != nil {
		return b.err
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

// sort orders the records by name, then version (highest first), then
// architecture, each group in the order added, and the provides by name;
// it returns the indexes of pkgs in that order (pkgs itself stays as it is).
func (b *CacheBuilder) sort() []int32 {
	order := make([]int32, len(b.pkgs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(i, j int32) int {
		x, y := &b.pkgs[i], &b.pkgs[j]
		if c := bytes.Compare(b.name(x), b.name(y)); c != 0 {
			return c
		}
		// Versions were checked when added; parsed here only on a tie.
		xv, _ := deb.ParseVersionLax(string(b.version(x)))
		yv, _ := deb.ParseVersionLax(string(b.version(y)))
		if c := deb.CompareVersions(xv, yv); c != 0 {
			return -c
		}
		return bytes.Compare(b.arch(x), b.arch(y))
	})
	slices.SortStableFunc(b.prov, func(x, y buildProvide) int {
		return bytes.Compare(b.names.get(x.name, x.row[1]), b.names.get(y.name, y.row[1]))
	})
	return order
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
	order := b.sort()
	b.putIdentities(order)
	if b.blobLen > 1<<32-1 {
		return nil, nil, fmt.Errorf("more package data than a cache holds")
	}
	where := make([]uint32, len(b.pkgs))
	origins := make([]uint32, 0, len(b.pkgs))
	for to, from := range order {
		where[from] = uint32(to)
		p := &b.pkgs[from]
		extra := b.extra[from]
		p.rec[rOrigins], p.rec[rOrigins+1] = uint32(len(origins)), uint32(1+len(extra))
		origins = append(origins, p.origin)
		origins = append(origins, extra...)
	}
	provides := make([]uint32, 0, len(b.prov)*provideWords)
	for _, pv := range b.prov {
		pv.row[2] = where[pv.pkg]
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
		{len(order), 4 * recordWords * len(order)},
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
		for _, from := range order { // the records, written from pkgs, not copied first
			for _, x := range b.pkgs[from].rec {
				binary.LittleEndian.PutUint32(word[:], x)
				bw.Write(word[:])
			}
		}
		for _, words := range [][]uint32{provides, origins} {
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
