package sources

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAddSourceLine(t *testing.T) {
	root := t.TempDir()
	s, err := AddLine(root, "deb [arch=amd64 lang=de] http://deb.example.org/debian bookworm main contrib # comment", AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "deb.example.org-bookworm" || s.File != "/etc/aim/sources.list.d/deb.example.org-bookworm.sources" || s.Line != 1 || s.Format != Deb822 {
		t.Errorf("added %+v", s)
	}
	want := "Types: deb\nURIs: http://deb.example.org/debian\nSuites: bookworm\nComponents: main contrib\nArchitectures: amd64\nLanguages: de\n"
	if got := readRootFile(t, root, Dir+"/deb.example.org-bookworm.sources"); got != want {
		t.Errorf("file:\n%s\nwant\n%s", got, want)
	}
	_, err = AddLine(root, "deb http://deb.example.org/debian/ bookworm main", AddOptions{Name: "other"})
	if err == nil || err.Error() != "http://deb.example.org/debian/ bookworm is already configured as source deb.example.org-bookworm (/etc/aim/sources.list.d/deb.example.org-bookworm.sources:1)" {
		t.Errorf("duplicate: %v", err)
	}
	s2, err := AddLine(root, "deb-src http://deb.example.org/debian bookworm main", AddOptions{})
	if err != nil || s2.Name != "deb.example.org-bookworm-2" {
		t.Errorf("deb-src of the same suite: %+v, %v", s2, err)
	}
	s3, err := AddLine(root, "deb file:/srv/my-repo ./", AddOptions{})
	if err != nil || s3.Name != "my-repo" {
		t.Errorf("flat file source: %+v, %v", s3, err)
	}
	if _, err := SetEnabled(root, "my-repo", false); err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{"file:/srv/my-repo/", "file:///srv/my-repo", "FILE://localhost/srv/my-repo"} {
		_, err = AddLine(root, "deb "+uri+" ./", AddOptions{})
		if err == nil || !strings.HasSuffix(err.Error(), ", disabled)") {
			t.Errorf("duplicate of a disabled source (%s): %v", uri, err)
		}
	}
	if _, err = AddLine(root, "deb HTTP://Deb.Example.org/debian bookworm main", AddOptions{}); err == nil {
		t.Error("scheme and host case: not a duplicate")
	}
}

func TestAddSourceLineErrors(t *testing.T) {
	root := t.TempDir()
	if _, err := AddLine(root, "deb http://a.example/d s main", AddOptions{Name: "taken"}); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(root, Dir, "legacy.list"), "# nothing yet\n")
	tests := []struct {
		line, name, err string
	}{
		{"deb cdrom:/media s main", "", `invalid source line: unsupported URI scheme "cdrom"`},
		{"# deb http://b.example/d s main", "", "invalid source line: empty entry"},
		{"deb http://b.example/d s main", "taken", `source name "taken" is already used`},
		{"deb http://b.example/d s main", "legacy", `source name "legacy" is already used`},
		{"deb http://b.example/d s main", "sources", `source name "sources" is reserved`},
		{"deb http://b.example/d s main", "a:b", `invalid source name "a:b"`},
		{"deb http://b.example/d s main", ".hidden", `invalid source name ".hidden"`},
		{"deb http://b.example/d s main", "a/b", `invalid source name "a/b"`},
		{"deb [signed-by=/etc/aim/keyrings/none.gpg] http://b.example/d s main", "", "signed-by keyring /etc/aim/keyrings/none.gpg does not exist"},
	}
	for _, tt := range tests {
		_, err := AddLine(root, tt.line, AddOptions{Name: tt.name})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("AddLine(%q, %q) = %v, want %q", tt.line, tt.name, err, tt.err)
		}
	}
	ents, _ := os.ReadDir(filepath.Join(root, Dir))
	if len(ents) != 2 {
		t.Errorf("%d files in sources.list.d after failed adds, want 2", len(ents))
	}
}

