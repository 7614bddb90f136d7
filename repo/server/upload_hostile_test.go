package server

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// hostileDeb is a package with the given control fields put together by
// hand (deb.Build refuses such fields; an uploader need not use it).
func hostileDeb(t *testing.T, name, version, arch string) []byte {
	t.Helper()
	tgz := func(files map[string]string) []byte {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		tw := tar.NewWriter(z)
		for p, data := range files {
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: p, Mode: 0o644, Size: int64(len(data)), Uname: "root", Gname: "root"})
			tw.Write([]byte(data))
		}
		tw.Close()
		z.Close()
		return b.Bytes()
	}
	control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: T <t@example.org>\nSection: user/games\nDescription: hostile\n", name, version, arch)
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for _, m := range []struct {
		name string
		data []byte
	}{{"debian-binary", []byte("2.0\n")}, {"control.tar.gz", tgz(map[string]string{"./control": control})},
		{"data.tar.gz", tgz(map[string]string{"./README": "hostile\n"})}} {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, 1700000000, 0, 0, "100644", len(m.data))
		b.Write(m.data)
		if len(m.data)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// TestUploadRefusesVersionsThatAreNotPaths uploads packages whose
// version, name or architecture would put their pool file outside the
// repository or in a directory of its own: each is refused with 422 and
// nothing changes, in the repository or beside it.
func TestUploadRefusesVersionsThatAreNotPaths(t *testing.T) {
	_, ts, dir := testServer(t)
	top := filepath.Dir(dir)
	list := func() string {
		var out []string
		filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			out = append(out, p)
			return nil
		})
		return strings.Join(out, "\n")
	}
	before, sums := list(), treeSum(t, dir)
	for _, h := range []struct{ name, version, arch string }{
		{"evil", "1.0/../../../../x", "all"},
		{"evil", "1/2", "all"},
		{"evil", "1:../../../y", "all"},
		{"evil", "1.0", "../../w"},
	} {
		status, v := post(t, ts.URL, testToken, debType, hostileDeb(t, h.name, h.version, h.arch))
		if status != 422 {
			t.Errorf("upload %v: %d %v, want 422", h, status, v)
		}
	}
	if after := list(); after != before {
		t.Errorf("a refused upload added files:\n%s\n---\n%s", before, after)
	}
	if after := treeSum(t, dir); after != sums {
		t.Error("a refused upload changed the repository")
	}
}
