package deb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// bracket is a chunkFunc that wraps each chunk in brackets, so that the
// output shows where the input was cut and in which order chunks came.
func bracket(dst, chunk []byte) ([]byte, error) {
	dst = append(dst, '[')
	dst = append(dst, chunk...)
	return append(dst, ']'), nil
}

// chunkedCompressor cuts the input every size bytes whatever the sizes
// of the writes and the number of workers, and writes the chunks in
// order; no input still gives one (empty) chunk.
func TestChunkedCompressorCuts(t *testing.T) {
	for _, tc := range []struct {
		input  string
		writes []int // sizes of the writes; the rest in one
		want   string
	}{
		{"", nil, "[]"},
		{"abc", nil, "[abc]"},
		{"abcd", nil, "[abcd]"},
		{"abcde", nil, "[abcd][e]"},
		{"abcdefgh", nil, "[abcd][efgh]"},
		{"abcdefghij", []int{1, 1, 1, 1, 1}, "[abcd][efgh][ij]"},
		{"abcdefghijklmnopq", []int{3, 9}, "[abcd][efgh][ijkl][mnop][q]"},
	} {
		for _, workers := range []int{1, 2, 4} {
			var out bytes.Buffer
			c := newChunkedCompressor(&out, 4, workers, bracket)
			in := tc.input
			for _, n := range tc.writes {
				if k, err := c.Write([]byte(in[:n])); k != n || err != nil {
					t.Fatalf("Write: %d, %v", k, err)
				}
				in = in[n:]
			}
			if in != "" {
				c.Write([]byte(in))
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("%q with %d workers: %q, want %q", tc.input, workers, out.String(), tc.want)
			}
		}
	}
}

// A failing chunk or destination fails Write or Close, and nothing after
// the failure is written.
func TestChunkedCompressorErrors(t *testing.T) {
	boom := errors.New("boom")
	failThird := func(dst, chunk []byte) ([]byte, error) {
		if chunk[0] == 'i' {
			return nil, boom
		}
		return bracket(dst, chunk)
	}
	for _, workers := range []int{1, 3} {
		var out bytes.Buffer
		c := newChunkedCompressor(&out, 4, workers, failThird)
		c.Write([]byte("abcdefghijklmnopqrstuvwxyz"))
		if err := c.Close(); !errors.Is(err, boom) {
			t.Errorf("%d workers: Close = %v, want boom", workers, err)
		}
		if out.String() != "[abcd][efgh]" {
			t.Errorf("%d workers: wrote %q", workers, out.String())
		}
		c = newChunkedCompressor(failingWriter{}, 4, workers, bracket)
		c.Write([]byte("abcdefghijklmnopqrstuvwxyz"))
		if err := c.Close(); !errors.Is(err, io.ErrShortWrite) {
			t.Errorf("%d workers, failing writer: Close = %v", workers, err)
		}
	}
}

// gzipMembers counts the members of a gzip stream and returns what they
// decompress to.
func gzipMembers(t *testing.T, data []byte) (int, []byte) {
	t.Helper()
	br := bytes.NewReader(data)
	z, err := gzip.NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	n := 0
	for {
		z.Multistream(false)
		if _, err := io.Copy(&out, z); err != nil {
			t.Fatal(err)
		}
		n++
		if err := z.Reset(br); err == io.EOF {
			return n, out.Bytes()
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

// A gzip data.tar larger than a chunk is several members, which
// dpkg-deb and gzip(1) read as one stream.
func TestDpkgDebReadsChunkedGzip(t *testing.T) {
	needDpkgDeb(t)
	var text strings.Builder
	for i := 0; text.Len() < 5<<20; i++ {
		fmt.Fprintf(&text, "line %d of a text that compresses\n", i)
	}
	files := withFile(sampleFiles, treeFile{name: "usr/share/doc/sample/text.txt", body: text.String(), mode: 0644})
	dir := makeTree(t, files, time.Unix(1700000000, 0))
	for _, system := range []bool{false, true} {
		if system && systemGzip() == "" {
			continue
		}
		checkChunkedGzip(t, dir, buildBytes(t, dir, BuildOptions{Compression: Gzip, SourceDateEpoch: epoch(testEpoch), SystemCompressors: system}))
	}
}

// checkChunkedGzip checks that the data.tar.gz of pkg, built from dir,
// is one gzip member a chunk and that dpkg-deb and gzip read it.
func checkChunkedGzip(t *testing.T, dir string, pkg []byte) {
	t.Helper()
	data := arMemberData(t, pkg, "data.tar.gz")
	n, tarBytes := gzipMembers(t, data)
	if want := (len(tarBytes) + gzipChunkSize - 1) / gzipChunkSize; n != want || n < 3 {
		t.Errorf("data.tar.gz has %d members for %d bytes, want %d", n, len(tarBytes), want)
	}
	file := writeTemp(t, "chunked.deb", pkg)
	out := filepath.Join(t.TempDir(), "x")
	dpkgDeb(t, "-x", file, out)
	compareTrees(t, dir, out, time.Unix(testEpoch, 0))
	if _, err := exec.LookPath("gzip"); err == nil {
		cmd := exec.Command("gzip", "-d", "-c")
		cmd.Stdin = bytes.NewReader(data)
		got, err := cmd.Output()
		if err != nil || !bytes.Equal(got, tarBytes) {
			t.Errorf("gzip -d: %d bytes, %v; want the %d bytes of data.tar", len(got), err, len(tarBytes))
		}
	}
}
