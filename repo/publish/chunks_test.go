package publish

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ulikunitz/xz"

	"aim/deb"
)

// readIndexes returns the Packages indexes, compressed and not, that a
// publish of r left in dists/stable.
func readIndexes(t *testing.T, r *Repo) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, ext := range []string{"", ".gz", ".xz"} {
		p := filepath.Join(r.Dir, "dists/stable/main/binary-amd64/Packages"+ext)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out["Packages"+ext] = b
	}
	return out
}

// TestChunkCacheDamage publishes a repository whose chunk cache was
// copied from another's and then damaged as a crash may leave unsynced
// files (emptied, cut short, a byte changed, another chunk's bytes, a
// file without its checksum): every damaged chunk is compressed again,
// so the indexes are byte for byte those of the first repository, and
// the cache holds good chunks again. An intact cache is used as it is.
func TestChunkCacheDamage(t *testing.T) {
	src := t.TempDir()
	var files []string
	for i := range 300 {
		files = append(files, buildTestDeb(t, src, fmt.Sprintf("filler%d", i), "1", "all", "misc", nil))
	}
	first := newTestRepo(t, false)
	if _, err := first.Add(files, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	publish(t, first, testNow, 0)
	want := readIndexes(t, first)
	cacheDir := func(r *Repo) string { return filepath.Join(r.Dir, StateDir, chunkCacheDir) }
	names, err := filepath.Glob(filepath.Join(cacheDir(first), "*"))
	if err != nil || len(names) < 4 {
		t.Fatalf("%d cached chunks (%v), want several of each compression", len(names), err)
	}
	damages := []struct {
		name string
		do   func(b []byte, other []byte) []byte
	}{
		{"intact", func(b, _ []byte) []byte { return b }},
		{"empty", func(b, _ []byte) []byte { return nil }},
		{"cut short", func(b, _ []byte) []byte { return b[:len(b)/2] }},
		{"byte changed", func(b, _ []byte) []byte { b = bytes.Clone(b); b[len(b)/3] ^= 1; return b }},
		{"another chunk", func(_, other []byte) []byte { return other }},
		{"no checksum", func(b, _ []byte) []byte { return b[:len(b)-sha256.Size] }},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			r := newTestRepo(t, false)
			if _, err := r.Add(files, AddOptions{}); err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(cacheDir(r), 0o755)
			var damaged []string
			for i, n := range names {
				b, _ := os.ReadFile(n)
				other, _ := os.ReadFile(names[(i+1)%len(names)])
				nb := d.do(b, other)
				if !bytes.Equal(nb, b) {
					damaged = append(damaged, filepath.Base(n))
				}
				if err := os.WriteFile(filepath.Join(cacheDir(r), filepath.Base(n)), nb, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := map[string]os.FileInfo{}
			for _, n := range names {
				before[filepath.Base(n)], _ = os.Stat(filepath.Join(cacheDir(r), filepath.Base(n)))
			}
			publish(t, r, testNow, 0)
			got := readIndexes(t, r)
			for k, b := range want {
				if !bytes.Equal(got[k], b) {
					t.Errorf("%s differs from the first repository's", k)
				}
			}
			for _, n := range names {
				b, err := os.ReadFile(filepath.Join(cacheDir(r), filepath.Base(n)))
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := checkedChunk(filepath.Base(n), b); !ok {
					t.Errorf("cached chunk %s is still damaged", filepath.Base(n))
				}
			}
			for _, n := range damaged {
				fi, _ := os.Stat(filepath.Join(cacheDir(r), n))
				if os.SameFile(fi, before[n]) {
					t.Errorf("damaged chunk %s was not written again", n)
				}
			}
			if d.name == "intact" {
				for n, old := range before {
					if fi, _ := os.Stat(filepath.Join(cacheDir(r), n)); !os.SameFile(fi, old) {
						t.Errorf("intact chunk %s was written again", n)
					}
				}
			}
		})
	}
}

// TestChunkXzDict checks the dictionary of xz chunks: the smallest power
// of two holding the text, from 64 KiB up to xz's preset 1 (1 MiB).
func TestChunkXzDict(t *testing.T) {
	for _, c := range []struct{ n, want int }{
		{0, 64 << 10},
		{1, 64 << 10},
		{64 << 10, 64 << 10},
		{64<<10 + 1, 128 << 10},
		{300 << 10, 512 << 10},
		{1 << 20, 1 << 20},
		{5 << 20, 1 << 20},
	} {
		if got := chunkXzDict(c.n); got != c.want {
			t.Errorf("chunkXzDict(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

// TestChunkXzStatesItsDictionary compresses chunks of several sizes and
// reads back the LZMA2 dictionary size the block header states (xz file
// format 1.1.0, 3.1 and 5.3.1): it is chunkXzDict's, and the chunk
// decodes to its text.
func TestChunkXzStatesItsDictionary(t *testing.T) {
	for _, n := range []int{100, 70 << 10, 600 << 10} {
		text := make([]byte, n)
		for i := range text {
			text[i] = byte('a' + (i*7+i/13)%26)
		}
		var b bytes.Buffer
		if err := compressChunk(&b, text, deb.Xz); err != nil {
			t.Fatal(err)
		}
		s := b.Bytes()
		// Stream header (12 bytes), then the block header: its size,
		// flags (one filter, no sizes), filter ID 0x21, one property
		// byte, the dictionary code.
		if len(s) < 17 || s[13] != 0 || s[14] != 0x21 || s[15] != 1 {
			t.Fatalf("%d bytes: unexpected block header % x", n, s[12:min(len(s), 20)])
		}
		code := s[16]
		size := (2 | int(code)&1) << (code/2 + 11)
		if size != chunkXzDict(n) {
			t.Errorf("%d bytes: block states a %d-byte dictionary, want %d", n, size, chunkXzDict(n))
		}
		r, err := xz.NewReader(bytes.NewReader(s))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, text) {
			t.Errorf("%d bytes: decoded %d bytes (%v), want the text", n, len(got), err)
		}
	}
}

// TestChunkGzipReused compresses texts one after another with the
// pooled gzip writers and checks each result is byte for byte what a new
// writer at level 9 (deb.NewCompressor, as before the pool) gives: a
// reset writer keeps nothing of the text before.
func TestChunkGzipReused(t *testing.T) {
	texts := [][]byte{[]byte("Package: a\nVersion: 1\n\n"), bytes.Repeat([]byte("Package: b\nDescription: many words\n\n"), 3000), {}, []byte("Package: a\nVersion: 1\n\n")}
	for round := range 2 {
		for i, text := range texts {
			var want bytes.Buffer
			w, err := deb.NewCompressor(deb.Gzip, &want, 0)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(text)
			w.Close()
			var got bytes.Buffer
			if err := compressChunk(&got, text, deb.Gzip); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("round %d, text %d: %d bytes, a new writer gives %d", round, i, got.Len(), want.Len())
			}
		}
	}
}
