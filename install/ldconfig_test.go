package install

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
