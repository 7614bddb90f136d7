package main

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"strings"
	"testing"
)

// TestChrootWithoutShellNamesTheWayOut installs a package with a
// postinst into a root without /bin/sh, chrooted: the error must say
// what is missing and name --scripts-chrootless.
func TestChrootWithoutShellNamesTheWayOut(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chrooted scripts need root")
	}
	root, _ := localRepo(t, pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/bin/hello": "hi\n"},
		scripts: map[string]string{"postinst": "echo configured\n"}})
	_, errs, code := aim(t, "--root", root, "install", "-y", "hello")
	if code == 0 || !strings.Contains(errs, "/bin/sh") || !strings.Contains(errs, "--scripts-chrootless") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(root + "/usr/bin/hello"); err == nil {
		t.Error("the failed install left its files")
	}
}

// TestListAfterFailedUpdate checks that list and search say that there
// are no package lists when the only source failed to update, instead
// of printing nothing.
func TestListAfterFailedUpdate(t *testing.T) {
	root := t.TempDir()
	aimOK(t, "--root", root, "source", "add", "deb [trusted=yes] file://"+t.TempDir()+"/none stable main")
	if _, _, code := aim(t, "--root", root, "update"); code == 0 {
		t.Fatal("update of a missing repository succeeded")
	}
	for _, args := range [][]string{{"list"}, {"search", "foo"}} {
		out, errs, code := aim(t, append([]string{"--root", root}, args...)...)
		if code == 0 || out != "" || !strings.Contains(errs, "no package lists") {
			t.Errorf("%v: exit %d, out %q, err %q", args, code, out, errs)
		}
	}
	if _, errs, code := aim(t, "--root", root, "list", "--installed"); code != 0 {
		t.Errorf("list --installed: exit %d %s", code, errs)
	}
}

// TestUpdateFailsOnSkippedSource checks that a source skipped for a
// missing signed-by keyring makes aim update fail, naming the file.
func TestUpdateFailsOnSkippedSource(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(root+"/etc/aim/sources.list.d", 0o755)
	os.WriteFile(root+"/etc/aim/sources.list.d/x.list",
		[]byte("deb [signed-by=/etc/aim/keyrings/none.asc] file:///nonexistent stable main\n"), 0o644)
	_, errs, code := aim(t, "--root", root, "update")
	if code != 1 || !strings.Contains(errs, "x.list:1") || !strings.Contains(errs, "none.asc") || !strings.Contains(errs, "skipped") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// TestResultWords checks what reinstall, remove --purge, mark and policy
// say: "reinstalled", apt's purge mark and count, apt-mark's lines, and
// the installed version in policy's table when no source has it.
func TestResultWords(t *testing.T) {
	root, _ := localRepo(t, pkgSpec{name: "hello", version: "1.0", files: map[string]string{"/usr/bin/hello": "hi\n"}})
	aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "hello")
	if out := aimOK(t, "--root", root, "install", "-y", "--scripts-chrootless", "--reinstall", "hello"); !strings.Contains(out, "Done: 1 reinstalled.") {
		t.Errorf("reinstall: %s", out)
	}
	for _, m := range [][2]string{{"hold", "hello set on hold."}, {"unhold", "Canceled hold on hello."},
		{"auto", "hello set to automatically installed."}, {"manual", "hello set to manually installed."}} {
		if out := aimOK(t, "--root", root, "mark", m[0], "hello"); strings.TrimSpace(out) != m[1] {
			t.Errorf("mark %s: %q", m[0], out)
		}
	}
	out := aimOK(t, "--root", root, "remove", "-y", "--purge", "--scripts-chrootless", "hello")
	if !strings.Contains(out, "REMOVED:\n  hello*\n") || !strings.Contains(out, "1 removed, 1 purged.") {
		t.Errorf("remove --purge: %s", out)
	}
	os.MkdirAll(root+"/var/lib/dpkg", 0o755)
	os.WriteFile(root+"/var/lib/dpkg/status", []byte("Package: hello\nStatus: install ok installed\nVersion: 0.9\nArchitecture: all\n"), 0o644)
	if out := aimOK(t, "--root", root, "policy", "hello"); !strings.Contains(out, " *** 0.9 100\n        100 /var/lib/dpkg/status (dpkg)") {
		t.Errorf("policy:\n%s", out)
	}
}

// TestDamagedArchiveIsNamed installs, extracts and lists a .deb whose
// data member is corrupt: each error names the file and says that it is
// damaged, and the install leaves nothing behind.
func TestDamagedArchiveIsNamed(t *testing.T) {
	dir := t.TempDir()
	raw := make([]byte, 300000)
	rand.Read(raw)
	big := base64.StdEncoding.EncodeToString(raw) // incompressible: the data member is most of the file
	good := buildPkg(t, dir, pkgSpec{name: "x", version: "1", files: map[string]string{"/usr/share/x/data": big}})
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(data) / 2; i < len(data)/2+64; i++ { // well inside the data member
		data[i] ^= 0x5a
	}
	bad := dir + "/bad.deb"
	os.WriteFile(bad, data, 0o644)
	root := emptyRoot(t, "")
	for _, args := range [][]string{{"--root", root, "install", "-y", "--scripts-chrootless", bad},
		{"deb", "extract", bad, t.TempDir()}, {"deb", "contents", bad}} {
		_, errs, code := aim(t, args...)
		if code == 0 || !strings.Contains(errs, "damaged") || !strings.Contains(errs, bad) {
			t.Errorf("%v: exit %d: %s", args[len(args)-2:], code, errs)
		}
	}
	if _, err := os.Stat(root + "/usr/share/x"); err == nil {
		t.Error("the failed install left files")
	}
}
