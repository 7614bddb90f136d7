package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"aim/repo"
)

// archRepo writes a trusted repository "stable main" whose Release lists
// archs, with one Packages index for each, and returns its directory.
func archRepo(t *testing.T, archs ...string) string {
	t.Helper()
	dir := t.TempDir()
	rel := &repo.Release{Origin: "Test", Suite: "stable", Codename: "stable", Date: time.Now().Add(-time.Hour),
		Architectures: archs, Components: []string{"main"}}
	for _, a := range archs {
		p := "main/binary-" + a + "/Packages"
		data := "Package: lib\nVersion: 1\nArchitecture: " + a + "\nMulti-Arch: same\nFilename: pool/lib_1_" + a +
			".deb\nSize: 1\nSHA256: " + strings.Repeat("a", 64) + "\nDescription: lib\n"
		os.MkdirAll(filepath.Join(dir, "dists/stable", filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, "dists/stable", p), []byte(data), 0o644)
		sum := sha256.Sum256([]byte(data))
		rel.Files = append(rel.Files, repo.ReleaseFile{Path: p, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	}
	os.WriteFile(filepath.Join(dir, "dists/stable/Release"), rel.Bytes(), 0o644)
	return dir
}

// TestUpdateForeignArchitectures checks that aim update fetches the
// indexes of aim.conf's foreign-architectures and of dpkg's arch file,
// where the Release lists them, and refuses a bad aim.conf value.
func TestUpdateForeignArchitectures(t *testing.T) {
	dir := archRepo(t, "amd64", "i386", "armhf")
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/aim"), 0o755)
	os.MkdirAll(filepath.Join(root, "var/lib/dpkg"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/aim/aim.conf"), []byte("architecture = amd64\nforeign-architectures = i386, arm64\n"), 0o644)
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/arch"), []byte("amd64\narmhf\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/aim/sources.list"), []byte("deb [trusted=yes] file://"+dir+" stable main\n"), 0o644)
	aimOK(t, "--root", root, "update")
	lists, _ := filepath.Glob(filepath.Join(root, repo.ListsDir, "*Packages"))
	var got []string
	for _, l := range lists {
		_, a, _ := strings.Cut(filepath.Base(l), "binary-")
		got = append(got, strings.TrimSuffix(a, "_Packages"))
	}
	slices.Sort(got)
	if want := []string{"amd64", "armhf", "i386"}; !slices.Equal(got, want) {
		t.Errorf("indexes fetched for %q, want %q (lists %q)", got, want, lists)
	}

	os.WriteFile(filepath.Join(root, "etc/aim/aim.conf"), []byte("foreign-architectures = i386 any\n"), 0o644)
	_, out, code := aim(t, "--root", root, "update")
	if code == 0 || !strings.Contains(out, `aim.conf:1: foreign-architectures = "i386 any"`) {
		t.Errorf("bad foreign-architectures: exit %d, output %q", code, out)
	}
}

// TestInstallForeignPackage installs an i386 program, with i386 a
// foreign architecture, whose dependency a native Multi-Arch: foreign
// tool satisfies; listings name it game:i386 and JSON carries the
// architecture. Without the foreign architecture configured it is not
// available.
func TestInstallForeignPackage(t *testing.T) {
	game := pkgSpec{name: "game", version: "1.0", arch: "i386", fields: "Depends: tool\nSection: user/games\n",
		files: map[string]string{"/usr/games/game": "game\n"}}
	tool := pkgSpec{name: "tool", version: "2.0", arch: "amd64", fields: "Multi-Arch: foreign\n",
		files: map[string]string{"/usr/bin/tool": "tool\n"}}
	other := pkgSpec{name: "tool", version: "2.0", arch: "i386", fields: "Multi-Arch: foreign\n",
		files: map[string]string{"/usr/bin/tool": "i386 tool\n"}}
	root, _ := localRepo(t, game, tool, other)
	if _, errs, code := aim(t, "--root", root, "install", "-s", "game:i386"); code == 0 || !strings.Contains(errs, "no package game:i386 is available") {
		t.Errorf("without i386 configured: exit %d, %q", code, errs)
	}
	conf := filepath.Join(root, "etc/aim/aim.conf")
	data, _ := os.ReadFile(conf)
	os.WriteFile(conf, append(data, "foreign-architectures = i386\n"...), 0o644)

	out := aimOK(t, "--root", root, "install", "-s", "game:i386")
	if !strings.Contains(out, "  game:i386 tool\n") && !strings.Contains(out, "  tool game:i386\n") {
		t.Errorf("install -s output does not list game:i386 and the native tool:\n%s", out)
	}
	js := aimOK(t, "--root", root, "--json", "install", "-s", "game:i386")
	if !strings.Contains(js, `"package": "game",`) || !strings.Contains(js, `"architecture": "i386"`) ||
		!strings.Contains(js, `"architecture": "amd64"`) {
		t.Errorf("JSON plan lacks the architectures:\n%s", js)
	}
	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "game:i386")
	for p, want := range map[string]string{"usr/games/game": "game\n", "usr/bin/tool": "tool\n"} {
		if got, err := os.ReadFile(filepath.Join(root, p)); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", p, got, err, want)
		}
	}
	checkForeignListings(t, root)
}

// checkForeignListings checks how the command line names the installed
// i386 game: game:i386 in listings, show and files take NAME:ARCH, and
// JSON carries the architecture.
func checkForeignListings(t *testing.T, root string) {
	t.Helper()
	if out := aimOK(t, "--root", root, "list", "--installed"); !strings.Contains(out, "game:i386/flat 1.0 i386 [installed]") ||
		!strings.Contains(out, "tool/flat 2.0 amd64 [installed]") {
		t.Errorf("list --installed:\n%s", out)
	}
	if out := aimOK(t, "--root", root, "show", "game:i386"); !strings.Contains(out, "Architecture: i386") {
		t.Errorf("show game:i386:\n%s", out)
	}
	if out := aimOK(t, "--root", root, "show", "tool:i386"); !strings.Contains(out, "Architecture: i386") || strings.Contains(out, "amd64") {
		t.Errorf("show tool:i386 shows another build:\n%s", out)
	}
	if _, errs, code := aim(t, "--root", root, "show", "game:arm64"); code == 0 || !strings.Contains(errs, "package game has no arm64 build") {
		t.Errorf("show game:arm64: exit %d, %q", code, errs)
	}
	if out := aimOK(t, "--root", root, "files", "game:i386"); out != "/usr/games/game\n" && !strings.Contains(out, "/usr/games/game\n") {
		t.Errorf("files game:i386:\n%s", out)
	}
	if out := aimOK(t, "--root", root, "--json", "files", "game:i386"); !strings.Contains(out, `"architecture": "i386"`) {
		t.Errorf("files --json game:i386 lacks the architecture:\n%s", out)
	}
	if _, errs, code := aim(t, "--root", root, "files", "game:amd64"); code == 0 || !strings.Contains(errs, "game:amd64 is not installed") {
		t.Errorf("files game:amd64: exit %d, %q", code, errs)
	}
}
