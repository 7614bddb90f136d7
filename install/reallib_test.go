package install

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"aim/install/debiantest"
)

// bumpVersion repacks the archive at p with its Version followed by
// suffix (dpkg-deb -R, then -b), as a maintainer publishing a rebuild
// would, and returns the new archive.
func bumpVersion(t *testing.T, p, suffix string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pkg")
	if out, err := exec.Command("dpkg-deb", "-R", p, dir).CombinedOutput(); err != nil {
		t.Skipf("dpkg-deb -R: %v: %s", err, out)
	}
	ctl := filepath.Join(dir, "DEBIAN/control")
	data, err := os.ReadFile(ctl)
	if err != nil {
		t.Fatal(err)
	}
	data = regexp.MustCompile(`(?m)^(Version: .*)$`).ReplaceAll(data, []byte("${1}"+suffix))
	if err := os.WriteFile(ctl, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(filepath.Dir(dir), "bumped.deb")
	if b, err := exec.Command("dpkg-deb", "-Zgzip", "-b", dir, out).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -b: %v: %s", err, b)
	}
	return out
}

// TestRealLibraryUpgradeKeepsUsersRunning installs jq with its libraries,
// upgrades libonig5 to a rebuild with only its version bumped, then
// removes them all: jq runs after the upgrade, and no transaction leaves
// a link pointing at a file that is gone (ldconfig used to link
// libonig.so.5 to the upgrade's backup, which cleanup deleted).
func TestRealLibraryUpgradeKeepsUsersRunning(t *testing.T) {
	r := newRealRoot(t, "jq", "libjq1", "libonig5")
	dangling := func() map[string]bool {
		out := map[string]bool{}
		for _, l := range danglingLinks(t, r.root) {
			out[l] = true
		}
		return out
	}
	before := dangling()
	newDangling := func(when string) {
		t.Helper()
		for l := range dangling() {
			if !before[l] {
				t.Errorf("after %s: dangling link %s", when, l)
			}
		}
	}
	r.install("libonig5", "libjq1", "jq")
	if code, out := debiantest.Chroot(t, r.root, "jq", "--version"); code != 0 {
		t.Fatalf("jq --version after install: exit %d: %s", code, out)
	}
	newDangling("install")
	r.debs["libonig5"] = bumpVersion(t, r.debs["libonig5"], "+rebuild1")
	r.install("libonig5")
	if code, out := debiantest.Chroot(t, r.root, "jq", "--version"); code != 0 {
		t.Errorf("jq --version after upgrading libonig5: exit %d: %s", code, out)
	}
	newDangling("upgrade")
	r.must(Request{Kind: KindRemove, Names: []string{"jq", "libjq1", "libonig5"}})
	newDangling("remove")
}
