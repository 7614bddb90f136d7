package install

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestDpkgOwners checks that dpkgOwners answers for the wanted paths
// only, leaves out what is a directory on disk, and names a Multi-Arch
// instance's list by its package.
func TestDpkgOwners(t *testing.T) {
	root := t.TempDir()
	info := filepath.Join(root, "var/lib/dpkg/info")
	os.MkdirAll(info, 0o755)
	os.MkdirAll(filepath.Join(root, "usr/share/doc/base"), 0o755)
	os.WriteFile(filepath.Join(info, "base.list"), []byte("/.\n/usr\n/usr/share/doc/base\n/usr/bin/tool\n/etc/base.conf\n"), 0o644)
	os.WriteFile(filepath.Join(info, "libx1:amd64.list"), []byte("/.\n/usr/lib/libx.so.1\n"), 0o644)
	for _, tt := range []struct {
		name string
		want []string
		out  map[string]string
	}{
		{"nothing wanted", nil, map[string]string{}},
		{"files", []string{"/usr/bin/tool", "/usr/lib/libx.so.1", "/opt/new"},
			map[string]string{"/usr/bin/tool": "base", "/usr/lib/libx.so.1": "libx1"}},
		{"a directory on disk is shared", []string{"/usr/share/doc/base", "/etc/base.conf"},
			map[string]string{"/etc/base.conf": "base"}},
		{"a listed path missing on disk still belongs to dpkg", []string{"/usr/bin/tool"},
			map[string]string{"/usr/bin/tool": "base"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := map[string]bool{}
			for _, p := range tt.want {
				want[p] = true
			}
			got, err := dpkgOwners(root, want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.out) {
				t.Errorf("dpkgOwners = %v, want %v", got, tt.out)
			}
		})
	}
	if got, err := dpkgOwners(t.TempDir(), map[string]bool{"/usr/bin/tool": true}); err != nil || len(got) != 0 {
		t.Errorf("without dpkg: %v, %v", got, err)
	}
}
