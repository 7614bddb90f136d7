package deb

import (
	"bytes"
	"io"
	"math/rand"
	"testing"
	"time"
)

// callCounter counts the Read calls made on it; it is not an
// io.ByteReader, as a file is not.
type callCounter struct {
	r     io.Reader
	calls int
}

func (c *callCounter) Read(p []byte) (int, error) {
	c.calls++
	return c.r.Read(p)
}

// TestArchiveReaderReadsInBlocks checks that reading a whole package, as
// the engine stages it, reads its stream in blocks rather than a byte at
// a time, whatever the compression.
func TestArchiveReaderReadsInBlocks(t *testing.T) {
	noise := make([]byte, 512<<10) // incompressible, so the archive is large
	rand.New(rand.NewSource(1)).Read(noise)
	files := append([]treeFile{}, sampleFiles...)
	files = append(files, treeFile{name: "usr/lib/noise", body: string(noise), mode: 0644})
	dir := makeTree(t, files, time.Unix(1700000000, 0))
	for _, c := range []Compression{Xz, Gzip, Zstd, None} {
		t.Run(string(c), func(t *testing.T) {
			pkg := buildBytes(t, dir, BuildOptions{Compression: c})
			cc := &callCounter{r: bytes.NewReader(pkg)}
			ar, err := NewArchiveReader(cc)
			if err != nil {
				t.Fatal(err)
			}
			dr, err := ar.Data()
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := dr.Next(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, dr); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := ar.Signatures(); err != nil {
				t.Fatal(err)
			}
			// 4 KiB a read on average at least, plus a few calls per
			// member for headers and the ends of streams.
			if limit := len(pkg)/4096 + 64; cc.calls > limit {
				t.Errorf("%d read calls for %d bytes; want at most %d", cc.calls, len(pkg), limit)
			}
		})
	}
}
