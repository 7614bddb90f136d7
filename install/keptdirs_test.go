package install

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestRollbackPutsBackDirectoriesScriptsDeleted purges a package whose
// postrm deletes its own cache directory (as man-db's deletes
// /var/cache/man, owned by man:man), in a transaction that then fails:
// the rollback puts the directory back with its owner and mode, so that
// the package, installed again, verifies clean.
func TestRollbackPutsBackDirectoriesScriptsDeleted(t *testing.T) {
	for _, purge := range []bool{false, true} {
		f := newFixture(t)
		a := spec{name: "a", version: "1", files: map[string]string{"/var/cache/a/keep": "k", "/usr/bin/a": "a"},
			scripts: map[string]string{"postrm": f.logScript(`rm -rf "$DPKG_ROOT/var/cache/a"`)}}
		b := spec{name: "b", version: "1", files: map[string]string{"/usr/bin/b": "b"},
			scripts: map[string]string{"postrm": f.logScript("exit 3")}}
		f.mustRun(f.install(a), f.install(b))
		dir := filepath.Join(f.root, "var/cache/a")
		root := os.Geteuid() == 0
		if root {
			if err := os.Chown(dir, 6, 12); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(dir, 0o750|os.ModeSetgid); err != nil {
			t.Fatal(err)
		}
		os.Remove(dir + "/keep") // the cache's contents are the script's to lose
		f.scriptLog()
		if _, err := f.run(purge, Change{Action: Remove, Name: "a"}, Change{Action: Remove, Name: "b"}); err == nil {
			t.Fatal("the failing postrm of b was accepted")
		}
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatalf("purge %v: %s not put back: %v (scripts %q)", purge, dir, err, f.scriptLog())
		}
		if fi.Mode()&(os.ModePerm|os.ModeSetgid) != 0o750|os.ModeSetgid {
			t.Errorf("purge %v: mode %v, want drwxr-s---", purge, fi.Mode())
		}
		if st := fi.Sys().(*syscall.Stat_t); root && (st.Uid != 6 || st.Gid != 12) {
			t.Errorf("purge %v: owner %d:%d, want 6:12", purge, st.Uid, st.Gid)
		}
		if got := f.read("usr/bin/a"); got != "a" {
			t.Errorf("purge %v: /usr/bin/a = %q", purge, got)
		}
	}
}
