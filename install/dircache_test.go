package install

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDirCache resolves paths as hostPath does, through symlinked and
// missing directories, and again after forget once a symlink moved.
func TestDirCache(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "usr/lib/x"), 0o755)
	os.MkdirAll(filepath.Join(root, "other"), 0o755)
	os.Symlink("usr/lib", filepath.Join(root, "lib"))
	os.Symlink("/other", filepath.Join(root, "usr/lib/x/up"))
	c := newDirCache(root)
	paths := []string{"/lib/a", "/lib/b", "/usr/lib/x/up/f", "/missing/dir/f", "/top", "/lib/x/", "/usr/lib/x/up"}
	check := func() {
		t.Helper()
		for _, p := range paths {
			want, werr := hostPath(root, p)
			got, err := c.hostPath(p)
			if got != want || (err == nil) != (werr == nil) {
				t.Errorf("%s: %q %v, want %q %v", p, got, err, want, werr)
			}
		}
	}
	check()
	check() // from the cache
	os.Remove(filepath.Join(root, "lib"))
	os.Symlink("other", filepath.Join(root, "lib"))
	c.forget()
	check()
}
