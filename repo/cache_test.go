package repo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const indexA = `Package: hello
Version: 2.10-3
Architecture: amd64
Section: devel
SHA256: aa
Description: example package based on GNU hello
 The GNU hello program produces a familiar, friendly greeting.

Package: mail-agent
Version: 1.0
Architecture: all
Provides: mail-transport-agent, smtp-server (= 2.0)
Section: user/office
Description: Mail
`

const indexB = `Package: hello
Version: 2.10-3
Architecture: amd64
Section: devel
SHA256: aa
Description: example package based on GNU hello
 The GNU hello program produces a familiar, friendly greeting.

Package: hello
Version: 2.12-1
Architecture: amd64
SHA256: bb
Description: newer hello

Package: hello
Version: 1:0.1
Architecture: amd64
Description: epoch hello
`

func buildCache(t *testing.T) *Cache {
	t.Helper()
	b := NewCacheBuilder()
	if err := b.AddIndex(CacheSource{Name: "a", Priority: 500}, strings.NewReader(indexA)); err != nil {
		t.Fatal(err)
	}
	if err := b.AddIndex(CacheSource{Name: "b", Priority: 100}, strings.NewReader(indexB)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pkgcache.bin")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	c, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCacheLookup(t *testing.T) {
	c := buildCache(t)
	got := c.Lookup("hello")
	var vs []string
	for _, a := range got {
		vs = append(vs, a.Version)
	}
	if strings.Join(vs, " ") != "1:0.1 2.12-1 2.10-3" {
		t.Fatalf("versions %q, want highest first", vs)
	}
	if s := got[2].Sources; len(s) != 2 || c.Sources()[s[0]].Name != "a" || c.Sources()[s[1]].Name != "b" {
		t.Errorf("merged package sources %v", s)
	}
	if len(c.Lookup("nope")) != 0 || len(c.Lookup("hell")) != 0 {
		t.Error("lookup of absent names found something")
	}
	p, err := c.Paragraph(got[2])
	if err != nil || p.Get("Section") != "devel" || !strings.Contains(p.Get("Description"), "friendly greeting") {
		t.Errorf("paragraph %v %v", p, err)
	}
	if c.Lookup("mail-agent")[0].User != true || got[0].User {
		t.Error("user flag wrong")
	}
}

func TestCacheProvidersAndSearch(t *testing.T) {
	c := buildCache(t)
	pr := c.Providers("smtp-server")
	if len(pr) != 1 || pr[0].Package.Name != "mail-agent" || pr[0].Version != "2.0" {
		t.Errorf("providers %+v", pr)
	}
	if pr := c.Providers("mail-transport-agent"); len(pr) != 1 || pr[0].Version != "" {
		t.Errorf("unversioned providers %+v", pr)
	}
	if r := c.Search("FRIENDLY greeting"); len(r) != 1 || r[0].Version != "2.10-3" {
		t.Errorf("search: %+v", r)
	}
	if r := c.Search("hello"); len(r) != 3 {
		t.Errorf("search hello: %d results", len(r))
	}
}

func TestCacheErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenCache(filepath.Join(dir, "none")); !errors.Is(err, ErrNoCache) {
		t.Errorf("missing: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte(strings.Repeat("x", 200)), 0o644)
	if _, err := OpenCache(bad); err == nil || !strings.Contains(err.Error(), "not an aim package cache") {
		t.Errorf("foreign: %v", err)
	}
	b := NewCacheBuilder()
	if err := b.AddIndex(CacheSource{}, strings.NewReader("Package: a\nVersion: 1\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("incomplete paragraph: %v", err)
	}
}

// FuzzOpenCache checks that a damaged cache file is refused, never read
// out of bounds.
func FuzzOpenCache(f *testing.F) {
	b := NewCacheBuilder()
	b.AddIndex(CacheSource{Name: "a"}, strings.NewReader(indexA))
	var buf bytes.Buffer
	b.encode(&buf)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := newCache(data)
		if err != nil {
			return
		}
		for i := 0; i < c.Len(); i++ {
			a := c.At(i)
			c.Lookup(a.Name)
			c.Providers(a.Name)
			c.Paragraph(a)
		}
		c.Search("a")
	})
}

// realIndexPath returns the real Debian Packages index, or skips.
func realIndexPath(tb testing.TB) string {
	if p := os.Getenv("AIM_DEBIAN_INDEX"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	out, err := exec.Command(filepath.Join(filepath.Dir(file), "..", "..", "shared", "bin", "debian-index")).Output()
	if err != nil {
		tb.Skipf("real Debian index unavailable: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func buildRealCache(tb testing.TB, dir string) string {
	f, err := os.Open(realIndexPath(tb))
	if err != nil {
		tb.Skip(err)
	}
	defer f.Close()
	b, err := NewCacheFileBuilder(dir) // as update builds it
	if err != nil {
		tb.Fatal(err)
	}
	defer b.Abort()
	if err := b.AddIndex(CacheSource{Name: "debian"}, f); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "pkgcache.bin")
	if err := b.WriteFile(path); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestCacheRealIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	c, err := OpenCache(buildRealCache(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Len() < 60000 {
		t.Errorf("only %d packages", c.Len())
	}
	if h := c.Lookup("hello"); len(h) != 1 {
		t.Errorf("hello: %+v", h)
	}
	if pr := c.Providers("mail-transport-agent"); len(pr) < 5 {
		t.Errorf("only %d providers of mail-transport-agent", len(pr))
	}
	for i := 0; i < c.Len(); i += 997 {
		a := c.At(i)
		if l := c.Lookup(a.Name); len(l) == 0 {
			t.Fatalf("%s not found by name", a.Name)
		}
	}
	checkRecords(t, c, 7)
}

// checkRecords checks every step-th record of c against its paragraph,
// and that the names of all records lie packed together in record
// order, then those of the provides in theirs, so that lookups by name
// read few pages.
func checkRecords(t *testing.T, c *Cache, step int) {
	t.Helper()
	for i := 0; i < c.Len(); i += step {
		a := c.At(i)
		p, err := c.Paragraph(a)
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != p.Get("Package") || a.Version != p.Get("Version") || a.Architecture != p.Get("Architecture") || a.Section != p.Get("Section") {
			t.Fatalf("record %d %+v, paragraph %s %s %s %s", i, a, p.Get("Package"), p.Get("Version"), p.Get("Architecture"), p.Get("Section"))
		}
	}
	for i := 1; i < c.Len(); i++ {
		if c.word(c.records, recordWords, i, rName) != c.word(c.records, recordWords, i-1, rName)+c.word(c.records, recordWords, i-1, rName+1) {
			t.Fatalf("name of record %d does not follow the one before it", i)
		}
	}
	for i := 1; i < c.nprov; i++ {
		if c.word(c.provides, provideWords, i, 0) != c.word(c.provides, provideWords, i-1, 0)+c.word(c.provides, provideWords, i-1, 1) {
			t.Fatalf("name of provide %d does not follow the one before it", i)
		}
	}
}

func BenchmarkCacheBuildReal(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		buildRealCache(b, dir)
	}
}

func BenchmarkCacheShowReal(b *testing.B) {
	path := buildRealCache(b, b.TempDir())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := OpenCache(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range c.Lookup("hello") {
			if _, err := c.Paragraph(a); err != nil {
				b.Fatal(err)
			}
		}
		c.Close()
	}
}

func BenchmarkCacheSearchReal(b *testing.B) {
	path := buildRealCache(b, b.TempDir())
	c, err := OpenCache(path)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Search("network daemon")
	}
}

// TestCacheUserSection checks that the cache records a package as a user
// package by deb.IsUserSection's rule, an archive area prefix included.
func TestCacheUserSection(t *testing.T) {
	b := NewCacheBuilder()
	index := "Package: game\nVersion: 1\nArchitecture: all\nSection: non-free/user/games\nFilename: g.deb\nSize: 1\nSHA256: " +
		strings.Repeat("a", 64) + "\n\nPackage: tool\nVersion: 1\nArchitecture: all\nSection: utils\nFilename: t.deb\nSize: 1\nSHA256: " +
		strings.Repeat("b", 64) + "\n"
	if err := b.AddIndex(CacheSource{Name: "a", Priority: 500}, strings.NewReader(index)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pkgcache.bin")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	c, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for name, user := range map[string]bool{"game": true, "tool": false} {
		if l := c.Lookup(name); len(l) != 1 || l[0].User != user {
			t.Errorf("%s: %+v, want User %v", name, l, user)
		}
	}
}

// TestDamagedRecordIsRefusedWhenRead checks that references are bounds
// checked as they are read (the cache is not scanned whole at open): a
// record pointing outside the blob gives an error from Paragraph and empty
// fields from At, never a read out of bounds.
func TestDamagedRecordIsRefusedWhenRead(t *testing.T) {
	b := NewCacheBuilder()
	if err := b.AddIndex(CacheSource{Name: "a"}, strings.NewReader(indexA)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	b.encode(&buf)
	for _, tc := range []struct {
		name  string
		field int
	}{{"paragraph", rPara}, {"name", rName}, {"origins", rOrigins}} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newCache(bytes.Clone(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			good := c.At(0)
			binary.LittleEndian.PutUint32(c.records[(0*recordWords+tc.field)*4:], 1<<31)
			a := c.At(0)
			_, err = c.Paragraph(a)
			switch tc.field {
			case rPara:
				if err == nil || !strings.Contains(err.Error(), "damaged cache") {
					t.Errorf("Paragraph of a damaged record: %v", err)
				}
			case rName:
				if a.Name != "" {
					t.Errorf("name of a damaged record = %q, want empty", a.Name)
				}
			case rOrigins:
				if len(a.Sources) != 0 || len(good.Sources) == 0 {
					t.Errorf("sources of a damaged record = %v (undamaged %v), want none", a.Sources, good.Sources)
				}
			}
		})
	}
}

// TestFileBuilderMatchesMemoryBuilder checks that the builder that writes
// its blob to the file as it goes produces the same bytes as the one that
// keeps it in memory, for small indexes and, when it is available, the
// real Debian index (which spans many blob chunks), and that Abort leaves
// nothing behind.
func TestFileBuilderMatchesMemoryBuilder(t *testing.T) {
	cases := []struct {
		name    string
		indexes func(t *testing.T) []io.Reader
	}{
		{"small", func(*testing.T) []io.Reader {
			return []io.Reader{strings.NewReader(indexA), strings.NewReader(indexB)}
		}},
		{"duplicates", func(*testing.T) []io.Reader {
			a, b := duplicateIndexes()
			return []io.Reader{strings.NewReader(a), strings.NewReader(b), strings.NewReader(indexA)}
		}},
		{"real", func(t *testing.T) []io.Reader {
			data, err := os.ReadFile(realIndexPath(t))
			if err != nil {
				t.Skip(err)
			}
			return []io.Reader{bytes.NewReader(data), strings.NewReader(indexB)}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := NewCacheBuilder()
			for i, r := range tc.indexes(t) {
				if err := mem.AddIndex(CacheSource{Name: fmt.Sprint(i)}, r); err != nil {
					t.Fatal(err)
				}
			}
			var want bytes.Buffer
			if err := mem.encode(&want); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			fb, err := NewCacheFileBuilder(dir)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range tc.indexes(t) {
				if err := fb.AddIndex(CacheSource{Name: fmt.Sprint(i)}, r); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, "pkgcache.bin")
			if err := fb.WriteFile(path); err != nil {
				t.Fatal(err)
			}
			fb.Abort()
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("file builder wrote %d bytes, memory builder %d; they differ", len(got), want.Len())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("left behind: %v", entries)
			}
			c, err := OpenCache(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if vs := c.Lookup("hello"); len(vs) == 0 {
				t.Error("hello not in the cache")
			}
			checkRecords(t, c, 1)
		})
	}
	t.Run("abort", func(t *testing.T) {
		dir := t.TempDir()
		fb, err := NewCacheFileBuilder(dir)
		if err != nil {
			t.Fatal(err)
		}
		fb.AddIndex(CacheSource{}, strings.NewReader(indexA))
		fb.Abort()
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("Abort left %v", entries)
		}
	})
}

// TestAddIndexReportsTheBadLineAfterGoodOnes checks that an error found
// by the parsing goroutine past the first batches still names its line,
// and that the builder's own errors do too.
func TestAddIndexReportsTheBadLineAfterGoodOnes(t *testing.T) {
	var good strings.Builder
	for i := 0; i < 3*parseBatch; i++ {
		fmt.Fprintf(&good, "Package: p%d\nVersion: 1\nArchitecture: all\n\n", i)
	}
	lines := 4 * 3 * parseBatch
	for _, tc := range []struct {
		name, tail string
		line       int
	}{
		{"syntax", "Package: bad\n continuation\nno colon here\n", lines + 3},
		{"identity", "Package: bad\nVersion: 1\n", lines + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := NewCacheBuilder().AddIndex(CacheSource{}, strings.NewReader(good.String()+tc.tail))
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("line %d", tc.line)) {
				t.Errorf("error = %v, want one naming line %d", err, tc.line)
			}
		})
	}
}

