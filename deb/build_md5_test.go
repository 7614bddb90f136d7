package deb

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/klauspost/compress/zstd"
)

// md5Files hashes in parallel but returns the sums in the order of the
// names, the same for one core or two, and the first error in that order.
func TestMd5FilesOrderAndErrors(t *testing.T) {
	fsys := fstest.MapFS{}
	var names, want []string
	for i := range 200 {
		name := fmt.Sprintf("usr/f%03d", i)
		body := strings.Repeat(string(rune('a'+i%26)), i*97)
		fsys[name] = &fstest.MapFile{Data: []byte(body), Mode: 0644}
		names = append(names, name)
		want = append(want, fmt.Sprintf("%x", md5.Sum([]byte(body))))
	}
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		got, err := md5Files(fsys, names)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatalf("GOMAXPROCS %d: %v", procs, err)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("GOMAXPROCS %d: sums out of order or wrong", procs)
		}
	}
	bad := append(append([]string{}, names[:150]...), "usr/missing1", "usr/missing2")
	if _, err := md5Files(fsys, bad); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing1") {
		t.Errorf("missing files: %v, want the first one's not-exist error", err)
	}
	if got, err := md5Files(fsys, nil); err != nil || len(got) != 0 {
		t.Errorf("no files: %q %v", got, err)
	}
}

// Every compressor's build is the same on one, two or four cores: zstd's
// encoder, md5sums and gzip's chunks (two here, by aim's gzip or by gzip
// processes) run goroutines, and the zstd encoder is reused from
// control.tar to data.tar.
func TestBuildSameOnAnyCoreCount(t *testing.T) {
	files := append([]treeFile{}, sampleFiles...)
	var text strings.Builder
	for i := 0; text.Len() < 3<<20; i++ {
		fmt.Fprintf(&text, "line %d of a text that compresses\n", i)
	}
	files = append(files, treeFile{name: "usr/share/doc/sample/text.txt", body: text.String(), mode: 0644})
	dir := makeTree(t, files, time.Unix(1700000000, 0))
	type variant struct {
		c      Compression
		system bool // the system's gzip, one process a chunk
	}
	variants := []variant{{Zstd, false}, {Gzip, false}, {None, false}}
	if systemGzip() != "" {
		variants = append(variants, variant{Gzip, true})
	}
	for _, v := range variants {
		c := v.c
		var builds [][]byte
		for _, procs := range []int{1, 2, 4} {
			old := runtime.GOMAXPROCS(procs)
			builds = append(builds, buildBytes(t, dir, BuildOptions{Compression: c, SourceDateEpoch: epoch(testEpoch), SystemCompressors: v.system}))
			runtime.GOMAXPROCS(old)
		}
		for i, procs := range []int{2, 4} {
			if !bytes.Equal(builds[0], builds[i+1]) {
				t.Errorf("%s: %d bytes with one core, %d with %d; they differ", c, len(builds[0]), len(builds[i+1]), procs)
			}
		}
		if _, entries := readEntries(t, builds[0]); len(entries) == 0 {
			t.Errorf("%s: no entries read back", c)
		}
	}
}

// A zstd data.tar asks the reader for a 2 MiB window up to level 6, as
// the zstd library's own levels do, and 8 MiB above.
func TestZstdWindowByLevel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var text strings.Builder
	for text.Len() < 4<<20 {
		fmt.Fprintf(&text, "%x ", rng.Uint32()) // compresses, but not to nothing
	}
	large := text.String()
	files := withFile(sampleFiles, treeFile{name: "usr/share/doc/sample/large.bin", body: large, mode: 0644})
	dir := makeTree(t, files, time.Unix(1700000000, 0))
	for _, tc := range []struct {
		level  int
		window uint64
	}{{0, 2 << 20}, {3, 2 << 20}, {6, 2 << 20}, {7, 8 << 20}} {
		pkg := buildBytes(t, dir, BuildOptions{Compression: Zstd, Level: tc.level, SourceDateEpoch: epoch(testEpoch)})
		data := arMemberData(t, pkg, "data.tar.zst")
		var h zstd.Header
		if err := h.Decode(data); err != nil {
			t.Fatalf("level %d: %v", tc.level, err)
		}
		if h.SingleSegment || h.WindowSize != tc.window {
			t.Errorf("level %d: window %d (single segment %v), want %d", tc.level, h.WindowSize, h.SingleSegment, tc.window)
		}
		_, entries := readEntries(t, pkg)
		if i := slices.IndexFunc(entries, func(e debEntry) bool { return e.Name == "./usr/share/doc/sample/large.bin" }); i < 0 || entries[i].Body != large {
			t.Errorf("level %d: large.bin not read back", tc.level)
		}
	}
}
