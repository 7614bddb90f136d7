package deb

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
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

	z, err := systemCompressor(c, failingWriter{}, 1, 0)
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

// TestSystemGzipOneChunkStreams checks that input known to fit in one
// chunk, which streams through one gzip process started at once, gives
// the bytes the chunked path gives, and that longer input is cut in
// members as aim's own gzip cuts it.
func TestSystemGzipOneChunkStreams(t *testing.T) {
	if systemGzip() == "" {
		t.Skip("no gzip program")
	}
	var text strings.Builder
	for i := 0; text.Len() < gzipChunkSize+gzipChunkSize/2; i++ {
		fmt.Fprintf(&text, "line %d of a text that compresses\n", i)
	}
	compress := func(in string, bound int64) []byte {
		var out bytes.Buffer
		z, err := systemCompressor(Gzip, &out, 9, bound)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(z, in); err != nil {
			t.Fatal(err)
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	small := text.String()[:gzipChunkSize/2]
	if a, b := compress(small, int64(len(small))), compress(small, 0); !bytes.Equal(a, b) {
		t.Errorf("one chunk: %d bytes streamed, %d chunked; they differ", len(a), len(b))
	}
	all := text.String()
	if n, _ := gzipMembers(t, compress(all, 0)); n != 2 {
		t.Errorf("%d bytes: %d gzip members, want 2", len(all), n)
	}
}

// TestSystemXzEnvironment checks that the system's xz compresses with
// xzEnv as its whole environment (huge pages on request, the C locale),
// not aim's: a wrapper that records its environment stands for xz.
func TestSystemXzEnvironment(t *testing.T) {
	needDpkgDeb(t)
	real := systemXz()
	if real == "" {
		t.Skip("no system xz (5.4 or later)")
	}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	wrapper := filepath.Join(dir, "xz")
	script := "#!/bin/sh\nenv > '" + envFile + "'\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	old := systemXz
	systemXz = func() string { return wrapper }
	defer func() { systemXz = old }()
	t.Setenv("AIM_TEST_MARKER", "inherited")
	tree := makeTree(t, xzFiles(), time.Unix(1700000000, 0))
	opts := BuildOptions{Compression: Xz, Level: 1, SystemCompressors: true, SourceDateEpoch: epoch(testEpoch)}
	pkg := buildBytes(t, tree, opts)
	got, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatalf("the wrapper did not run: %v", err)
	}
	env := strings.Fields(string(got))
	for _, want := range xzEnv {
		if !slices.Contains(env, want) {
			t.Errorf("xz ran without %s; its environment: %q", want, env)
		}
	}
	if slices.Contains(env, "AIM_TEST_MARKER=inherited") {
		t.Errorf("xz inherited aim's environment: %q", env)
	}
	opts.SystemCompressors = false
	_, want := readEntries(t, buildBytes(t, tree, opts))
	if _, entries := readEntries(t, pkg); len(entries) != len(want) {
		t.Errorf("the package built through the wrapper has %d entries, want %d", len(entries), len(want))
	}
}
