package deb

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// withFile returns sampleFiles with f added, or replacing the file of the
// same name; a zero mode removes it.
func withFile(files []treeFile, f treeFile) []treeFile {
	var out []treeFile
	replaced := false
	for _, g := range files {
		if g.name == f.name {
			replaced = true
			if f.mode != 0 || f.body != "" {
				out = append(out, f)
			}
			continue
		}
		out = append(out, g)
	}
	if !replaced {
		out = append(out, f)
	}
	return out
}

func controlFile(body string) treeFile {
	return treeFile{name: "DEBIAN/control", body: body, mode: 0644}
}

func TestBuildRefuses(t *testing.T) {
	tests := []struct {
		name string
		file treeFile
		want string
	}{
		{"no package", controlFile("Version: 1\nArchitecture: all\n"), "missing 'Package' field"},
		{"bad package", controlFile("Package: Foo_bar\nVersion: 1\nArchitecture: all\n"), "package name"},
		{"no version", controlFile("Package: x\nArchitecture: all\n"), "missing 'Version' field"},
		{"bad version", controlFile("Package: x\nVersion: a:1\nArchitecture: all\n"), "epoch in version"},
		{"no arch", controlFile("Package: x\nVersion: 1\n"), "architecture is missing"},
		{"bad arch", controlFile("Package: x\nVersion: 1\nArchitecture: all!\n"), "invalid architecture"},
		{"unparsable", controlFile("Package x\n"), "DEBIAN/control: line 1"},
		{"two paragraphs", controlFile("Package: x\n\nPackage: y\n"), "more than one paragraph"},
		{"no control", treeFile{name: "DEBIAN/control"}, "DEBIAN/control: missing"},
		{"control dir", treeFile{name: "DEBIAN/control", mode: fs.ModeDir | 0755}, "not a plain file"},
		{"script mode", treeFile{name: "DEBIAN/postinst", body: "#!/bin/sh\n", mode: 0644}, "bad permissions 644"},
		{"script writable", treeFile{name: "DEBIAN/postinst", body: "#!/bin/sh\n", mode: 0777}, "bad permissions 777"},
		{"script dir", treeFile{name: "DEBIAN/prerm", mode: fs.ModeDir | 0755}, "'prerm' is not a plain file"},
		{"debian mode", treeFile{name: "DEBIAN", mode: fs.ModeDir | 0700}, "bad permissions 700"},
		{"conffile newline", treeFile{name: "DEBIAN/conffiles", body: "/etc/sample.conf", mode: 0644}, "missing final newline"},
		{"conffile relative", treeFile{name: "DEBIAN/conffiles", body: "etc/sample.conf\n", mode: 0644}, "not an absolute pathname"},
		{"conffile empty line", treeFile{name: "DEBIAN/conffiles", body: "\n", mode: 0644}, "not an absolute pathname"},
		{"conffile missing", treeFile{name: "DEBIAN/conffiles", body: "/etc/nope\n", mode: 0644}, "does not appear in package"},
		{"conffile removed", treeFile{name: "DEBIAN/conffiles", body: "remove-on-upgrade /etc/sample.conf\n", mode: 0644}, "requested to be removed"},
		{"conffile flag", treeFile{name: "DEBIAN/conffiles", body: "keep /etc/sample.conf\n", mode: 0644}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := makeTree(t, withFile(sampleFiles, tt.file), time.Unix(1700000000, 0))
			_, err := Build(os.DirFS(dir), io.Discard, BuildOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := Build(fstest.MapFS{}, io.Discard, BuildOptions{}); err == nil {
		t.Error("tree without DEBIAN accepted")
	}
	if _, err := Build(fstest.MapFS{"DEBIAN": {Data: []byte("x")}}, io.Discard, BuildOptions{}); err == nil {
		t.Error("DEBIAN file accepted")
	}
	if _, err := Build(os.DirFS(t.TempDir()), io.Discard, BuildOptions{Compression: Bzip2}); err == nil {
		t.Error("bzip2 accepted for building")
	}
}

func TestBuildWarns(t *testing.T) {
	tests := []struct {
		name string
		file treeFile
		want string
	}{
		{"no maintainer", controlFile("Package: x\nVersion: 1\nArchitecture: all\nDescription: d\n"), "missing 'Maintainer' field"},
		{"no description", controlFile("Package: x\nVersion: 1\nArchitecture: all\nMaintainer: m\n"), "missing 'Description' field"},
		{"odd version", controlFile("Package: x\nVersion: v1\nArchitecture: all\nMaintainer: m\nDescription: d\n"), "does not start with digit"},
		{"duplicate conffile", treeFile{name: "DEBIAN/conffiles", body: "/etc/sample.conf\n/etc/sample.conf\n", mode: 0644}, "is duplicated"},
		{"conffile dir", treeFile{name: "DEBIAN/conffiles", body: "/etc\n", mode: 0644}, "not a plain file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := makeTree(t, withFile(sampleFiles, tt.file), time.Unix(1700000000, 0))
			var warnings []string
			_, err := Build(os.DirFS(dir), io.Discard, BuildOptions{Warn: func(m string) { warnings = append(warnings, m) }})
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], tt.want) {
				t.Errorf("warnings %q, want one containing %q", warnings, tt.want)
			}
		})
	}
}