func TestAddSourceLineKey(t *testing.T) {
	root := t.TempDir()
	key, err := os.ReadFile("../../testdata/keys/ed25519.asc")
	if err != nil {
		t.Fatal(err)
	}
	s, err := AddLine(root, "deb https://apps.example.com/apt stable user", AddOptions{Name: "apps", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.SignedBy.Keyrings) != 1 || s.SignedBy.Keyrings[0] != "/etc/aim/keyrings/apps.asc" {
		t.Errorf("signed-by %+v", s.SignedBy)
	}
	if got := readRootFile(t, root, "etc/aim/keyrings/apps.asc"); got != string(key) {
		t.Error("keyring differs from the key given")
	}
	if _, err := Load(root, ""); err != nil {
		t.Error(err)
	}
	_, err = AddLine(root, "deb [signed-by=/etc/aim/keyrings/apps.asc] https://other.example.com/apt stable user", AddOptions{Name: "other", Key: key})
	if err == nil || !strings.Contains(err.Error(), "already names its keys") {
		t.Errorf("signed-by and a key: %v", err)
	}
	if _, err := AddLine(root, "deb [signed-by=/etc/aim/keyrings/apps.asc] https://other.example.com/apt stable user", AddOptions{Name: "other"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Remove(root, "apps"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/aim/keyrings/apps.asc")); err != nil {
		t.Errorf("keyring still named by source other was removed: %v", err)
	}
	if _, err := Remove(root, "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/aim/keyrings/apps.asc")); err != nil {
		t.Errorf("keyring not named after source other was removed: %v", err)
	}
	if _, err := AddLine(root, "deb https://apps.example.com/apt stable user", AddOptions{Name: "apps", Key: key}); err == nil {
		t.Error("keyring apps.asc exists: no error")
	}
	if err := os.Remove(filepath.Join(root, "etc/aim/keyrings/apps.asc")); err != nil {
		t.Fatal(err)
	}
	if _, err := AddLine(root, "deb https://apps.example.com/apt stable user", AddOptions{Name: "apps", Key: key}); err != nil {
		t.Fatal(err)
	}
	if _, err := Remove(root, "apps"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/aim/keyrings/apps.asc")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("keyring of the removed source kept: %v", err)
	}
}

func TestSourceKeyKind(t *testing.T) {
	secret, err := os.ReadFile("../../testdata/keys/ed25519.secret.asc")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  []byte
		ext  string
		errs string
	}{
		{[]byte("\n" + armorPublicBegin + "\n\nabc\n" + armorPublicEnd + "\n"), ".asc", ""},
		{[]byte(armorPublicBegin + "\n\nabc\n"), "", "no end line"},
		{secret, "", "private key"},
		{[]byte{0x99, 0x00, 0x33}, ".gpg", ""},
		{[]byte{0xc6, 0x33}, ".gpg", ""},
		{[]byte{0x95, 0x00}, "", "private key"},
		{[]byte{0xc5, 0x00}, "", "private key"},
		{[]byte{0x89, 0x00}, "", "tag 2"},
		{[]byte("hello"), "", "not an OpenPGP public key"},
		{nil, "", "not an OpenPGP public key"},
		{make([]byte, maxSourceKeySize+1), "", "larger than"},
	}
	for _, tt := range tests {
		ext, err := sourceKeyKind(tt.key)
		if ext != tt.ext || (err == nil) != (tt.errs == "") || err != nil && !strings.Contains(err.Error(), tt.errs) {
			t.Errorf("sourceKeyKind(%.20q) = %q, %v; want %q, %q", tt.key, ext, err, tt.ext, tt.errs)
		}
	}
}

func TestAddSourceFile(t *testing.T) {
	root := copySourcesRoot(t, "basic")
	list := "# vendor repo\ndeb http://vendor.example.com/apt stable main\n# deb-src http://vendor.example.com/apt stable main\n"
	srcs, err := AddFile(root, "/tmp/somewhere/vendor.list", []byte(list), AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Name != "vendor:2" || srcs[1].Name != "vendor:3" || srcs[1].Enabled {
		t.Errorf("added %+v", srcs)
	}
	if got := readRootFile(t, root, Dir+"/vendor.list"); got != list {
		t.Errorf("copied file differs:\n%s", got)
	}
	deb822 := "Types: deb\nURIs: http://other.example.com/apt\nSuites: stable\nComponents: main\n"
	if _, err := AddFile(root, "x.sources", []byte(deb822), AddOptions{Name: "other"}); err != nil {
		t.Fatal(err)
	}
	if found, _ := sourceState(t, root, "other"); !found {
		t.Error("source other not found")
	}
	tests := []struct {
		file, data, name, err string
	}{
		{"v.txt", list, "", "must end in .list or .sources"},
		{"vendor.list", "deb http://new.example.com/apt s main\n", "", `source name "vendor" is already used`},
		{"new.list", "deb http://vendor.example.com/apt/ stable main contrib\n", "", "is already configured as source vendor:2"},
		{"new.list", "# nothing\n", "", "new.list: no source entries"},
		{"new.sources", "Types: deb\nURIs: ftp://x/\nSuites: s/\n\nTypes: rpm\nURIs: http://x/\nSuites: s/\n", "",
			"new.sources:2: URIs: unsupported URI scheme \"ftp\" in \"ftp://x/\" (aim reads http, https and file)\nnew.sources:5: Types: unknown type \"rpm\""},
	}
	for _, tt := range tests {
		_, err := AddFile(root, tt.file, []byte(tt.data), AddOptions{Name: tt.name})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("AddFile(%q) = %v, want %q", tt.file, err, tt.err)
		}
	}
	if _, err := AddFile(root, "k.list", []byte("deb http://k.example/ s main\n"), AddOptions{Key: []byte("x")}); err == nil {
		t.Error("a key with a file: no error")
	}
}
