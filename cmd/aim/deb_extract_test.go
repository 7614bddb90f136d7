package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"aim/deb"
)

// TestDebExtractBomb extracts a package declaring Installed-Size 1 that
// holds 80 MiB of zeros: refused well past its size, naming --max-size;
// with --max-size raised it extracts.
func TestDebExtractBomb(t *testing.T) {
	zeros := make([]byte, 1<<20)
	m := fstest.MapFS{
		"DEBIAN":         {Mode: fs.ModeDir | 0o755},
		"DEBIAN/control": {Data: []byte("Package: bomb\nVersion: 1\nArchitecture: all\nInstalled-Size: 1\nMaintainer: t <t@example.org>\nDescription: test\n"), Mode: 0o644},
	}
	for i := 0; i < 80; i++ {
		m[fmt.Sprintf("z%02d", i)] = &fstest.MapFile{Data: zeros, Mode: 0o644}
	}
	p := filepath.Join(t.TempDir(), "bomb.deb")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := deb.Build(m, out, deb.BuildOptions{Compression: deb.Zstd}); err != nil {
		t.Fatal(err)
	}
	out.Close()
	_, stderr, code := aim(t, "deb", "extract", p, filepath.Join(t.TempDir(), "x"))
	if code == 0 || !strings.Contains(stderr, "--max-size") {
		t.Errorf("extract of a bomb: exit %d, stderr %q; want a refusal naming --max-size", code, stderr)
	}
	aimOK(t, "deb", "extract", "--max-size", "200000000", p, filepath.Join(t.TempDir(), "y"))
}