func TestBuildGeneratesMd5sumsAndSize(t *testing.T) {
	files := []treeFile{
		{name: "DEBIAN", mode: fs.ModeDir | 0755},
		controlFile("Package: g\nVersion: 1\nArchitecture: all\nMaintainer: m\nDescription: d\n"),
		{name: "DEBIAN/conffiles", body: "/etc/g.conf\n", mode: 0644},
		{name: "etc", mode: fs.ModeDir | 0755},
		{name: "etc/g.conf", body: "c\n", mode: 0644},
		{name: "usr", mode: fs.ModeDir | 0755},
		{name: "usr/a", body: strings.Repeat("a", 1025), mode: 0644},
		{name: "usr/b", body: "", mode: 0644},
		{name: "usr/hard", link: "usr/a", hard: true, mode: 0644},
		{name: "usr/link", link: strings.Repeat("t", 1500), mode: fs.ModeSymlink | 0777},
	}
	dir := makeTree(t, files, time.Unix(1700000000, 0))
	ar, _ := readEntries(t, buildBytes(t, dir, BuildOptions{}))
	ctl := ar.Control()
	// ., etc, usr: 3; g.conf 1; a 2; b 0; hard 0 (counted once); link 2.
	if got := ctl.Control.Get("Installed-Size"); got != "8" {
		t.Errorf("Installed-Size = %q, want 8", got)
	}
	if i := ctl.Control.Fields[4]; i.Name != "Installed-Size" {
		t.Errorf("Installed-Size is not after Maintainer: %v", ctl.Control.Fields)
	}
	sum := func(s string) string { return fmt.Sprintf("%x", md5.Sum([]byte(s))) }
	want := sum(strings.Repeat("a", 1025)) + "  usr/a\n" + sum("") + "  usr/b\n" + sum(strings.Repeat("a", 1025)) + "  usr/hard\n"
	if m, ok := ctl.Member("md5sums"); !ok || string(m.Data) != want || m.Mode.Perm() != 0644 {
		t.Errorf("md5sums = %q, want %q", m.Data, want)
	}
}

func TestBuildKeepsGivenControl(t *testing.T) {
	control := "Package: k\nVersion: 1\nArchitecture: all\nMaintainer: m\nInstalled-Size: 99\nDescription:  d \n"
	files := []treeFile{
		{name: "DEBIAN", mode: fs.ModeDir | 0755},
		controlFile(control),
		{name: "DEBIAN/md5sums", body: "given\n", mode: 0644},
		{name: "usr", mode: fs.ModeDir | 0755},
		{name: "usr/a", body: "a", mode: 0644},
	}
	dir := makeTree(t, files, time.Unix(1700000000, 0))
	p, err := Build(os.DirFS(dir), io.Discard, BuildOptions{})
	if err != nil || p.Get("Installed-Size") != "99" {
		t.Fatalf("Build() = %v, %v", p, err)
	}
	ar, _ := readEntries(t, buildBytes(t, dir, BuildOptions{}))
	if m, _ := ar.Control().Member("control"); string(m.Data) != control {
		t.Errorf("control rewritten: %q", m.Data)
	}
	if m, _ := ar.Control().Member("md5sums"); string(m.Data) != "given\n" {
		t.Errorf("md5sums rewritten: %q", m.Data)
	}
}

