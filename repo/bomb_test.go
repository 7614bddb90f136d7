package repo

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ulikunitz/xz"

	"aim/deb"
	"aim/repo/sources"
)

// xzBomb returns an xz file that decompresses to n MiB of zeros: one
// stream of 1 MiB, repeated (xz decoders read concatenated streams).
func xzBomb(t testing.TB, n int) []byte {
	t.Helper()
	var one bytes.Buffer
	w, err := xz.NewWriter(&one)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(one.Bytes(), n)
}

// gzipBomb returns a gzip file that decompresses to n MiB of zeros: one
// member of 1 MiB, repeated (gzip readers read concatenated members).
func gzipBomb(t testing.TB, n int) []byte {
	t.Helper()
	var one bytes.Buffer
	w, _ := gzip.NewWriterLevel(&one, gzip.BestCompression)
	w.Write(make([]byte, 1<<20))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(one.Bytes(), n)
}

// TestUpdateStopsAtListedSize serves signed Releases whose compressed
// Packages are bombs of 1 GiB: decompression must stop at the size the
// Release lists for the uncompressed index (or, when it lists none, at
// the ratio bound), fail with an *IndexTooLargeError, and keep the
// source's previous lists.
func TestUpdateStopsAtListedSize(t *testing.T) {
	date := time.Date(2026, 12, 1, 4, 14, 9, 0, time.UTC)
	const bombMiB = 1024
	xzb, gzb := xzBomb(t, bombMiB), gzipBomb(t, bombMiB)
	t.Logf("xz bomb %d bytes, gzip bomb %d bytes, both %d MiB inflated", len(xzb), len(gzb), bombMiB)
	tests := []struct {
		name      string
		ext       string
		bomb      []byte
		listPlain bool  // list the uncompressed index (486 bytes)
		limit     int64 // the limit the error must report
	}{
		{"xz listed", ".xz", xzb, true, 486},
		{"gzip listed", ".gz", gzb, true, 486},
		{"xz unlisted", ".xz", xzb, false, minInflateLimit + maxInflateRatio*int64(len(xzb))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			r := newSignedRepo(t)
			u := newUpdater(t, root)
			u.Now = func() time.Time { return date.Add(time.Hour) }
			src := r.source(root)
			good := packagesIndex("1.0")
			r.publish(date, map[string][]byte{"main/binary-amd64/Packages": good})
			if _, err := u.Update(context.Background(), []sources.Source{src}); err != nil {
				t.Fatal(err)
			}
			var listed []ReleaseFile
			if tt.listPlain {
				listed = append(listed, ReleaseFile{Path: "main/binary-amd64/Packages", Size: 486, SHA256: sum256(make([]byte, 486))})
			}
			r.publish(date.Add(time.Minute), map[string][]byte{"main/binary-amd64/Packages" + tt.ext: tt.bomb}, listed...)
			os.Remove(filepath.Join(r.dir, "dists/stable/main/binary-amd64/Packages"))
			_, err := u.Update(context.Background(), []sources.Source{src})
			var big *IndexTooLargeError
			if !errors.As(err, &big) || big.Limit != tt.limit || big.Listed != tt.listPlain {
				t.Fatalf("got %v, want an *IndexTooLargeError with limit %d", err, tt.limit)
			}
			lists, _ := filepath.Glob(filepath.Join(root, ListsDir, "*Packages"))
			if len(lists) != 1 {
				t.Fatalf("lists %v", lists)
			}
			if data, _ := os.ReadFile(lists[0]); !bytes.Equal(data, good) {
				t.Errorf("previous index not kept: %q", data)
			}
		})
	}
}

// TestDecompressFileXz checks that an xz index decodes to its bytes and
// hash, and that a truncated one is an error, not a short index.
func TestDecompressFileXz(t *testing.T) {
	want := bytes.Repeat([]byte("Package: a\nVersion: 1\nArchitecture: all\n\n"), 5000)
	var z bytes.Buffer
	w, err := xz.NewWriter(&z)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(want)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	whole, cut := filepath.Join(dir, "whole.xz"), filepath.Join(dir, "cut.xz")
	os.WriteFile(whole, z.Bytes(), 0o644)
	os.WriteFile(cut, z.Bytes()[:z.Len()/2], 0o644)
	var out bytes.Buffer
	n, sum, err := decompressFile(whole, &out, deb.Xz, 1<<30)
	if err != nil || n != int64(len(want)) || sum != sum256(want) || !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("whole: %d bytes, %s, %v", n, sum, err)
	}
	if _, _, err := decompressFile(cut, io.Discard, deb.Xz, 1<<30); err == nil {
		t.Fatal("a truncated xz index decoded without error")
	}
}
