package sources

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAddThroughPlantedSymlink adds a source to a root whose etc is a
// symlink to a directory outside it (as a package could once plant):
// the file is written inside the root, where the symlink resolves when
// the root is "/", and nothing is written outside.
func TestAddThroughPlantedSymlink(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "etc")); err != nil {
		t.Fatal(err)
	}
	if _, err := AddLine(root, "deb http://deb.example.org/debian bookworm main", AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("aim source add wrote outside the root: %v", entries)
	}
	inside := filepath.Join(root, outside, "aim/sources.list.d/deb.example.org-bookworm.sources")
	if _, err := os.Stat(inside); err != nil {
		t.Errorf("the source is not inside the root: %v", err)
	}
	srcs, err := Load(root, "")
	if err != nil || len(srcs) != 1 {
		t.Errorf("Load: %v, %d sources", err, len(srcs))
	}
}
