package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aim/db"
	"aim/deb"
	"aim/repo"
)

const planPackages = `Package: app
Version: 2
Architecture: all
Section: user/tools
Depends: libfoo (>= 1)
Recommends: extra
Size: 2000
Installed-Size: 10
Description: an app

Package: libfoo
Version: 1.5
Architecture: amd64
Section: libs
Size: 3000
Installed-Size: 20
Description: a library

Package: extra
Version: 1
Architecture: all
Section: misc
Size: 500
Installed-Size: 1
Description: nice to have

Package: rival
Version: 1
Architecture: all
Section: user/games
Conflicts: app
Description: conflicts with app
`

// planRoot writes a trusted flat repository with planPackages, updates a
// root from it and returns the root.
func planRoot(t *testing.T) string {
	t.Helper()
	dir, root := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "Packages"), []byte(planPackages), 0o644)
	sum := sha256.Sum256([]byte(planPackages))
	rel := &repo.Release{Origin: "Test", Label: "Test", Suite: "flat", Date: time.Now().Add(-time.Hour),
		Files: []repo.ReleaseFile{{Path: "Packages", Size: int64(len(planPackages)), SHA256: hex.EncodeToString(sum[:])}}}
	os.WriteFile(filepath.Join(dir, "Release"), rel.Bytes(), 0o644)
	os.MkdirAll(filepath.Join(root, "etc/aim"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/aim/aim.conf"), []byte("architecture = amd64\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/aim/sources.list"), []byte("deb [trusted=yes] file://"+dir+" ./\n"), 0o644)
	aimOK(t, "--root", root, "update")
	return root
}

// installInDB records a package as installed by aim.
func installInDB(t *testing.T, root, control string, auto bool) {
	t.Helper()
	para, err := deb.ParseParagraph([]byte(control))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := deb.ParseVersionLax(para.Get("Version"))
	d, err := db.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p := &db.InstalledPackage{Name: para.Get("Package"), Version: v, Architecture: para.Get("Architecture"),
		Auto: auto, User: strings.HasPrefix(para.Get("Section"), "user/"), Control: para}
	if err := d.PutInstalled(p); err != nil {
		t.Fatal(err)
	}
}

func TestInstallSimulate(t *testing.T) {
	root := planRoot(t)
	out := aimOK(t, "--root", root, "install", "-s", "app")
	for _, want := range []string{"The following NEW packages will be installed:\n  libfoo app extra\n",
		"0 upgraded, 3 newly installed, 0 to remove and 0 not upgraded.", "Need to get 5.5 kB of archives.",
		"After this operation, 31.7 kB of additional disk space will be used."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var j planJSON
	if err := json.Unmarshal([]byte(aimOK(t, "--root", root, "--json", "install", "-s", "--no-install-recommends", "app")), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Install) != 2 || j.Install[0].Package != "app" || j.Install[1] != (planEntry{Package: "libfoo", Version: "1.5", Architecture: "amd64"}) {
		t.Errorf("json plan = %+v", j)
	}
}

func TestInstallWithoutTerminalRefuses(t *testing.T) {
	root := planRoot(t)
	_, errs, code := aim(t, "--root", root, "install", "app")
	if code == 0 || !strings.Contains(errs, "aborting: no terminal to ask; use -y") {
		t.Errorf("status %d, stderr %q", code, errs)
	}
}

func TestInstallRefusedJSON(t *testing.T) {
	root := planRoot(t)
	installInDB(t, root, "Package: app\nVersion: 2\nArchitecture: all\nSection: user/tools\n", false)
	out, errs, code := aim(t, "--root", root, "--json", "install", "-s", "rival")
	if code == 0 {
		t.Fatalf("refused install exited 0: %s", out)
	}
	var j struct {
		Error   string `json:"error"`
		Reasons []struct {
			Kind, Package, Target string
		} `json:"reasons"`
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(j.Error, "rival 1 (user) conflicts with app 2 (user, installed)") || len(j.Reasons) == 0 ||
		j.Reasons[0].Kind != "conflicts" || !strings.Contains(errs, "aim: cannot install rival") {
		t.Errorf("refusal = %+v, stderr %q", j, errs)
	}
}

func TestRemoveAndAutoremoveSimulate(t *testing.T) {
	root := planRoot(t)
	installInDB(t, root, "Package: app\nVersion: 2\nArchitecture: all\nSection: user/tools\nDepends: libfoo\n", false)
	installInDB(t, root, "Package: libfoo\nVersion: 1.5\nArchitecture: amd64\nInstalled-Size: 20\n", true)
	out := aimOK(t, "--root", root, "remove", "-s", "app")
	if !strings.Contains(out, "The following packages will be REMOVED:\n  app libfoo\n") {
		t.Errorf("remove -s:\n%s", out)
	}
	_, errs, code := aim(t, "--root", root, "remove", "-s", "libfoo")
	if code == 0 || !strings.Contains(errs, "app 2 (user, installed) depends on libfoo") {
		t.Errorf("remove of a needed package: status %d, %q", code, errs)
	}
	if out := aimOK(t, "--root", root, "autoremove", "-s"); !strings.Contains(out, "0 upgraded, 0 newly installed, 0 to remove") {
		t.Errorf("autoremove -s:\n%s", out)
	}
}

func TestUpgradeSimulateAndHold(t *testing.T) {
	root := planRoot(t)
	installInDB(t, root, "Package: libfoo\nVersion: 1.0\nArchitecture: amd64\n", false)
	out := aimOK(t, "--root", root, "--json", "upgrade", "-s")
	if !strings.Contains(out, `"from": "1.0"`) {
		t.Errorf("upgrade -s --json:\n%s", out)
	}
	aimOK(t, "--root", root, "mark", "hold", "libfoo")
	out = aimOK(t, "--root", root, "upgrade", "-s")
	if !strings.Contains(out, "kept back:\n  libfoo") || !strings.Contains(out, "0 upgraded") {
		t.Errorf("upgrade -s with a hold:\n%s", out)
	}
	aimOK(t, "--root", root, "mark", "unhold", "libfoo")
	aimOK(t, "--root", root, "mark", "auto", "libfoo")
	d, err := db.OpenReadOnly(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if p, err := d.Installed("libfoo", ""); err != nil || !p.Auto {
		t.Errorf("after mark auto: %+v, %v", p, err)
	}
	if _, errs, code := aim(t, "--root", root, "mark", "hold", "ghost"); code == 0 || !strings.Contains(errs, "not installed by aim") {
		t.Errorf("mark of an unknown package: %d %q", code, errs)
	}
}
