package installfile

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestContribDesktopFiles reads contrib's desktop entry with the key file
// parser and its shared-mime-info XML, and checks that they hand
// application/x-install-instructions (*.install) to "aim open".
func TestContribDesktopFiles(t *testing.T) {
	data, err := os.ReadFile("../../contrib/aim-install.desktop")
	if err != nil {
		t.Fatal(err)
	}
	kf, err := ParseKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	const g = "Desktop Entry"
	cmdline, _ := kf.String(g, "Exec")
	mimes, _ := kf.StringList(g, "MimeType")
	name, _ := kf.LocaleString(g, "Name", LocaleVariants("de_DE.UTF-8"))
	if !strings.HasPrefix(cmdline, "aim open %") || len(mimes) != 1 || mimes[0] != "application/x-install-instructions" || name != "Anwendungsinstallation" {
		t.Errorf("desktop entry: Exec=%q MimeType=%q Name[de]=%q", cmdline, mimes, name)
	}
	var info struct {
		Types []struct {
			Type  string `xml:"type,attr"`
			Globs []struct {
				Pattern string `xml:"pattern,attr"`
			} `xml:"glob"`
		} `xml:"mime-type"`
	}
	data, err = os.ReadFile("../../contrib/x-install-instructions.xml")
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Types) != 1 || info.Types[0].Type != "application/x-install-instructions" ||
		len(info.Types[0].Globs) != 1 || info.Types[0].Globs[0].Pattern != "*.install" {
		t.Errorf("mime info: %+v", info)
	}
}

// TestContribMimeDatabase builds a MIME database from contrib's XML with
// the real update-mime-database and checks that *.install maps to the
// type; skipped where shared-mime-info is not installed.
func TestContribMimeDatabase(t *testing.T) {
	if _, err := exec.LookPath("update-mime-database"); err != nil {
		t.Skip("update-mime-database not installed")
	}
	dir := t.TempDir()
	data, _ := os.ReadFile("../../contrib/x-install-instructions.xml")
	os.MkdirAll(filepath.Join(dir, "packages"), 0o755)
	os.WriteFile(filepath.Join(dir, "packages/x-install-instructions.xml"), data, 0o644)
	if out, err := exec.Command("update-mime-database", dir).CombinedOutput(); err != nil {
		t.Fatalf("update-mime-database: %v\n%s", err, out)
	}
	globs, err := os.ReadFile(filepath.Join(dir, "globs2"))
	if err != nil || !strings.Contains(string(globs), "application/x-install-instructions:*.install") {
		t.Errorf("globs2: %v\n%s", err, globs)
	}
}

// TestExampleInstallFiles reads the documented examples of both forms in
// the top-level testdata/install for a device with the default
// distribution.
func TestExampleInstallFiles(t *testing.T) {
	tests := []struct {
		file, form, line string
		packages         []string
		filtered         int
	}{
		{"classic.install", "classic", "deb https://apps.example/maemo bora free", []string{"hello"}, 0},
		{"catalogue.install", "catalogues", "deb https://apps.example/repo bora main", []string{"hello", "hello-data"}, 1},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join("../../testdata/install", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		in, err := Parse(data, Options{Locales: LocaleVariants("de_AT.UTF-8")})
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if in.Form != tt.form || len(in.Catalogues) != 1 || in.Catalogues[0].SourceLine(DefaultDistribution) != tt.line ||
			strings.Join(in.Packages, ";") != strings.Join(tt.packages, ";") || len(in.Filtered) != tt.filtered ||
			!strings.HasSuffix(in.Catalogues[0].KeyURI, "/key.asc") {
			t.Errorf("%s: %+v", tt.file, in)
		}
	}
}
