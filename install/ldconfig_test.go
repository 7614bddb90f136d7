package install

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"aim/deb/rootfs"
)

func TestIsSharedLibAndDirs(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "usr/lib/x86_64-linux-gnu"), 0o755)
	os.MkdirAll(filepath.Join(root, "etc/ld.so.conf.d"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/ld.so.conf"), []byte("include /etc/ld.so.conf.d/*.conf\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/ld.so.conf.d/x.conf"), []byte("# local\n/opt/x/lib\n"), 0o644)
	dirs := ldDirs(root)
	for _, d := range []string{"/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/opt/x/lib"} {
		if !dirs[d] {
			t.Errorf("%s not an ldconfig directory", d)
		}
	}
	if dirs["/usr/share"] {
		t.Error("/usr/share is an ldconfig directory")
	}
	for p, want := range map[string]bool{"/usr/lib/libx.so": true, "/lib/libx.so.1.2": true, "/usr/lib/libx.a": false, "/usr/lib/sonic": false} {
		if isSharedLib(p) != want {
			t.Errorf("isSharedLib(%s) = %v", p, !want)
		}
	}
}

// ldconfigRoot is a fixture whose root has an ldconfig (a placeholder:
// chrootless, the host's ldconfig runs with -r ROOT).
func ldconfigRoot(t *testing.T) *fixture {
	if hostLdconfig() == "" {
		t.Skip("the host has no ldconfig")
	}
	f := newFixture(t)
	os.MkdirAll(filepath.Join(f.root, "sbin"), 0o755)
	os.WriteFile(filepath.Join(f.root, "sbin/ldconfig"), []byte("placeholder"), 0o755)
	return f
}

func TestLdconfigRunsForSharedLibraries(t *testing.T) {
	f := ldconfigRoot(t)
	cache := filepath.Join(f.root, "etc/ld.so.cache")
	f.mustRun(f.install(spec{name: "doc", version: "1", files: map[string]string{"/usr/share/doc/libx.so.txt": "d"}}))
	if exists(cache) {
		t.Fatal("ldconfig ran for a package without libraries")
	}
	f.mustRun(f.install(spec{name: "libx1", version: "1", files: map[string]string{"/usr/lib/libx.so.1": "not really elf"}}))
	if !exists(cache) {
		t.Fatal("no ld.so.cache after installing a library")
	}
	os.Remove(cache)
	f.mustRun(Change{Action: Remove, Name: "libx1"})
	if !exists(cache) {
		t.Error("no ld.so.cache after removing a library")
	}
}

func TestLdconfigTriggerActivation(t *testing.T) {
	f := ldconfigRoot(t)
	f.mustRun(f.install(spec{name: "t", version: "1", scripts: map[string]string{"triggers": "activate-noawait ldconfig\n"}}))
	if !exists(filepath.Join(f.root, "etc/ld.so.cache")) {
		t.Error("activate-noawait ldconfig did not run ldconfig")
	}
}

func TestLdconfigSkippedWithoutOne(t *testing.T) {
	f := newFixture(t)
	r := f.mustRun(f.install(spec{name: "libx1", version: "1", files: map[string]string{"/usr/lib/libx.so.1": "x"}}))
	if exists(filepath.Join(f.root, "etc/ld.so.cache")) {
		t.Error("ldconfig ran in a root without one")
	}
	if !strings.Contains(r.Transcript, "ldconfig: skipped") {
		t.Errorf("transcript does not say ldconfig was skipped:\n%s", r.Transcript)
	}
}

// danglingLinks lists the symlinks under root whose target (resolved
// inside root) does not exist.
func danglingLinks(t *testing.T, root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if host, err := rootfs.Root(root).Join(rel); err != nil || !exists(host) {
			target, _ := os.Readlink(p)
			out = append(out, rel+" -> "+target)
		}
		return nil
	})
	return out
}

// TestLdconfigLeavesNoDanglingLinks upgrades and removes a real shared
// library (the host's libz, with its SONAME link) under the host's
// ldconfig: no link may point at a file that is gone afterwards (ldconfig
// used to run while the replaced files stood beside their targets as
// backups, and link the SONAME to a backup that cleanup then deleted).
func TestLdconfigLeavesNoDanglingLinks(t *testing.T) {
	libs, _ := filepath.Glob("/usr/lib/*-linux-gnu/libz.so.1.*")
	if len(libs) == 0 {
		t.Skip("the host has no libz to package")
	}
	elf, err := os.ReadFile(libs[0])
	if err != nil {
		t.Fatal(err)
	}
	f := ldconfigRoot(t)
	base := filepath.Base(libs[0])
	pkg := func(v string) Change {
		m := fstest.MapFS{
			"usr": {Mode: fs.ModeDir | 0o755}, "usr/lib": {Mode: fs.ModeDir | 0o755},
			"usr/lib/" + base:      {Data: append(append([]byte{}, elf...), v...), Mode: 0o644},
			"usr/lib/libz.so.1":    {Data: []byte(base), Mode: fs.ModeSymlink | 0o777},
			"usr/lib/libz-user.sh": {Data: []byte("user of libz " + v), Mode: 0o644},
		}
		return Change{Action: Install, Name: "libz1", Version: v, Path: f.buildRawVersion("libz1", v, m)}
	}
	f.mustRun(pkg("1"))
	for _, step := range []struct {
		what string
		c    Change
	}{
		{"upgrade", func() Change { c := pkg("2"); c.Action = Upgrade; return c }()},
		{"reinstall", func() Change { c := pkg("2"); c.Action = Upgrade; return c }()},
		{"remove", Change{Action: Remove, Name: "libz1"}},
	} {
		f.mustRun(step.c)
		if d := danglingLinks(t, f.root); len(d) > 0 {
			t.Errorf("after %s: dangling links: %v", step.what, d)
		}
		if step.what != "remove" {
			if got, _ := os.Readlink(filepath.Join(f.root, "usr/lib/libz.so.1")); got != base {
				t.Errorf("after %s: libz.so.1 -> %s, want %s", step.what, got, base)
			}
		}
	}
}