// duplicateIndexes returns two indexes of the same dupCount packages, big
// enough to span many blob chunks: the second lists package i with the
// first's SHA256 when i is even, another when i is odd, and package 0
// with no SHA256 in either.
func duplicateIndexes() (string, string) {
	var a, b strings.Builder
	desc := strings.Repeat(" filler text to make the paragraph long", 8)
	for i := 0; i < dupCount; i++ {
		sha := fmt.Sprintf("SHA256: %064x\n", i)
		other := sha
		if i%2 == 1 {
			other = fmt.Sprintf("SHA256: %064x\n", i+1<<20)
		}
		if i == 0 {
			sha, other = "", ""
		}
		head := fmt.Sprintf("Package: p%d\nVersion: 1.%d\nArchitecture: amd64\n", i, i)
		fmt.Fprintf(&a, "%s%sDescription: package %d\n%s\n\n", head, sha, i, desc)
		fmt.Fprintf(&b, "%s%sDescription: package %d\n%s\n\n", head, other, i, desc)
	}
	return a.String(), b.String()
}

const dupCount = 3000

// TestCacheMergesSameSHA256 checks that a package two sources list with
// the same SHA256 is one record with both sources and one they list with
// different SHA256s is two, when the first paragraph's text has long
// been written out to the spool and must be read back.
func TestCacheMergesSameSHA256(t *testing.T) {
	a, b := duplicateIndexes()
	if len(a) < 2*blobChunk {
		t.Fatalf("index of %d bytes does not span blob chunks", len(a))
	}
	dir := t.TempDir()
	fb, err := NewCacheFileBuilder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Abort()
	for i, idx := range []string{a, b} {
		if err := fb.AddIndex(CacheSource{Name: fmt.Sprint(i)}, strings.NewReader(idx)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "pkgcache.bin")
	if err := fb.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	c, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < dupCount; i++ {
		got := c.Lookup(fmt.Sprintf("p%d", i))
		var sources [][]int
		for _, av := range got {
			sources = append(sources, av.Sources)
		}
		want := "[[0 1]]"
		if i%2 == 1 && i != 0 {
			want = "[[0] [1]]"
		}
		if fmt.Sprint(sources) != want {
			t.Fatalf("p%d: sources %v, want %s", i, sources, want)
		}
	}
}
