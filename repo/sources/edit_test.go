package sources

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// copySourcesRoot copies testdata/sources/NAME into a temporary root.
func copySourcesRoot(t *testing.T, name string) string {
	t.Helper()
	root := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		mustWrite(t, filepath.Join(root, rel), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readRootFile(t *testing.T, root, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func sourceState(t *testing.T, root, name string) (found, enabled bool) {
	t.Helper()
	srcs, _ := Load(root, "")
	for _, s := range srcs {
		if s.Name == name {
			return true, s.Enabled
		}
	}
	return false, false
}

// TestSetEnabledRoundTrip disables then enables entries of both
// formats and checks each file comes back byte for byte.
func TestSetEnabledRoundTrip(t *testing.T) {
	root := copySourcesRoot(t, "basic")
	tests := []struct {
		name, file string
		first      bool // the state before
		wantLine   string
	}{
		{"sources:2", "etc/aim/sources.list", true, "# deb http://deb.example.org/debian bookworm main contrib"},
		{"sources:4", "etc/aim/sources.list", false, "deb http://deb.example.org/debian bookworm-backports main"},
		{"apps", "etc/aim/sources.list.d/apps.sources", true, "X-Repolib-Name: Apps\nEnabled: no\n"},
		{"multi:2", "etc/aim/sources.list.d/multi.sources", false, "Components: main\n"},
	}
	for _, tt := range tests {
		before := readRootFile(t, root, tt.file)
		changes, err := SetEnabled(root, tt.name, !tt.first)
		if err != nil || len(changes) != 1 || !changes[0].Changed || changes[0].Name != tt.name {
			t.Fatalf("%s: %+v, %v", tt.name, changes, err)
		}
		after := readRootFile(t, root, tt.file)
		if !strings.Contains(after, tt.wantLine) || strings.HasSuffix(tt.wantLine, "\n") && !strings.HasSuffix(after, tt.wantLine) {
			t.Errorf("%s: file now\n%s\nwant it to hold %q", tt.name, after, tt.wantLine)
		}
		if found, en := sourceState(t, root, tt.name); !found || en == tt.first {
			t.Errorf("%s: found %v enabled %v after the edit", tt.name, found, en)
		}
		if _, err := SetEnabled(root, tt.name, tt.first); err != nil {
			t.Fatal(err)
		}
		if again := readRootFile(t, root, tt.file); again != before {
			t.Errorf("%s: file not restored:\n%s\nwant\n%s", tt.name, again, before)
		}
	}
}

func TestSetEnabledByURI(t *testing.T) {
	root := copySourcesRoot(t, "basic")
	changes, err := SetEnabled(root, "http://deb.example.org/debian/", false)
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Name: "sources:2", File: "/etc/aim/sources.list", Line: 2, Changed: true},
		{Name: "sources:3", File: "/etc/aim/sources.list", Line: 3, Changed: true},
		{Name: "sources:4", File: "/etc/aim/sources.list", Line: 4, Changed: false},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("changes %+v\nwant %+v", changes, want)
	}
	if got := readRootFile(t, root, ListFile); !strings.Contains(got, "\n# deb-src http://deb.example.org/debian bookworm main   # sources too\n") {
		t.Errorf("sources.list:\n%s", got)
	}
}

func TestSetEnabledBroken(t *testing.T) {
	root := copySourcesRoot(t, "basic")
	if _, err := SetEnabled(root, "broken:3", false); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, ""); err == nil || strings.Contains(err.Error(), "tor+http") {
		t.Errorf("a disabled bad paragraph is still reported: %v", err)
	}
	if _, err := SetEnabled(root, "broken:3", true); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, ""); err == nil || !strings.Contains(err.Error(), "broken.sources:10: URIs: unsupported") {
		t.Errorf("re-enabled bad paragraph: %v", err)
	}
	if _, err := SetEnabled(root, "bad:1", false); err != nil {
		t.Fatal(err)
	}
	if got := readRootFile(t, root, "etc/aim/sources.list.d/bad.list"); !strings.HasPrefix(got, "# deb cdrom:") {
		t.Errorf("bad.list:\n%s", got)
	}
}

func TestSetEnabledCRLF(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, Dir, "w.sources")
	mustWrite(t, name, "Types: deb\r\nURIs: http://h/\r\nSuites: s/\r\nenabled: yes\r\n")
	if _, err := SetEnabled(root, "w", false); err != nil {
		t.Fatal(err)
	}
	if got := readRootFile(t, root, Dir+"/w.sources"); got != "Types: deb\r\nURIs: http://h/\r\nSuites: s/\r\nEnabled: no\r\n" {
		t.Errorf("got %q", got)
	}
	if _, err := SetEnabled(root, "w", true); err != nil {
		t.Fatal(err)
	}
	if got := readRootFile(t, root, Dir+"/w.sources"); got != "Types: deb\r\nURIs: http://h/\r\nSuites: s/\r\n" {
		t.Errorf("got %q", got)
	}
}

func TestRemoveSources(t *testing.T) {
	root := copySourcesRoot(t, "basic")
	if _, err := Remove(root, "multi:1"); err != nil {
		t.Fatal(err)
	}
	want := "# the second paragraph is off\nTypes: deb\nURIs: http://c.example.org/debian\nSuites: sid\nComponents: main\nEnabled: no\n"
	if got := readRootFile(t, root, Dir+"/multi.sources"); got != want {
		t.Errorf("multi.sources:\n%s\nwant\n%s", got, want)
	}
	if found, _ := sourceState(t, root, "multi"); !found {
		t.Error("the remaining paragraph is not named multi")
	}
	if _, err := Remove(root, "multi"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, Dir, "multi.sources")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty multi.sources not deleted: %v", err)
	}
	changes, err := Remove(root, "sources:3")
	if err != nil || len(changes) != 1 || changes[0].Line != 3 {
		t.Fatalf("%+v, %v", changes, err)
	}
	if found, _ := sourceState(t, root, "sources:4"); !found {
		t.Error("removing a line renamed the next entry")
	}
	if _, err := Remove(root, "bad:5"); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, ""); strings.Contains(err.Error(), "bad.list:5") {
		t.Errorf("removed bad entry still reported: %v", err)
	}
}

func TestFindSourcesErrors(t *testing.T) {
	root := copySourcesRoot(t, "basic")
	_, err := SetEnabled(root, "nope", false)
	if !errors.Is(err, ErrNotFound) || err.Error() != `source "nope": no such source` {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := Remove(root, "bad:2:"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bad:2: gives %v", err)
	}
	mustWrite(t, filepath.Join(root, Dir, "apps.list"), "deb http://x.example/d s main\n")
	mustWrite(t, filepath.Join(root, Dir, "apps.sources"), "Types: deb\nURIs: http://y/\nSuites: s/\n\nTypes: deb\nURIs: http://z/\nSuites: s/\n")
	_, err = Remove(root, "apps:1")
	if err == nil || !strings.Contains(err.Error(), `source name "apps:1" is ambiguous`) {
		t.Errorf("ambiguous: %v", err)
	}
}
