package repo

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
	s, err := AddSourceLine(root, "deb [arch=amd64 lang=de] http://deb.example.org/debian bookworm main contrib # comment", AddSourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "deb.example.org-bookworm" || s.File != "/etc/aim/sources.list.d/deb.example.org-bookworm.sources" || s.Line != 1 || s.Format != SourceDeb822 {
		t.Errorf("added %+v", s)
	}
	want := "Types: deb\nURIs: http://deb.example.org/debian\nSuites: bookworm\nComponents: main contrib\nArchitectures: amd64\nLanguages: de\n"
	if got := readRootFile(t, root, SourcesDir+"/deb.example.org-bookworm.sources"); got != want {
		t.Errorf("file:\n%s\nwant\n%s", got, want)
	}
	_, err = AddSourceLine(root, "deb http://deb.example.org/debian/ bookworm main", AddSourceOptions{Name: "other"})
	if err == nil || err.Error() != "http://deb.example.org/debian/ bookworm is already configured as source deb.example.org-bookworm (/etc/aim/sources.list.d/deb.example.org-bookworm.sources:1)" {
		t.Errorf("duplicate: %v", err)
	}
	s2, err := AddSourceLine(root, "deb-src http://deb.example.org/debian bookworm main", AddSourceOptions{})
	if err != nil || s2.Name != "deb.example.org-bookworm-2" {
		t.Errorf("deb-src of the same suite: %+v, %v", s2, err)
	}
	s3, err := AddSourceLine(root, "deb file:/srv/my-repo ./", AddSourceOptions{})
	if err != nil || s3.Name != "my-repo" {
		t.Errorf("flat file source: %+v, %v", s3, err)
	}
	if _, err := SetSourcesEnabled(root, "my-repo", false); err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{"file:/srv/my-repo/", "file:///srv/my-repo", "FILE://localhost/srv/my-repo"} {
		_, err = AddSourceLine(root, "deb "+uri+" ./", AddSourceOptions{})
		if err == nil || !strings.HasSuffix(err.Error(), ", disabled)") {
			t.Errorf("duplicate of a disabled source (%s): %v", uri, err)
		}
	}
	if _, err = AddSourceLine(root, "deb HTTP://Deb.Example.org/debian bookworm main", AddSourceOptions{}); err == nil {
		t.Error("scheme and host case: not a duplicate")
	}
}

func TestAddSourceLineErrors(t *testing.T) {
	root := t.TempDir()
	if _, err := AddSourceLine(root, "deb http://a.example/d s main", AddSourceOptions{Name: "taken"}); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(root, SourcesDir, "legacy.list"), "# nothing yet\n")
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
		_, err := AddSourceLine(root, tt.line, AddSourceOptions{Name: tt.name})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("AddSourceLine(%q, %q) = %v, want %q", tt.line, tt.name, err, tt.err)
		}
	}
	ents, _ := os.ReadDir(filepath.Join(root, SourcesDir))
	if len(ents) != 2 {
		t.Errorf("%d files in sources.list.d after failed adds, want 2", len(ents))
	}
}

func TestAddSourceLineKey(t *testing.T) {
	root := t.TempDir()
	key, err := os.ReadFile("../testdata/keys/ed25519.asc")
	if err != nil {
		t.Fatal(err)
	}
	s, err := AddSourceLine(root, "deb https://apps.example.com/apt stable user", AddSourceOptions{Name: "apps", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.SignedBy.Keyrings) != 1 || s.SignedBy.Keyrings[0] != "/etc/aim/keyrings/apps.asc" {
		t.Errorf("signed-by %+v", s.SignedBy)
	}
	if got := readRootFile(t, root, "etc/aim/keyrings/apps.asc"); got != string(key) {
		t.Error("keyring differs from the key given")
	}
	if _, err := LoadSources(root); err != nil {
		t.Error(err)
	}
	_, err = AddSourceLine(root, "deb [signed-by=/etc/aim/keyrings/apps.asc] https://other.example.com/apt stable user", AddSourceOptions{Name: "other", Key: key})
	if err == nil || !strings.Contains(err.Error(), "already names its keys") {
		t.Errorf("signed-by and a key: %v", err)
	}
	if _, err := AddSourceLine(root, "deb [signed-by=/etc/aim/keyrings/apps.asc] https://other.example.com/apt stable user", AddSourceOptions{Name: "other"}); err != nil {
		t.Fatal(err)
	}
	if _, err := RemoveSources(root, "apps"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/aim/keyrings/apps.asc")); err != nil {
		t.Errorf("keyring still named by source other was removed: %v", err)
	}
	if _, err := RemoveSources(root, "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/aim/keyrings/apps.asc")); err != nil {
		t.Errorf("keyring not named after source other was removed: %v", err)
	}
	if _, err := AddSourceLine(root, "deb https://apps.example.com/apt stable user", AddSourceOptions{Name: "apps", Key: key}); err == nil {
		t.Error("keyring apps.asc exists: no error")
	}
	if err := os.Remove(filepath.Join(root, "etc/aim/keyrings/apps.asc")); err != nil {
		t.Fatal(err)
	}
	if _, err := AddSourceLine(root, "deb https://apps.example.com/apt stable user", AddSourceOptions{Name: "apps", Key: key}); err != nil {
		t.Fatal(err)
	}
	if _, err := RemoveSources(root, "apps"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/aim/keyrings/apps.asc")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("keyring of the removed source kept: %v", err)
	}
}

func TestSourceKeyKind(t *testing.T) {
	secret, err := os.ReadFile("../testdata/keys/ed25519.secret.asc")
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
	srcs, err := AddSourceFile(root, "/tmp/somewhere/vendor.list", []byte(list), AddSourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Name != "vendor:2" || srcs[1].Name != "vendor:3" || srcs[1].Enabled {
		t.Errorf("added %+v", srcs)
	}
	if got := readRootFile(t, root, SourcesDir+"/vendor.list"); got != list {
		t.Errorf("copied file differs:\n%s", got)
	}
	deb822 := "Types: deb\nURIs: http://other.example.com/apt\nSuites: stable\nComponents: main\n"
	if _, err := AddSourceFile(root, "x.sources", []byte(deb822), AddSourceOptions{Name: "other"}); err != nil {
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
		_, err := AddSourceFile(root, tt.file, []byte(tt.data), AddSourceOptions{Name: tt.name})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("AddSourceFile(%q) = %v, want %q", tt.file, err, tt.err)
		}
	}
	if _, err := AddSourceFile(root, "k.list", []byte("deb http://k.example/ s main\n"), AddSourceOptions{Key: []byte("x")}); err == nil {
		t.Error("a key with a file: no error")
	}
}
