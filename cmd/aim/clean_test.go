package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCleanStaysInsideRoot plants symlinks in aim's cache (the archives
// directory, or var/cache itself) that point outside the root at a
// directory holding a .deb: aim clean resolves its paths inside the root
// and never deletes that file.
func TestCleanStaysInsideRoot(t *testing.T) {
	for _, planted := range []string{"var/cache/aim/archives", "var/cache"} {
		t.Run(planted, func(t *testing.T) {
			root := t.TempDir()
			outside := t.TempDir()
			victim := filepath.Join(outside, "precious.deb")
			os.WriteFile(victim, []byte("keep me"), 0o644)
			os.MkdirAll(filepath.Join(root, filepath.Dir(planted)), 0o755)
			if err := os.Symlink(outside, filepath.Join(root, planted)); err != nil {
				t.Fatal(err)
			}
			aimOK(t, "--root", root, "clean")
			if _, err := os.Stat(victim); err != nil {
				t.Errorf("aim clean deleted %s outside the root: %v", victim, err)
			}
		})
	}
}
