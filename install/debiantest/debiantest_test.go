package debiantest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aim/install/debiantest"
)

func TestDebs(t *testing.T) {
	debs := debiantest.Debs(t, "hello", "sl")
	for _, name := range []string{"hello", "sl"} {
		p, ok := debs[name]
		if !ok {
			t.Fatalf("no archive for %s in %v", name, debs)
		}
		if !strings.HasPrefix(filepath.Base(p), name+"_") || !strings.HasSuffix(p, ".deb") {
			t.Errorf("%s: unexpected file %s", name, p)
		}
	}
	// A second call reuses the cache: the same files, untouched.
	st, err := os.Stat(debs["hello"])
	if err != nil {
		t.Fatal(err)
	}
	again := debiantest.Debs(t, "hello")
	st2, err := os.Stat(again["hello"])
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(st, st2) || !st.ModTime().Equal(st2.ModTime()) {
		t.Errorf("hello was downloaded again")
	}
}

func TestMinbaseRootChroot(t *testing.T) {
	a := debiantest.MinbaseRoot(t)
	b := debiantest.MinbaseRoot(t)
	if code, out := debiantest.Chroot(t, a, "dpkg", "--version"); code != 0 || !strings.Contains(out, "dpkg") {
		t.Fatalf("chroot dpkg --version: exit %d\n%s", code, out)
	}
	if code, _ := debiantest.Chroot(t, a, "sh", "-c", "exit 3"); code != 3 {
		t.Errorf("exit status: got %d, want 3", code)
	}
	// Each copy is the test's own.
	if err := os.Remove(filepath.Join(a, "usr/bin/dpkg")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(b, "usr/bin/dpkg")); err != nil {
		t.Errorf("removing a file in one copy touched the other: %v", err)
	}
	if _, err := os.Stat(filepath.Join(a, "var/lib/dpkg/status")); err != nil {
		t.Errorf("no dpkg status in the root: %v", err)
	}
}

func TestMirror(t *testing.T) {
	m, err := debiantest.Mirror()
	if err != nil {
		t.Skip(err)
	}
	if !strings.Contains(m, "://") {
		t.Errorf("mirror %q is not a URI", m)
	}
}
