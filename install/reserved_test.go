package install

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"aim/deb"
	"aim/deb/rootfs"
)

// buildRaw builds a package named name whose data is m as given (with
// symlinks), beside the fixture's other archives.
func (f *fixture) buildRaw(name string, m fstest.MapFS) string {
	return f.buildRawVersion(name, "1.0", m)
}

// buildRawVersion is buildRaw at version v.
func (f *fixture) buildRawVersion(name, v string, m fstest.MapFS) string {
	f.t.Helper()
	m["DEBIAN"] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
	m["DEBIAN/control"] = &fstest.MapFile{Data: []byte("Package: " + name + "\nVersion: " + v + "\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n"), Mode: 0o644}
	p := filepath.Join(f.dir, name+"_"+v+".deb")
	out, err := os.Create(p)
	if err != nil {
		f.t.Fatal(err)
	}
	defer out.Close()
	if _, err := deb.Build(m, out, deb.BuildOptions{}); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// TestReservedMembers installs packages that ship files in aim's and
// dpkg's own directories, or a symlink on the way to them: each is
// refused with a *rootfs.ReservedPathError, and nothing under the root
// changes (aim's database keeps working).
func TestReservedMembers(t *testing.T) {
	dir := func() *fstest.MapFile { return &fstest.MapFile{Mode: fs.ModeDir | 0o755} }
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), Mode: 0o644} }
	link := func(to string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(to), Mode: fs.ModeSymlink | 0o777}
	}
	tests := map[string]fstest.MapFS{
		"aim.db": {"var": dir(), "var/lib": dir(), "var/lib/aim": dir(), "var/lib/aim/aim.db": file("junk")},
		"info script": {"var": dir(), "var/lib": dir(), "var/lib/aim": dir(), "var/lib/aim/info": dir(),
			"var/lib/aim/info/victim.prerm": file("#!/bin/sh\ntouch /pwned\n")},
		"dpkg status":   {"var": dir(), "var/lib": dir(), "var/lib/dpkg": dir(), "var/lib/dpkg/status": file("Package: fake\nStatus: install ok installed\n")},
		"archives link": {"var": dir(), "var/cache": dir(), "var/cache/aim": dir(), "var/cache/aim/archives": link("/elsewhere")},
		"etc link":      {"etc": link("/elsewhere")},
		"sources":       {"etc": dir(), "etc/aim": dir(), "etc/aim/sources.list.d": dir(), "etc/aim/sources.list.d/evil.list": file("deb http://evil/ ./\n")},
		"log dir":       {"var": dir(), "var/log": dir(), "var/log/aim": dir()},
	}
	for name, m := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.mustRun(f.install(spec{name: "victim", version: "1", files: map[string]string{"/usr/share/victim/x": "x"}}))
			before := f.snapshot()
			m["usr"], m["usr/share"], m["usr/share/evil"], m["usr/share/evil/a"] = dir(), dir(), dir(), file("a")
			c := Change{Action: Install, Name: "evil", Version: "1.0", Path: f.buildRaw("evil", m)}
			_, err := f.run(false, c)
			var re *rootfs.ReservedPathError
			if !errors.As(err, &re) {
				t.Fatalf("install: %v, want a *rootfs.ReservedPathError", err)
			}
			if !strings.Contains(err.Error(), "evil") {
				t.Errorf("error %q does not name the package", err)
			}
			if after := f.snapshot(); after != before {
				t.Errorf("the root changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if _, err := f.d.Installed("victim", ""); err != nil {
				t.Errorf("the database lost victim: %v", err)
			}
			if _, err := os.Lstat(filepath.Join(f.root, rootfs.LogDir)); err == nil {
				if fi, _ := os.Lstat(filepath.Join(f.root, rootfs.LogDir)); fi.Mode()&fs.ModeSymlink != 0 {
					t.Error("var/log/aim became a symlink")
				}
			}
			f.checkConsistent()
		})
	}
}
