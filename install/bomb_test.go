package install

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"aim/deb"
	"aim/deb/unpack"
)

// buildBomb writes a package declaring Installed-Size 1 whose data is n
// files of 1 MiB of zeros (the archive stays small), and returns its
// path.
func buildBomb(t *testing.T, dir string, n int) string {
	zeros := make([]byte, 1<<20)
	m := fstest.MapFS{
		"DEBIAN":         {Mode: fs.ModeDir | 0o755},
		"DEBIAN/control": {Data: []byte("Package: bomb\nVersion: 1\nArchitecture: all\nInstalled-Size: 1\nMaintainer: t <t@example.org>\nDescription: test\n"), Mode: 0o644},
		"opt":            {Mode: fs.ModeDir | 0o755},
		"opt/bomb":       {Mode: fs.ModeDir | 0o755},
	}
	for i := 0; i < n; i++ {
		m[fmt.Sprintf("opt/bomb/z%03d", i)] = &fstest.MapFile{Data: zeros, Mode: 0o644}
	}
	p := filepath.Join(dir, "bomb_1.deb")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := deb.Build(m, out, deb.BuildOptions{Compression: deb.Zstd}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUnpackBomb installs a package that declares an Installed-Size of
// 1 KiB and holds 100 MiB: staging stops at unpack.SizeLimit, the
// install fails with a *unpack.LimitError, and nothing is left behind.
func TestUnpackBomb(t *testing.T) {
	f := newFixture(t)
	p := buildBomb(t, f.dir, 100)
	if fi, _ := os.Stat(p); fi.Size() > 1<<20 {
		t.Fatalf("the bomb is %d bytes: not a bomb", fi.Size())
	}
	before := f.snapshot()
	_, err := f.run(false, Change{Action: Install, Name: "bomb", Version: "1", Path: p})
	var le *unpack.LimitError
	if !errors.As(err, &le) || le.Limit != unpack.SizeLimit(1) {
		t.Fatalf("install: %v, want a *unpack.LimitError at %d bytes", err, unpack.SizeLimit(1))
	}
	if after := f.snapshot(); after != before {
		t.Errorf("the root changed")
	}
	f.checkConsistent()
}
