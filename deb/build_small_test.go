package deb

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// tinyFiles is sampleFiles without its one large file: every member is
// below smallTarSize.
func tinyFiles() []treeFile { return withFile(sampleFiles, treeFile{name: "usr/lib/big"}) }

// With SystemCompressors, small xz and gzip members are compressed in
// this process: with xz and gzip programs that always fail, a tiny
// package builds (to the same bytes as without SystemCompressors) and
// dpkg-deb reads it, while a package with a large data.tar fails.
func TestSmallMembersCompressedInProcess(t *testing.T) {
	failing, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false program")
	}
	tiny := makeTree(t, tinyFiles(), time.Unix(1700000000, 0))
	large := makeTree(t, xzFiles(), time.Unix(1700000000, 0))
	oldXz, oldGzip := systemXz, systemGzip
	systemXz = func() string { return failing }
	systemGzip = func() string { return failing }
	defer func() { systemXz, systemGzip = oldXz, oldGzip }()
	for _, c := range []Compression{Xz, Gzip} {
		opts := BuildOptions{Compression: c, SystemCompressors: true, SourceDateEpoch: epoch(testEpoch)}
		var b bytes.Buffer
		_, err := Build(os.DirFS(tiny), &b, opts)
		if err != nil {
			t.Fatalf("%s, tiny: %v", c, err)
		}
		opts.SystemCompressors = false
		if !bytes.Equal(b.Bytes(), buildBytes(t, tiny, opts)) {
			t.Errorf("%s, tiny: the build with system compressors differs from the one without", c)
		}
		if _, err := exec.LookPath("dpkg-deb"); err == nil {
			out := filepath.Join(t.TempDir(), "x")
			dpkgDeb(t, "-x", writeTemp(t, "tiny.deb", b.Bytes()), out)
			compareTrees(t, tiny, out, time.Unix(testEpoch, 0))
		}
		opts.SystemCompressors = true
		b.Reset()
		if _, err := Build(os.DirFS(large), &b, opts); err == nil || !strings.Contains(err.Error(), "data.tar") {
			t.Errorf("%s, large, failing program: %v, want a data.tar error", c, err)
		}
	}
}

// tarSizeBound is never below what writeTar writes, long names and link
// targets included.
func TestTarSizeBound(t *testing.T) {
	longLink := treeFile{name: "usr/lib/long-link", mode: fs.ModeSymlink | 0777, link: strings.Repeat("x/", 90) + longName}
	for _, files := range [][]treeFile{tinyFiles(), sampleFiles, xzFiles(), withFile(tinyFiles(), longLink)} {
		dir := makeTree(t, files, time.Unix(1700000000, 0))
		entries, err := scanTree(os.DirFS(dir), ".", "DEBIAN")
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := writeTar(&b, os.DirFS(dir), ".", entries, func(t time.Time) time.Time { return t }, nil); err != nil {
			t.Fatal(err)
		}
		// Compare without the end blocks and record padding, which would
		// hide a bound short by up to a record.
		content := blocksOf(int64(bytes.LastIndexFunc(b.Bytes(), func(r rune) bool { return r != 0 }) + 1))
		if bound := tarSizeBound(entries) - tarRecordSize - 2*tarBlock; bound < content {
			t.Errorf("bound %d below the %d bytes of entries written", bound, content)
		}
	}
}

// A tiny package's zstd members ask the reader for no more than
// smallZstdWindow, at any level, and dpkg-deb reads them. At the default
// level they are made with the fastest setting's smaller tables: the
// build allocates at least 512 KiB less than at level 4 (the default
// setting's tables, 1.1 MiB).
func TestSmallZstdMembers(t *testing.T) {
	tiny := makeTree(t, tinyFiles(), time.Unix(1700000000, 0))
	allocs := func(level int) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		buildBytes(t, tiny, BuildOptions{Compression: Zstd, Level: level, SourceDateEpoch: epoch(testEpoch)})
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	if def, four := allocs(0), allocs(4); def+512<<10 > four {
		t.Errorf("tiny zstd build allocates %d bytes at the default level, %d at level 4", def, four)
	}
	for _, level := range []int{0, 3, 19} {
		pkg := buildBytes(t, tiny, BuildOptions{Compression: Zstd, Level: level, SourceDateEpoch: epoch(testEpoch)})
		for _, member := range []string{"control.tar.zst", "data.tar.zst"} {
			var h zstd.Header
			if err := h.Decode(arMemberData(t, pkg, member)); err != nil {
				t.Fatalf("level %d, %s: %v", level, member, err)
			}
			window := h.WindowSize
			if h.SingleSegment {
				window = h.FrameContentSize
			}
			if window == 0 || window > smallZstdWindow {
				t.Errorf("level %d, %s: window %d, want at most %d", level, member, window, smallZstdWindow)
			}
		}
		if _, err := exec.LookPath("dpkg-deb"); err == nil {
			out := filepath.Join(t.TempDir(), "x")
			dpkgDeb(t, "-x", writeTemp(t, "tiny.deb", pkg), out)
			compareTrees(t, tiny, out, time.Unix(testEpoch, 0))
		}
	}
}
