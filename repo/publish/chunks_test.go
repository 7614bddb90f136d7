package publish

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
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
