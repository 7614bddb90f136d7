package publish

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileControls are package names, versions and architectures that
// dpkg calls invalid and that, as parts of a pool path, would name a
// file outside the pool or a directory of their own.
var hostileControls = []struct {
	name, version, arch string
}{
	{"evil", "1.0/../../../../x", "all"},
	{"evil", "1/2", "all"},
	{"evil", "1:../../../../y", "all"},
	{"evil", "1.0-../../z", "all"},
	{"evil", "1.0", "../../../w"},
	{"../../v", "1.0", "all"},
}

// treeFiles lists every file and directory below dir, relative to it.
func treeFiles(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			rel, _ := filepath.Rel(dir, p)
			out[rel] = true
		}
		return nil
	})
	return out
}

// TestAddRefusesVersionsThatAreNotPaths adds packages whose control data
// would make their pool name escape or split the pool: each is refused
// and nothing is written, inside the repository or beside it.
func TestAddRefusesVersionsThatAreNotPaths(t *testing.T) {
	for _, h := range hostileControls {
		t.Run(h.name+"_"+h.version+"_"+h.arch, func(t *testing.T) {
			r := newTestRepo(t, false)
			top := filepath.Dir(r.Dir)
			src := t.TempDir()
			file := filepath.Join(src, "hostile.deb")
			writeHostileDeb(t, file, h.name, h.version, h.arch)
			os.MkdirAll(filepath.Join(r.Dir, "pool"), 0o755)
			before := treeFiles(t, top)
			_, err := r.Add([]string{file}, AddOptions{})
			var ae *AddError
			if !errors.As(err, &ae) {
				t.Fatalf("Add: %v, want an *AddError", err)
			}
			after := treeFiles(t, top)
			for p := range after {
				if !before[p] && !strings.Contains(p, StateDir) {
					t.Errorf("Add wrote %s", p)
				}
			}
			if pkgs, _ := r.Packages(""); len(pkgs) != 0 {
				t.Errorf("database holds %v", pkgs)
			}
		})
	}
}

// TestPoolFilenameIsInsidePool checks the pool path of valid packages.
func TestPoolFilenameIsInsidePool(t *testing.T) {
	for _, tt := range []struct{ version, want string }{
		{"1.0", "pool/main/d/demo/demo_1.0_all.deb"},
		{"2:1.0-3", "pool/main/d/demo/demo_1.0-3_all.deb"},
		{"1:2.0:3~rc1+b2", "pool/main/d/demo/demo_2.0:3~rc1+b2_all.deb"},
	} {
		r := newTestRepo(t, false)
		file := filepath.Join(t.TempDir(), "demo.deb")
		writeHostileDeb(t, file, "demo", tt.version, "all")
		res, err := r.Add([]string{file}, AddOptions{})
		if err != nil || res[0].Package.Filename != tt.want {
			t.Errorf("Add %s: %v, filename %+v", tt.version, err, res)
		}
	}
}

// writeHostileDeb writes a package with the given name, version and
// architecture, put together by hand: deb.Build refuses such control
// data, a hostile uploader does not use it.
func writeHostileDeb(t testing.TB, file, name, version, arch string) {
	t.Helper()
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: T <t@example.org>\nDescription: hostile\n", name, version, arch)
	ctl := tarGz(t, map[string]string{"./control": control})
	data := tarGz(t, map[string]string{"./usr/share/doc/hostile/README": "hostile\n"})
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for _, m := range []struct {
		name string
		data []byte
	}{{"debian-binary", []byte("2.0\n")}, {"control.tar.gz", ctl}, {"data.tar.gz", data}} {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 1700000000, 0, 0, "100644", len(m.data))
		b.Write(m.data)
		if len(m.data)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tarGz is a gzip-compressed tar of files (and the directories above
// them), owned by root.
func tarGz(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	tw := tar.NewWriter(z)
	dirs := map[string]bool{}
	for p, data := range files {
		var parents []string
		for d := filepath.Dir(p); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
			parents = append([]string{d}, parents...)
		}
		for _, d := range parents {
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, Uname: "root", Gname: "root"})
		}
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: p, Mode: 0o644, Size: int64(len(data)), Uname: "root", Gname: "root"})
		tw.Write([]byte(data))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