// copyTree copies a test tree, giving every file the mtime mtime.
func copyTree(t *testing.T, src string, mtime time.Time) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	cmdCopy := func() error {
		return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			return copyOne(p, filepath.Join(dst, rel), d)
		})
	}
	if err := cmdCopy(); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			setTimes(p, mtime)
		}
		return nil
	})
	return dst
}

func copyOne(src, dst string, d fs.DirEntry) error {
	fi, err := d.Info()
	if err != nil {
		return err
	}
	switch {
	case fi.IsDir():
		if err := os.Mkdir(dst, 0700); err != nil {
			return err
		}
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(src)
		return os.Symlink(target, dst)
	case fi.Mode()&fs.ModeNamedPipe != 0:
		return makeFile(dst, "", treeFile{mode: fi.Mode()})
	default:
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0600); err != nil {
			return err
		}
	}
	return os.Chmod(dst, fi.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
}

func TestBuildReproducible(t *testing.T) {
	files := withFile(sampleFiles, treeFile{name: "usr/share/doc/sample/README.hard", body: "no hard link in copies\n", mode: 0644})
	dir := makeTree(t, files, time.Unix(1700000000, 0))
	newer := copyTree(t, dir, time.Unix(1800000000, 0))
	sde := epoch(1650000000)
	for _, c := range allCompressions {
		t.Run(string(c), func(t *testing.T) {
			a := buildBytes(t, dir, BuildOptions{Compression: c})
			if b := buildBytes(t, dir, BuildOptions{Compression: c}); !bytes.Equal(a, b) {
				t.Error("two builds of the same tree differ")
			}
			f, err := os.Create(filepath.Join(t.TempDir(), "x.deb"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Build(os.DirFS(dir), f, BuildOptions{Compression: c}); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if b, _ := os.ReadFile(f.Name()); !bytes.Equal(a, b) {
				t.Error("build streamed to a file differs from a build in memory")
			}
			x := buildBytes(t, dir, BuildOptions{Compression: c, SourceDateEpoch: sde})
			if y := buildBytes(t, newer, BuildOptions{Compression: c, SourceDateEpoch: sde}); !bytes.Equal(x, y) {
				t.Error("copies with different mtimes differ under SOURCE_DATE_EPOCH")
			}
			_, entries := readEntries(t, x)
			for _, e := range entries {
				if e.ModTime != sde.Unix() {
					t.Errorf("%s: mtime %d not clamped to %d", e.Name, e.ModTime, sde.Unix())
				}
			}
		})
	}
}

func TestArTimestamp(t *testing.T) {
	dir := makeTree(t, sampleFiles, time.Unix(1700000000, 0))
	os.Chtimes(filepath.Join(dir, "usr/lib/big"), time.Unix(1710000000, 0), time.Unix(1710000000, 0))
	pkg := buildBytes(t, dir, BuildOptions{Compression: None})
	if !bytes.Contains(pkg[:200], []byte("debian-binary   1710000000  0     0     100644  4         `\n")) {
		t.Errorf("ar header: %q", pkg[8:68])
	}
	pkg = buildBytes(t, dir, BuildOptions{Compression: None, SourceDateEpoch: epoch(1600000000)})
	if !bytes.Contains(pkg[:200], []byte("debian-binary   1600000000  0     0     100644  4         `\n")) {
		t.Errorf("ar header under SOURCE_DATE_EPOCH: %q", pkg[8:68])
	}
}

func TestParseCompression(t *testing.T) {
	for _, s := range []string{"gzip", "xz", "zstd", "none"} {
		if c, err := ParseCompression(s); err != nil || string(c) != s {
			t.Errorf("ParseCompression(%q) = %q, %v", s, c, err)
		}
	}
	for _, s := range []string{"", "bzip2", "lzma", "gz"} {
		if _, err := ParseCompression(s); err == nil {
			t.Errorf("ParseCompression(%q) succeeded", s)
		}
	}
}
