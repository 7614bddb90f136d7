package rootfs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAtomicFileStartsWriteback checks that writing through an
// AtomicFile, by Write, WriteString and ReadFrom (from a file, which
// takes copy_file_range, and from a plain reader), starts the writeback
// of each chunk once, in order and without gaps, and that the file
// committed holds every byte.
func TestAtomicFileStartsWriteback(t *testing.T) {
	type call struct{ off, n int64 }
	var calls []call
	old := syncFileRange
	syncFileRange = func(fd int, off, n int64, flags int) error {
		calls = append(calls, call{off, n})
		return old(fd, off, n, flags)
	}
	defer func() { syncFileRange = old }()

	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	fromFile := bytes.Repeat([]byte("f"), 2*writebackChunk+5)
	if err := os.WriteFile(src, fromFile, 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	f, err := CreateAtomic(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	var want bytes.Buffer
	small := bytes.Repeat([]byte("w"), writebackChunk/3)
	for range 4 { // the fourth write crosses the first chunk
		f.Write(small)
		want.Write(small)
	}
	text := strings.Repeat("s", writebackChunk)
	f.WriteString(text)
	want.WriteString(text)
	if _, err := f.ReadFrom(in); err != nil {
		t.Fatal(err)
	}
	want.Write(fromFile)
	plain := bytes.Repeat([]byte("p"), writebackChunk+1)
	if _, err := f.ReadFrom(struct{ *bytes.Reader }{bytes.NewReader(plain)}); err != nil {
		t.Fatal(err)
	}
	want.Write(plain)
	tail := []byte("tail")
	f.Write(tail)
	want.Write(tail)

	path := filepath.Join(dir, "out")
	if err := f.Commit(path, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("committed %d bytes, want %d", len(got), want.Len())
	}
	if len(calls) != 4 {
		t.Fatalf("writeback started %d times (%v), want 4: after the fourth write, the string, and each copy", len(calls), calls)
	}
	var next int64
	for _, c := range calls {
		if c.off != next || c.n < writebackChunk {
			t.Fatalf("writeback ranges %v: want consecutive ranges of at least %d bytes from 0", calls, writebackChunk)
		}
		next = c.off + c.n
	}
	if last := int64(want.Len()) - next; last != int64(len(tail)) {
		t.Errorf("writeback left %d bytes to the sync, want the %d of the last write", last, len(tail))
	}
}
