package unpack

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fuzzed archives name files from a small alphabet that includes ".."
// and names unlikely to exist at the top of the file system, so that an
// escape, relative or absolute, would show.
var fuzzNames = []string{"aimfzA", "aimfzB", "..", ".", "outside", "sentinel", "aimfzC", ""}

// fuzzPath turns the bits of b into a path of one to three components.
func fuzzPath(b byte) string {
	parts := []string{fuzzNames[b&7]}
	if b&0x40 != 0 {
		parts = append(parts, fuzzNames[(b>>3)&7])
	}
	if b&0x80 != 0 {
		parts = append(parts, fuzzNames[(b>>2)&7])
	}
	return strings.Join(parts, "/")
}

// fuzzArchive decodes data, three bytes an entry (type, name, target),
// into a tar stream.
func fuzzArchive(data []byte) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for i := 0; i+2 < len(data); i += 3 {
		h := &tar.Header{Name: "./" + fuzzPath(data[i+1]), Mode: 0644, Format: tar.FormatGNU}
		target := fuzzPath(data[i+2])
		switch data[i] % 6 {
		case 0:
			h.Typeflag, h.Mode = tar.TypeDir, 0755
		case 1:
			h.Typeflag, h.Size = tar.TypeReg, 1
		case 2:
			h.Typeflag, h.Linkname = tar.TypeSymlink, target
		case 3:
			h.Typeflag, h.Linkname = tar.TypeSymlink, "/"+target
		case 4:
			h.Typeflag, h.Linkname = tar.TypeLink, "./"+target
		case 5:
			h.Typeflag = tar.TypeFifo
		}
		if data[i]&0x80 != 0 {
			h.Name = "/" + h.Name[2:]
		}
		if tw.WriteHeader(h) != nil {
			continue
		}
		if h.Size == 1 {
			tw.Write([]byte{'F'})
		}
	}
	tw.Close()
	return b.Bytes()
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte{2, 0, 0x43, 1, 0x40, 0}) // aimfzA -> ../outside... then aimfzA/aimfzA
	f.Add([]byte{3, 1, 4, 1, 0x41, 0})    // aimfzB -> /outside, then aimfzB/aimfzA
	f.Add([]byte{1, 5, 0, 4, 0, 0x45})    // hard link to a file
	f.Add([]byte{2, 0, 0x53, 0, 0x40, 0, 1, 0x80, 0})
	f.Add([]byte{0x81, 4, 0, 2, 5, 0xda})
	f.Fuzz(func(t *testing.T, data []byte) {
		base, root := sandbox(t)
		os.Symlink("../outside", filepath.Join(root, "up"))
		os.Symlink("/", filepath.Join(root, "top"))
		archive := fuzzArchive(data)
		Extract(tar.NewReader(bytes.NewReader(archive)), root, Options{MaxEntries: 64})
		checkOutside(t, base)
		for _, n := range []string{"aimfzA", "aimfzB", "aimfzC", "outside", "sentinel"} {
			if _, err := os.Lstat(filepath.Join("/", n)); err == nil {
				t.Fatalf("/%s exists after extraction", n)
			}
		}
	})
}
