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

// pkgSpec describes a package built for the engine's command tests.
type pkgSpec struct {
	name, version string
	files         map[string]string // path -> contents
	scripts       map[string]string // member -> body after "#!/bin/sh"
	conffiles     []string
	fields        string // extra control lines
	arch          string // Architecture; all when empty
}

// buildPkg writes the archive of s into dir and returns its path.
func buildPkg(t *testing.T, dir string, s pkgSpec) string {
	t.Helper()
	m := fstest.MapFS{}
	arch := s.arch
	if arch == "" {
		arch = "all"
	}
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: t <t@example.org>\nInstalled-Size: 1\nDescription: test package %s\n%s",
		s.name, s.version, arch, s.name, s.fields)
	m["DEBIAN/control"] = &fstest.MapFile{Data: []byte(control), Mode: 0o644}
	for p, c := range s.files {
		m[strings.TrimPrefix(p, "/")] = &fstest.MapFile{Data: []byte(c), Mode: 0o644}
	}
	for n, body := range s.scripts {
		m["DEBIAN/"+n] = &fstest.MapFile{Data: []byte("#!/bin/sh\n" + body), Mode: 0o755}
	}
	if len(s.conffiles) > 0 {
		m["DEBIAN/conffiles"] = &fstest.MapFile{Data: []byte(strings.Join(s.conffiles, "\n") + "\n"), Mode: 0o644}
	}
	for p := range m {
		for d := filepath.Dir(p); d != "."; d = filepath.Dir(d) {
			m[d] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
		}
	}
	p := filepath.Join(dir, s.name+"_"+s.version+"_"+arch+".deb")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := deb.Build(m, out, deb.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	return p
}

// emptyRoot returns a fresh root with an aim.conf holding conf.
func emptyRoot(t *testing.T, conf string) string {
	t.Helper()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/aim"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/aim/aim.conf"), []byte("architecture = amd64\n"+conf), 0o644)
	return root
}
