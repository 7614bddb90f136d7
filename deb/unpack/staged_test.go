package unpack

import (
	"archive/tar"
	"os"
	"path/filepath"
	"testing"
)

// TestExtractStaged stages beside the targets, leaving them untouched:
// stale staged files and symlinks from an earlier attempt (one a symlink
// leading outside the root) are replaced, never followed, and entries
// that share a directory, reached through a symlink or not, land in it.
func TestExtractStaged(t *testing.T) {
	const sfx = ".tmp"
	base, root := sandbox(t)
	victim := filepath.Join(base, "outside", "sentinel")
	os.MkdirAll(filepath.Join(root, "usr/lib"), 0755)
	os.MkdirAll(filepath.Join(root, "usr/bin"), 0755)
	os.Symlink("usr/lib", filepath.Join(root, "lib"))
	os.WriteFile(filepath.Join(root, "usr/bin/tool"), []byte("old"), 0644)
	os.Symlink(victim, filepath.Join(root, "usr/bin/tool"+sfx))
	os.WriteFile(filepath.Join(root, "usr/bin/link"+sfx), []byte("stale"), 0644)
	tr := tarStream(t,
		th{name: "./usr/bin/", typ: tar.TypeDir, mode: 0755},
		th{name: "./usr/bin/tool", typ: tar.TypeReg, mode: 0755, body: "new"},
		th{name: "./usr/bin/link", typ: tar.TypeSymlink, link: "tool"},
		th{name: "./usr/bin/hard", typ: tar.TypeLink, link: "./usr/bin/tool"},
		th{name: "./lib/libx.so", typ: tar.TypeReg, body: "x"},
		th{name: "./lib/liby.so", typ: tar.TypeReg, body: "y"},
		th{name: "./usr/share/deep/f", typ: tar.TypeReg, body: "f"},
	)
	if _, err := ExtractStaged(tr, root, sfx, Options{}); err != nil {
		t.Fatal(err)
	}
	checkOutside(t, base)
	for p, body := range map[string]string{"usr/bin/tool": "old", "usr/bin/tool" + sfx: "new",
		"usr/bin/hard" + sfx: "new", "usr/lib/libx.so" + sfx: "x", "usr/lib/liby.so" + sfx: "y",
		"usr/share/deep/f" + sfx: "f"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err != nil || string(b) != body {
			t.Errorf("%s: %q %v, want %q", p, b, err, body)
		}
	}
	if l, err := os.Readlink(filepath.Join(root, "usr/bin/link"+sfx)); err != nil || l != "tool" {
		t.Errorf("staged link -> %q %v", l, err)
	}
	for _, p := range []string{"usr/bin/tool" + sfx, "usr/lib/liby.so" + sfx, "usr/bin/link" + sfx} {
		fi, err := os.Lstat(filepath.Join(root, p))
		if err != nil || !fi.ModTime().Equal(mtime) {
			t.Errorf("%s: %v %v, want mtime %v", p, fi, err, mtime)
		}
	}
	if fi, _ := os.Lstat(filepath.Join(root, "usr/bin/tool"+sfx)); fi.Mode() != 0755 {
		t.Errorf("staged tool mode %v", fi.Mode())
	}
	if _, err := os.Lstat(filepath.Join(root, "lib/libx.so")); err == nil {
		t.Error("the target of a staged file was written")
	}
}

// TestExtractStagedDirectoryInTheWay stages below a path that resolved
// through a symlink until the caller's Check moved the symlink out of a
// directory entry's way: the entries after it go to the new directory,
// not to where the symlink led.
func TestExtractStagedDirectoryInTheWay(t *testing.T) {
	base, root := sandbox(t)
	os.Symlink("gone", filepath.Join(root, "d"))
	check := func(name string, isDir bool) error {
		if name == "d" && isDir {
			return os.Rename(filepath.Join(root, "d"), filepath.Join(root, "d.moved"))
		}
		return nil
	}
	tr := tarStream(t,
		th{name: "./d/a", typ: tar.TypeReg, body: "a"},
		th{name: "./d/", typ: tar.TypeDir, mode: 0755},
		th{name: "./d/b", typ: tar.TypeReg, body: "b"},
	)
	if _, err := ExtractStaged(tr, root, ".tmp", Options{Check: check}); err != nil {
		t.Fatal(err)
	}
	checkOutside(t, base)
	if fi, err := os.Lstat(filepath.Join(root, "d")); err != nil || !fi.IsDir() {
		t.Fatalf("d: %v %v, want a directory", fi, err)
	}
	for p, body := range map[string]string{"gone/a.tmp": "a", "d/b.tmp": "b"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err != nil || string(b) != body {
			t.Errorf("%s: %q %v, want %q", p, b, err, body)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "gone/b.tmp")); !os.IsNotExist(err) {
		t.Errorf("b staged through the moved symlink (%v)", err)
	}
}
