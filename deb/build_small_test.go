package deb

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tinyFiles is sampleFiles without its one large file: every member is
// below smallTarSize.
func tinyFiles() []treeFile { return withFile(sampleFiles, treeFile{name: "usr/lib/big"}) }

// With SystemCompressors, small xz members are compressed in this
// process: with an xz program that always fails, a tiny package builds
// (to the same bytes as without SystemCompressors) and dpkg-deb reads
// it, while a package with a large data.tar fails. gzip's program is
// used whatever the size.
func TestSmallXzMembersCompressedInProcess(t *testing.T) {
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
		if c == Gzip {
			if err == nil {
				t.Error("gzip, tiny, failing program: no error")
			}
			continue
		}
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
