package deb

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestSystemCompressorsAreReproducibleAndReadable builds with the
// system's xz and gzip a package larger than one of xz's blocks (preset 1:
// 3 MiB) with one and with two cores, checks that the bytes are the same,
// that aim and dpkg-deb read the package back, and that a failing
// destination is reported.
func TestSystemCompressorsAreReproducibleAndReadable(t *testing.T) {
	needDpkgDeb(t)
	for _, tc := range []struct {
		c     Compression
		found func() string
	}{{Xz, systemXz}, {Gzip, systemGzip}} {
		t.Run(string(tc.c), func(t *testing.T) {
			if tc.found() == "" {
				t.Skipf("no system %s (xz: 5.4 or later)", tc.c)
			}
			testSystemCompressor(t, tc.c)
		})
	}
}

func testSystemCompressor(t *testing.T, c Compression) {
	files := append([]treeFile{}, sampleFiles...)
	random := make([]byte, 2<<20)
	rand.Read(random)
	var text bytes.Buffer
	for i := 0; text.Len() < 6<<20; i++ {
		fmt.Fprintf(&text, "line %d of a text that compresses\n", i)
	}
	files = append(files,
		treeFile{name: "usr/share/doc/sample/random.bin", body: string(random), mode: 0644},
		treeFile{name: "usr/share/doc/sample/text.txt", body: text.String(), mode: 0644})
	dir := makeTree(t, files, time.Unix(1700000000, 0))
	opts := BuildOptions{Compression: c, Level: 1, SystemCompressors: true, SourceDateEpoch: epoch(testEpoch)}
	var builds [][]byte
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		builds = append(builds, buildBytes(t, dir, opts))
		runtime.GOMAXPROCS(old)
	}
	if !bytes.Equal(builds[0], builds[1]) {
		t.Fatalf("system %s: %d bytes with one core, %d with two; they differ", c, len(builds[0]), len(builds[1]))
	}
	builtin := buildBytes(t, dir, BuildOptions{Compression: c, Level: 1, SourceDateEpoch: epoch(testEpoch)})
	_, want := readEntries(t, builtin)
	_, got := readEntries(t, builds[0])
	if len(got) != len(want) {
		t.Fatalf("aim reads %d entries from the system xz build, %d from the builtin one", len(got), len(want))
	}
	file := writeTemp(t, "big.deb", builds[0])
	out := filepath.Join(t.TempDir(), "x")
	dpkgDeb(t, "-x", file, out)
	compareTrees(t, dir, out, time.Unix(testEpoch, 0))

	z, err := systemCompressor(c, failingWriter{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(z, bytes.NewReader(random))
	if err := z.Close(); err == nil {
		t.Errorf("%s into a failing writer: no error", c)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }
