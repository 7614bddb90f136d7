package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/repo"
)

const flatPackages = `Package: hello
Version: 2.0-1
Architecture: all
Section: user/games
Maemo-Display-Name: Hello
Size: 1200
SHA256: 1111111111111111111111111111111111111111111111111111111111111111
Filename: ./hello_2.0-1_all.deb
Description: friendly greeting
 Says hello to the world.

Package: hello
Version: 1.0-1
Architecture: all
Section: user/games
Size: 1100
SHA256: 2222222222222222222222222222222222222222222222222222222222222222
Filename: ./hello_1.0-1_all.deb
Description: friendly greeting (old)

Package: secret-agent
Version: 0.1
Architecture: all
Section: user/hidden
Description: hidden helper

Package: ringtones
Version: 3
Architecture: all
Section: user/Ringtones
Provides: ringtone-pack (= 3)
Description: ringtones for caf` + "\xe9" + `s

Package: libfoo1
Version: 1.2
Architecture: amd64
Section: libs
Description: foo library
`

// flatRepo writes a trusted flat repository (unsigned, trusted=yes) and
// a root whose sources.list points at it; it returns the root and the
// repository's directory.
func flatRepo(t *testing.T) (string, string) {
	t.Helper()
	dir, root := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "Packages"), []byte(flatPackages), 0o644)
	sum := sha256.Sum256([]byte(flatPackages))
	rel := &repo.Release{Origin: "Test", Label: "Test", Suite: "flat", Date: time.Now().Add(-time.Hour),
		Files: []repo.ReleaseFile{{Path: "Packages", Size: int64(len(flatPackages)), SHA256: hex.EncodeToString(sum[:])}}}
	os.WriteFile(filepath.Join(dir, "Release"), rel.Bytes(), 0o644)
	os.MkdirAll(filepath.Join(root, "etc/aim"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/aim/aim.conf"), []byte("# test\narchitecture = amd64\n"), 0o644)
	line := "deb [trusted=yes] file://" + dir + " ./\n"
	os.WriteFile(filepath.Join(root, "etc/aim/sources.list"), []byte(line), 0o644)
	return root, dir
}

// golden compares got with testdata/NAME.golden (UPDATE_GOLDEN=1 rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

func TestRepositoryCommands(t *testing.T) {
	root, dir := flatRepo(t)
	if _, errs, code := aim(t, "show", "--root", root, "hello"); code == 0 || !strings.Contains(errs, "run aim update") {
		t.Errorf("show before update: exit %d, %q", code, errs)
	}
	out, errs, code := aim(t, "--root", root, "update")
	if code != 0 || !strings.Contains(out, "Get: sources:1 (1 package lists)") {
		t.Fatalf("update: exit %d\n%s%s", code, out, errs)
	}
	if out, _, _ = aim(t, "--root", root, "update"); !strings.Contains(out, "Hit: sources:1") {
		t.Errorf("second update: %s", out)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"show", []string{"show", "hello=2.0-1", "ringtones"}},
		{"search", []string{"search", "FRIENDLY"}},
		{"list-user", []string{"list", "--user"}},
		{"list", []string{"list"}},
		{"policy", []string{"policy", "hello"}},
		{"policy-json", []string{"policy", "--json", "hello"}},
		{"search-json", []string{"search", "--json", "ring"}},
	} {
		out, errs, code := aim(t, append(tc.args, "--root", root)...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", tc.args, code, errs)
			continue
		}
		golden(t, tc.name, strings.NewReplacer(root, "ROOT", dir, "REPO").Replace(out))
	}
	// dpkg's installed packages count as installed.
	os.MkdirAll(filepath.Join(root, "var/lib/dpkg"), 0o755)
	status := "Package: hello\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: all\nSection: user/games\n\n" +
		"Package: secret-agent\nStatus: install ok installed\nVersion: 0.1\nArchitecture: all\nSection: user/hidden\n"
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), []byte(status), 0o644)
	for _, tc := range []struct{ name, flag string }{{"list-upgradable", "--upgradable"}, {"list-installed", "--installed"}} {
		out, errs, code := aim(t, "--root", root, "list", tc.flag)
		if code != 0 {
			t.Fatalf("list %s: %s", tc.flag, errs)
		}
		golden(t, tc.name, out)
	}
	// A second source with a higher priority wins, even with an older version.
	old := t.TempDir()
	oldPkgs := "Package: hello\nVersion: 1.5-1\nArchitecture: all\nSection: user/games\nDescription: pinned hello\n"
	os.WriteFile(filepath.Join(old, "Packages"), []byte(oldPkgs), 0o644)
	sum := sha256.Sum256([]byte(oldPkgs))
	rel := &repo.Release{Suite: "pinned", Files: []repo.ReleaseFile{{Path: "Packages", Size: int64(len(oldPkgs)), SHA256: hex.EncodeToString(sum[:])}}}
	os.WriteFile(filepath.Join(old, "Release"), rel.Bytes(), 0o644)
	if _, errs, code := aim(t, "--root", root, "source", "add", "--name", "pinned", "deb [trusted=yes priority=600] file://"+old+" ./"); code != 0 {
		t.Fatalf("source add: %s", errs)
	}
	if _, errs, code := aim(t, "--root", root, "update"); code != 0 {
		t.Fatalf("update with two sources: %s", errs)
	}
	if out, _, _ := aim(t, "--root", root, "policy", "hello"); !strings.Contains(out, "Candidate: 1.5-1") || !strings.Contains(out, "1.5-1 600") {
		t.Errorf("priority 600 source does not win:\n%s", out)
	}
	if _, errs, code := aim(t, "--root", root, "show", "ringtone-pack"); code != 1 || !strings.Contains(errs, "virtual package provided by: ringtones") {
		t.Errorf("virtual: exit %d %q", code, errs)
	}
	if _, errs, code := aim(t, "--root", root, "show", "nothing"); code != 1 || errs != "aim: no package named nothing\n" {
		t.Errorf("absent: exit %d %q", code, errs)
	}
}
