package main

import (
	"os"
	"strings"
	"testing"

	"aim/db"
	"aim/deb/rootfs"
)

// TestShowOpensDatabaseOnlyForInstalledNames installs one of two
// packages with aim, then spoils the database file in place while keeping
// its size, time and inode, as a writer bypassing the lock within one
// clock tick would: show and policy of the package aim did not install
// answer from the installed-names index without opening SQLite, and those
// of the installed one open it (and so meet the damage). Before the
// damage both give the right installed state.
func TestShowOpensDatabaseOnlyForInstalledNames(t *testing.T) {
	root, _ := localRepo(t,
		pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/share/hello/a": "a\n"}},
		pkgSpec{name: "other", version: "2.0", files: map[string]string{"/usr/share/other/a": "a\n"}})
	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "hello")
	if names, ok := db.InstalledNames(root); !ok || len(names) != 1 || !names["hello"] {
		t.Fatalf("installed-names index after the install: %v, %v", names, ok)
	}
	check := func(when string) {
		t.Helper()
		if out := aimOK(t, "--root", root, "show", "other"); !strings.Contains(out, "Package: other\n") || strings.Contains(out, "Status:") {
			t.Errorf("%s: show other:\n%s", when, out)
		}
		if out := aimOK(t, "--root", root, "policy", "other"); !strings.Contains(out, "Installed: (none)") {
			t.Errorf("%s: policy other:\n%s", when, out)
		}
	}
	check("before the damage")
	if out := aimOK(t, "--root", root, "show", "hello"); !strings.Contains(out, "Status: installed") {
		t.Errorf("show hello:\n%s", out)
	}
	if out := aimOK(t, "--root", root, "policy", "hello"); !strings.Contains(out, "Installed: 1.0") {
		t.Errorf("policy hello:\n%s", out)
	}

	p := rootfs.Root(root).Path(db.DBPath)
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("not a database!!"), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	check("after the damage")
	for _, cmd := range []string{"show", "policy"} {
		if _, errs, code := aim(t, "--root", root, cmd, "hello"); code == 0 || !strings.Contains(errs, "aim.db") {
			t.Errorf("%s hello with a damaged database: exit %d, stderr %q; want a failure naming the database", cmd, code, errs)
		}
	}
}
