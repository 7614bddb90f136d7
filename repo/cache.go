package repo

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"

	"aim/deb"
)

// Cache is the available-package cache that `aim update` writes: every
// package of every source's indexes, looked up by name, by provided name,
// or by text, without parsing the indexes again. The file is mapped into
// memory, so opening it costs the same whatever its size.
//
// A Cache is safe for concurrent reads. Values it returns stay valid after
// Close.
type Cache struct {
	data     []byte
	mapped   bool
	records  []byte
	provides []byte
	origins  []byte
	nrec     int
	nprov    int
	sources  []CacheSource
}

// Available is one package version that some source offers.
type Available struct {
	Name, Version, Architecture, Section string
	// Sources indexes Cache.Sources: every index that lists this package
	// with the same bytes (same SHA256).
	Sources []int
	// User is true for a maemo user package (Section user/...).
	User  bool
	index int
}

// ErrNoCache is returned by OpenCache when no cache has been written yet.
var ErrNoCache = errors.New("no package lists yet (run aim update)")

// OpenCache maps the cache file at path. A missing file gives ErrNoCache;
// a damaged or foreign one, an error that says so.
func OpenCache(path string) (*Cache, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoCache
	}
	if err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	if st.Size() < headerSize {
		return nil, fmt.Errorf("open cache %s: file too short", path)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map cache %s: %w", path, err)
	}
	c, err := newCache(data)
	if err != nil {
		syscall.Munmap(data)
		return nil, fmt.Errorf("open cache %s: %w", path, err)
	}
	c.mapped = true
	return c, nil
}

// newCache checks the layout of data and returns a Cache reading it.
func newCache(data []byte) (*Cache, error) {
	if len(data) < headerSize || string(data[:8]) != cacheMagic {
		return nil, fmt.Errorf("not an aim package cache (or an older format)")
	}
	c := &Cache{data: data}
	var err error
	section := func(slot, width int) ([]byte, int) {
		off := binary.LittleEndian.Uint64(data[8+slot*16:])
		n := binary.LittleEndian.Uint64(data[16+slot*16:])
		if off > uint64(len(data)) || n > uint64(len(data)) || off+n*uint64(width) > uint64(len(data)) {
			err = fmt.Errorf("damaged cache: section %d out of bounds", slot)
			return nil, 0
		}
		return data[off : off+n*uint64(width)], int(n)
	}
	c.records, c.nrec = section(0, 4*recordWords)
	c.provides, c.nprov = section(1, 4*provideWords)
	c.origins, _ = section(2, 4)
	srcJSON, _ := section(3, 1)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(srcJSON, &c.sources); err != nil {
		return nil, fmt.Errorf("damaged cache: %w", err)
	}
	return c, nil
}

// Close unmaps the cache file.
func (c *Cache) Close() error {
	if c.mapped && c.data != nil {
		err := syscall.Munmap(c.data)
		c.data = nil
		return err
	}
	return nil
}

// Sources returns the indexes the cache was built from, in build order.
func (c *Cache) Sources() []CacheSource { return c.sources }

// Len returns the number of package versions in the cache.
func (c *Cache) Len() int { return c.nrec }

func (c *Cache) word(sec []byte, width, i, f int) uint32 {
	return binary.LittleEndian.Uint32(sec[(i*width+f)*4:])
}

// bytesAt returns n bytes at off in the blob, or nil when they lie outside
// it. References are checked as they are read rather than all at open, so
// that opening the cache touches only the pages a command reads (a damaged
// cache then reads as empty fields, never out of bounds).
func (c *Cache) bytesAt(off, n uint32) []byte {
	end := uint64(headerSize) + uint64(off) + uint64(n)
	if end > uint64(len(c.data)) {
		return nil
	}
	return c.data[headerSize+int(off) : end]
}

// inBounds reports whether the string reference in fields f, f+1 of
// record i lies inside the blob.
func (c *Cache) inBounds(i, f int) bool {
	off, n := c.word(c.records, recordWords, i, f), c.word(c.records, recordWords, i, f+1)
	return uint64(headerSize)+uint64(off)+uint64(n) <= uint64(len(c.data))
}

