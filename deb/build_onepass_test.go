package deb

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// onePassFiles adds to sampleFiles a file larger than the copy buffer and
// a hard link whose first path is a conffile (md5sums lists the link, so
// its sum comes from the conffile's contents).
func onePassFiles() []treeFile {
	big := strings.Repeat("a file larger than the copy buffer\n", 3*copyBufferSize/35)
	files := withFile(sampleFiles, controlFile(sampleControl))
	files = withFile(files, treeFile{name: "DEBIAN/conffiles", body: "/etc/sample.conf\n/etc/linked.conf\n", mode: 0644})
	return append(files,
		treeFile{name: "etc/linked.conf", body: "linked=1\n", mode: 0644},
		treeFile{name: "usr/share/doc/sample/linked", mode: 0644, link: "etc/linked.conf", hard: true},
		treeFile{name: "usr/share/doc/sample/large.txt", body: big, mode: 0644})
}

// buildFile builds dir into a file after prefix and returns what follows
// the prefix.
func buildFile(t *testing.T, fsys fs.FS, prefix string, opts BuildOptions) []byte {
	t.Helper()
	name := filepath.Join(t.TempDir(), "p.deb")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(prefix); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(fsys, f, opts); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), prefix) {
		t.Fatalf("the %d bytes before the package were overwritten", len(prefix))
	}
	return out[len(prefix):]
}

// countingFS counts the opens of each path of an os.DirFS tree.
type countingFS struct {
	fs.FS
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.mu.Lock()
	c.opens[name]++
	c.mu.Unlock()
	return c.FS.Open(name)
}

func (c *countingFS) ReadLink(name string) (string, error)   { return fs.ReadLink(c.FS, name) }
func (c *countingFS) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(c.FS, name) }

// A build to a file is the same bytes as one to memory, for every
// compressor and wherever the file starts; uncompressed, it reads each
// data file once (md5sums hashed while data.tar is written, control.tar
// then patched in place), where a compressed build reads it twice.
func TestBuildToFileOnePass(t *testing.T) {
	dir := makeTree(t, onePassFiles(), time.Unix(1700000000, 0))
	large, err := os.ReadFile(filepath.Join(dir, "usr/share/doc/sample/large.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range allCompressions {
		for _, prefix := range []string{"", "odd"} {
			opts := BuildOptions{Compression: c, SourceDateEpoch: epoch(testEpoch)}
			want := buildBytes(t, dir, opts)
			fsys := &countingFS{FS: os.DirFS(dir), opens: map[string]int{}}
			got := buildFile(t, fsys, prefix, opts)
			if !bytes.Equal(got, want) {
				t.Errorf("%s after %q: %d bytes to a file, %d to memory; they differ", c, prefix, len(got), len(want))
			}
			reads := 2
			if c == None {
				reads = 1
			}
			for _, p := range []string{"usr/share/doc/sample/large.txt", "usr/lib/big", "usr/bin/sample"} {
				if n := fsys.opens[p]; n != reads {
					t.Errorf("%s: %s opened %d times, want %d", c, p, n, reads)
				}
			}
			ar, _ := readEntries(t, got)
			m, ok := ar.Control().Member("md5sums")
			if !ok {
				t.Fatalf("%s: no md5sums", c)
			}
			sums := string(m.Data)
			for _, line := range []string{
				fmt.Sprintf("%x  usr/share/doc/sample/large.txt\n", md5.Sum(large)),
				fmt.Sprintf("%x  usr/share/doc/sample/linked\n", md5.Sum([]byte("linked=1\n"))),
				fmt.Sprintf("%x  usr/share/doc/sample/README.hard\n", md5.Sum([]byte("read me\n"))),
			} {
				if !strings.Contains(sums, line) {
					t.Errorf("%s: md5sums lacks %q:\n%s", c, line, sums)
				}
			}
			if strings.Contains(sums, placeholderSum) || strings.Contains(sums, "etc/linked.conf") {
				t.Errorf("%s: md5sums has a placeholder or a conffile:\n%s", c, sums)
			}
		}
	}
}
