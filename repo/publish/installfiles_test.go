package publish

import (
	"os"
	"path/filepath"
	"testing"

	"aim/repo/installfile"
)

func TestWriteInstallFiles(t *testing.T) {
	r := newTestRepo(t, false)
	addTestPackages(t, r)
	written, err := r.WriteInstallFiles("https://example.org/repo/")
	if err != nil || len(written) != 1 || written[0] != "install/demo-app.install" {
		t.Fatalf("install files: %v %v", written, err)
	}
	data, _ := os.ReadFile(filepath.Join(r.Dir, "install/demo-app.install"))
	want := "[install]\ncatalogues=repository\npackage=demo-app\n\n[repository]\nname=Test repository\n" +
		"uri=https://example.org/repo\ndist=stable\ncomponents=main\nkey_uri=https://example.org/repo/key.asc\n"
	if string(data) != want {
		t.Errorf("demo-app.install:\n%s\nwant:\n%s", data, want)
	}
	kf, err := installfile.ParseKeyFile(data)
	if err != nil {
		t.Fatalf("written key file does not parse: %v", err)
	}
	if v, err := kf.String("repository", "key_uri"); err != nil || v != "https://example.org/repo/key.asc" {
		t.Errorf("read back key_uri: %q %v", v, err)
	}
	if again, err := r.WriteInstallFiles("https://example.org/repo/"); err != nil || len(again) != 0 {
		t.Errorf("second run rewrote %v (%v)", again, err)
	}
}

// TestWriteInstallFilesAreaSection checks that a user package in an
// archive area ("non-free/user/games") gets its .install file too.
func TestWriteInstallFilesAreaSection(t *testing.T) {
	r := newTestRepo(t, false)
	deb := buildTestDeb(t, t.TempDir(), "nf-game", "1.0", "all", "non-free/user/games", nil)
	if _, err := r.Add([]string{deb}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	written, err := r.WriteInstallFiles("https://example.org/repo/")
	if err != nil || len(written) != 1 || written[0] != "install/nf-game.install" {
		t.Fatalf("install files: %v %v", written, err)
	}
}