func (c *Cache) field(i, f int) []byte {
	return c.bytesAt(c.word(c.records, recordWords, i, f), c.word(c.records, recordWords, i, f+1))
}

// At returns the i-th package version, 0 <= i < Len(), in the cache's
// order: by name, then highest version first, then architecture.
func (c *Cache) At(i int) Available {
	a := Available{
		Name:         string(c.field(i, rName)),
		Version:      string(c.field(i, rVersion)),
		Architecture: string(c.field(i, rArch)),
		Section:      string(c.field(i, rSection)),
		User:         c.word(c.records, recordWords, i, rFlags)&flagUser != 0,
		index:        i,
	}
	o, n := c.word(c.records, recordWords, i, rOrigins), c.word(c.records, recordWords, i, rOrigins+1)
	if uint64(o)+uint64(n) > uint64(len(c.origins)/4) {
		return a // a damaged record: no origins rather than a read out of bounds
	}
	for k := uint32(0); k < n; k++ {
		a.Sources = append(a.Sources, int(binary.LittleEndian.Uint32(c.origins[(o+k)*4:])))
	}
	return a
}

// Lookup returns every version of the package called name, highest first.
func (c *Cache) Lookup(name string) []Available {
	key := []byte(name)
	lo := sort.Search(c.nrec, func(i int) bool { return bytes.Compare(c.field(i, rName), key) >= 0 })
	var out []Available
	for i := lo; i < c.nrec && bytes.Equal(c.field(i, rName), key); i++ {
		out = append(out, c.At(i))
	}
	return out
}

// Provider is a package version that provides a virtual name; Version is
// the provided version for a versioned Provides ("" otherwise).
type Provider struct {
	Package Available
	Version string
}

// Providers returns the package versions whose Provides names name.
func (c *Cache) Providers(name string) []Provider {
	key := []byte(name)
	pname := func(i int) []byte {
		return c.bytesAt(c.word(c.provides, provideWords, i, 0), c.word(c.provides, provideWords, i, 1))
	}
	lo := sort.Search(c.nprov, func(i int) bool { return bytes.Compare(pname(i), key) >= 0 })
	var out []Provider
	for i := lo; i < c.nprov && bytes.Equal(pname(i), key); i++ {
		rec := int(c.word(c.provides, provideWords, i, 2))
		if rec >= c.nrec {
			continue // a damaged entry
		}
		v := c.bytesAt(c.word(c.provides, provideWords, i, 3), c.word(c.provides, provideWords, i, 4))
		out = append(out, Provider{Package: c.At(rec), Version: string(v)})
	}
	return out
}

// Search returns the package versions whose name or description contains
// every word of term, without regard to ASCII case, in cache order.
func (c *Cache) Search(term string) []Available {
	var words [][]byte
	for _, w := range strings.Fields(strings.ToLower(term)) {
		words = append(words, []byte(w))
	}
	var out []Available
	for i := 0; i < c.nrec; i++ {
		text := c.field(i, rSearch)
		match := true
		for _, w := range words {
			if !bytes.Contains(text, w) {
				match = false
				break
			}
		}
		if match {
			out = append(out, c.At(i))
		}
	}
	return out
}

// Paragraph returns the full control paragraph of a, as its index gave it.
func (c *Cache) Paragraph(a Available) (*deb.Paragraph, error) {
	if a.index < 0 || a.index >= c.nrec {
		return nil, fmt.Errorf("package %s is not from this cache", a.Name)
	}
	if !c.inBounds(a.index, rPara) {
		return nil, fmt.Errorf("damaged cache: record %d out of bounds", a.index)
	}
	return deb.ParseParagraph(c.field(a.index, rPara))
}

// ParagraphFields returns the named fields of a's paragraph, with the
// values Paragraph gives them, parsing nothing else (see
// deb.ParseParagraphFields).
func (c *Cache) ParagraphFields(a Available, names ...string) (*deb.Paragraph, error) {
	if a.index < 0 || a.index >= c.nrec {
		return nil, fmt.Errorf("package %s is not from this cache", a.Name)
	}
	if !c.inBounds(a.index, rPara) {
		return nil, fmt.Errorf("damaged cache: record %d out of bounds", a.index)
	}
	return deb.ParseParagraphFields(c.field(a.index, rPara), names...)
}
