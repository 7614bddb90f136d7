package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sameLib is the build of a Multi-Arch: same library for arch, with a
// copyright file both builds share.
func sameLib(version, arch string) pkgSpec {
	return pkgSpec{name: "libfoo", version: version, arch: arch, fields: "Multi-Arch: same\nSection: libs\n",
		files: map[string]string{"/usr/lib/" + arch + "/libfoo.so": "foo " + arch + "\n",
			"/usr/share/doc/libfoo/copyright": "licence\n"}}
}

// TestCoinstallCommandLine installs the amd64 and i386 instances of a
// Multi-Arch: same library through the command line: listings name the
// foreign one libfoo:i386, JSON carries both architectures, files and
// remove take NAME:ARCH, and removing one instance keeps the other and
// the shared file.
func TestCoinstallCommandLine(t *testing.T) {
	root, _ := localRepo(t, sameLib("1", "amd64"), sameLib("1", "i386"))
	conf := filepath.Join(root, "etc/aim/aim.conf")
	data, _ := os.ReadFile(conf)
	os.WriteFile(conf, append(data, "foreign-architectures = i386\n"...), 0o644)
	aimOK(t, "--root", root, "update")

	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "libfoo")
	out := aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "libfoo:i386")
	if !strings.Contains(out, "libfoo:i386") {
		t.Errorf("install libfoo:i386 does not name the instance:\n%s", out)
	}
	list := aimOK(t, "--root", root, "list", "--installed")
	for _, want := range []string{"libfoo/flat 1 amd64 [installed]", "libfoo:i386/flat 1 i386 [installed]"} {
		if !strings.Contains(list, want) {
			t.Errorf("list --installed lacks %q:\n%s", want, list)
		}
	}
	var rows []struct {
		Name, Architecture, Installed string
	}
	if err := json.Unmarshal([]byte(aimOK(t, "--root", root, "--json", "list", "--installed")), &rows); err != nil {
		t.Fatal(err)
	}
	archs := map[string]bool{}
	for _, r := range rows {
		if r.Name == "libfoo" && r.Installed == "1" {
			archs[r.Architecture] = true
		}
	}
	if !archs["amd64"] || !archs["i386"] {
		t.Errorf("JSON list rows of libfoo: %+v, want one per architecture", rows)
	}
	if files := aimOK(t, "--root", root, "files", "libfoo:i386"); !strings.Contains(files, "/usr/lib/i386/libfoo.so\n") ||
		strings.Contains(files, "amd64") {
		t.Errorf("files libfoo:i386:\n%s", files)
	}
	if owners := aimOK(t, "--root", root, "owns", "/usr/share/doc/libfoo/copyright"); !strings.Contains(owners, "libfoo:") ||
		!strings.Contains(owners, "libfoo:i386:") {
		t.Errorf("owns of the shared file:\n%s", owners)
	}
	aimOK(t, "--root", root, "verify")

	aimOK(t, "--root", root, "remove", "-y", "--scripts-chrootless", "libfoo:i386")
	for p, want := range map[string]bool{"usr/lib/i386/libfoo.so": false, "usr/lib/amd64/libfoo.so": true,
		"usr/share/doc/libfoo/copyright": true} {
		if _, err := os.Stat(filepath.Join(root, p)); (err == nil) != want {
			t.Errorf("after removing libfoo:i386: %s exists = %v, want %v", p, err == nil, want)
		}
	}
	list = aimOK(t, "--root", root, "list", "--installed")
	if !strings.Contains(list, "libfoo/flat 1 amd64 [installed]") || strings.Contains(list, "libfoo:i386") {
		t.Errorf("list --installed after removing libfoo:i386:\n%s", list)
	}
	aimOK(t, "--root", root, "verify")
}
