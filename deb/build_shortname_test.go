package deb

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestBuildOneCharacterNames builds a tree whose top level holds names of
// one character, which once made the tree walk slice out of range.
func TestBuildOneCharacterNames(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "DEBIAN"), 0o755)
	os.WriteFile(filepath.Join(dir, "DEBIAN/control"), []byte("Package: a\nVersion: 1\nArchitecture: all\nMaintainer: M <m@example.org>\nDescription: d\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(dir, "b"), 0o755)
	var out bytes.Buffer
	if _, err := Build(os.DirFS(dir), &out, BuildOptions{Compression: None}); err != nil {
		t.Fatal(err)
	}
	ar, err := NewArchiveReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	dr, err := ar.Data()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for {
		h, err := dr.Next()
		if err != nil {
			break
		}
		names = append(names, h.Name)
	}
	if len(names) != 3 || names[1] != "./a" || names[2] != "./b/" {
		t.Errorf("entries %q", names)
	}
}
