package unpack

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"aim/deb"
)

// demoTree writes a package tree with every kind of entry.
func demoTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"DEBIAN", "usr/bin", "usr/share/doc/x", "var/lib/x"} {
		must(os.MkdirAll(filepath.Join(dir, d), 0755))
	}
	must(os.WriteFile(filepath.Join(dir, "DEBIAN/control"), []byte("Package: x\nVersion: 1\nArchitecture: all\nMaintainer: m\nDescription: d\n"), 0644))
	must(os.WriteFile(filepath.Join(dir, "usr/bin/x"), []byte("#!/bin/sh\n"), 0755))
	must(os.Chmod(filepath.Join(dir, "usr/bin/x"), 0755|fs.ModeSetuid))
	must(os.WriteFile(filepath.Join(dir, "usr/share/doc/x/README"), bytes.Repeat([]byte("doc "), 3000), 0644))
	must(os.Link(filepath.Join(dir, "usr/share/doc/x/README"), filepath.Join(dir, "usr/share/doc/x/README.link")))
	must(os.Symlink("x", filepath.Join(dir, "usr/bin/y")))
	must(os.Symlink("/usr/bin/x", filepath.Join(dir, "usr/bin/z")))
	must(syscall.Mkfifo(filepath.Join(dir, "var/lib/x/fifo"), 0600))
	must(os.Chmod(filepath.Join(dir, "var/lib/x"), 0700))
	return dir
}

func TestExtractMatchesDpkgDebX(t *testing.T) {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not installed")
	}
	var pkg bytes.Buffer
	if _, err := deb.Build(os.DirFS(demoTree(t)), &pkg, deb.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "x.deb")
	if err := os.WriteFile(file, pkg.Bytes(), 0644); err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(t.TempDir(), "dpkg")
	if out, err := exec.Command("dpkg-deb", "-x", file, theirs).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	ar, err := deb.NewArchiveReader(bytes.NewReader(pkg.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	dr, err := ar.Data()
	if err != nil {
		t.Fatal(err)
	}
	ours := t.TempDir()
	if _, err := Extract(dr, ours, Options{Chown: os.Geteuid() == 0}); err != nil {
		t.Fatal(err)
	}
	compareExtracted(t, theirs, ours)
}

// compareExtracted checks that two extracted trees agree in names, types,
// modes, owners, contents, link targets and (but for directories, see
// below) mtimes.
func compareExtracted(t *testing.T, want, got string) {
	t.Helper()
	n := 0
	filepath.WalkDir(want, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		rel, _ := filepath.Rel(want, p)
		if rel == "." {
			return nil
		}
		n++
		w, _ := os.Lstat(p)
		g, err := os.Lstat(filepath.Join(got, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		ws, gs := w.Sys().(*syscall.Stat_t), g.Sys().(*syscall.Stat_t)
		if w.Mode() != g.Mode() || ws.Uid != gs.Uid || ws.Gid != gs.Gid {
			t.Errorf("%s: %v %d:%d, dpkg-deb -x gives %v %d:%d", rel, g.Mode(), gs.Uid, gs.Gid, w.Mode(), ws.Uid, ws.Gid)
		}
		// GNU tar creates symlinks after restoring directory times, so
		// dpkg-deb -x leaves some directories with the current time.
		if !w.IsDir() && !w.ModTime().Equal(g.ModTime()) {
			t.Errorf("%s: mtime %v, dpkg-deb -x gives %v", rel, g.ModTime(), w.ModTime())
		}
		if w.Mode().IsRegular() {
			a, _ := os.ReadFile(p)
			b, _ := os.ReadFile(filepath.Join(got, rel))
			if !bytes.Equal(a, b) || ws.Nlink != gs.Nlink {
				t.Errorf("%s: contents or link count differ", rel)
			}
		}
		if w.Mode()&fs.ModeSymlink != 0 {
			a, _ := os.Readlink(p)
			b, _ := os.Readlink(filepath.Join(got, rel))
			if a != b {
				t.Errorf("%s: -> %q, dpkg-deb -x gives %q", rel, b, a)
			}
		}
		return nil
	})
	m := 0
	filepath.WalkDir(got, func(string, fs.DirEntry, error) error { m++; return nil })
	if m-1 != n {
		t.Errorf("%d entries extracted, dpkg-deb -x gives %d", m-1, n)
	}
}
