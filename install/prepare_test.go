package install

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aim/deb"
)

// TestFetchNamesFromValidatedParts feeds the engine what a signed
// Packages entry can say: a Version dpkg only warns about, with "/" and
// "..", and a Filename that does not end in ".deb". The archive must be
// cached under a name built from validated parts, or refused before
// anything is written; never outside the archives directory.
func TestFetchNamesFromValidatedParts(t *testing.T) {
	tests := []struct {
		name, version, arch string
		want                string // the cached file; "" when refused
	}{
		{"foo", "1.0", "all", "foo_1.0_all.deb"},
		{"foo", "1:1.0-2", "all", "foo_1.0-2_all.deb"},
		{"foo", "1.0/../../../../../../escaped", "all", ""},
		{"foo", "1.0/../../../../../../escaped.deb", "all", ""},
		{"foo", "1/2", "all", ""},
		{"foo", "1.0", "../../../../../../escaped", ""},
	}
	for _, tt := range tests {
		t.Run(tt.version+"_"+tt.arch, func(t *testing.T) {
			f := newFixture(t)
			built := f.build(spec{name: tt.name, version: "1.0", files: map[string]string{"/usr/share/foo": "x"}})
			data, err := os.ReadFile(built)
			if err != nil {
				t.Fatal(err)
			}
			pool := filepath.Join(f.dir, "pool", "foo") // no ".deb": the name falls to the version
			os.MkdirAll(filepath.Dir(pool), 0o755)
			if err := os.WriteFile(pool, data, 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			c := Change{Action: Install, Name: tt.name, Version: tt.version, Arch: tt.arch,
				URL: "file://" + pool, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
			_, err = f.run(false, c)
			base := filepath.Dir(f.root)
			for _, p := range []string{"escaped.deb", "escaped", "escaped.deb.deb", "foo_1.0"} {
				if _, serr := os.Lstat(filepath.Join(base, p)); serr == nil {
					t.Errorf("%s written outside the root", p)
				}
			}
			archives := filepath.Join(f.root, ArchivesDir)
			if tt.want == "" {
				var fe *deb.FileNameError
				if !errors.As(err, &fe) {
					t.Fatalf("got %v, want a *deb.FileNameError", err)
				}
				if left, _ := os.ReadDir(archives); len(left) != 0 {
					t.Errorf("archives written: %v", left)
				}
				if f.read("usr/share/foo") == "x" {
					t.Error("package installed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(archives, tt.want)); err != nil {
				t.Errorf("not cached as %s: %v", tt.want, err)
			}
			if got := f.read("usr/share/foo"); !strings.HasPrefix(got, "x") {
				t.Errorf("usr/share/foo = %q", got)
			}
		})
	}
}
