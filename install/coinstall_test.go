package install

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// libz is a Multi-Arch: same library for arch: its own library file, and a
// shared copyright file with contents doc.
func (f *fixture) libz(version, arch, doc string) spec {
	s := f.scripted("libz1", version, map[string]string{
		"/usr/lib/" + arch + "/libz.so.1": "libz " + version + " " + arch,
		"/usr/share/doc/libz1/copyright":  doc,
	})
	s.arch, s.fields = arch, "Multi-Arch: same\n"
	return s
}

// installArch is install for an architecture's instance.
func (f *fixture) installArch(s spec) Change {
	c := f.install(s)
	c.Arch = s.arch
	return c
}

// instances returns "arch=version" of libz1's installed instances.
func (f *fixture) instances(name string) []string {
	f.t.Helper()
	all, err := f.d.Instances(name)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, p := range all {
		out = append(out, p.Architecture+"="+p.Version.String())
	}
	return out
}

func (f *fixture) owners(p string) []string {
	f.t.Helper()
	own, err := f.d.Owners(p)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, o := range own {
		out = append(out, o.String())
	}
	sort.Strings(out)
	return out
}

const sharedDoc = "/usr/share/doc/libz1/copyright"

// TestCoinstallMultiArchSame installs the amd64 and the i386 instance of
// a Multi-Arch: same library side by side, then removes them one by one:
// the shared file stays until the last instance that ships it goes, and
// each instance keeps its own files, scripts and record.
func TestCoinstallMultiArchSame(t *testing.T) {
	f := newFixture(t)
	f.e.Arch = "amd64"
	f.mustRun(f.installArch(f.libz("1", "amd64", "zlib licence")))
	f.checkConsistent()
	r := f.mustRun(f.installArch(f.libz("1", "i386", "zlib licence")))
	if !reflect.DeepEqual(r.Installed, []string{"libz1:i386"}) || len(r.Upgraded) != 0 {
		t.Errorf("installed %v, upgraded %v; want the i386 instance installed beside", r.Installed, r.Upgraded)
	}
	if got, want := f.instances("libz1"), []string{"amd64=1", "i386=1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("instances = %v, want %v", got, want)
	}
	if got, want := f.owners(sharedDoc), []string{"libz1:amd64", "libz1:i386"}; !reflect.DeepEqual(got, want) {
		t.Errorf("owners of the shared file = %v, want %v", got, want)
	}
	for _, p := range []string{"libz1.postinst", "libz1:i386.postinst"} {
		if !exists(f.infoPath(p[:len(p)-len(".postinst")], "postinst")) {
			t.Errorf("control member %s missing", p)
		}
	}
	f.checkConsistent()
	// The log was reset by nothing yet: both instances' scripts, each
	// called with the package name (dpkg's DPKG_MAINTSCRIPT_PACKAGE).
	want := []string{"libz1 preinst install", "libz1 postinst configure ", "libz1 preinst install", "libz1 postinst configure"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("scripts = %q, want %q", got, want)
	}

	r = f.mustRun(Change{Action: Remove, Name: "libz1", Arch: "i386"})
	if !reflect.DeepEqual(r.Removed, []string{"libz1:i386"}) {
		t.Errorf("removed %v, want libz1:i386", r.Removed)
	}
	if got := f.read(sharedDoc); got != "zlib licence" {
		t.Errorf("shared file after removing one instance: %q", got)
	}
	if exists(f.root+"/usr/lib/i386/libz.so.1") || f.read("usr/lib/amd64/libz.so.1") != "libz 1 amd64" {
		t.Errorf("after removing the i386 instance:\n%s", f.snapshot())
	}
	if exists(f.infoPath("libz1:i386", "postinst")) || !exists(f.infoPath("libz1", "postinst")) {
		t.Error("control members: the removed instance's kept or the other's lost")
	}
	if got := f.instances("libz1"); !reflect.DeepEqual(got, []string{"amd64=1"}) {
		t.Errorf("instances after removal = %v", got)
	}
	f.checkConsistent()

	f.mustRun(Change{Action: Remove, Name: "libz1", Arch: "amd64"})
	if snap := f.snapshot(); snap != "." {
		t.Errorf("left after removing the last instance:\n%s", snap)
	}
	f.checkConsistent()
}

// TestCoinstallRemoveNativeFirst installs both instances in one
// transaction and removes the native one: the foreign one keeps its files
// and the shared one, and verify finds nothing wrong.
func TestCoinstallRemoveNativeFirst(t *testing.T) {
	f := newFixture(t)
	f.e.Arch = "amd64"
	r := f.mustRun(f.installArch(f.libz("1", "amd64", "doc")), f.installArch(f.libz("1", "i386", "doc")))
	if !reflect.DeepEqual(r.Installed, []string{"libz1", "libz1:i386"}) {
		t.Errorf("installed %v", r.Installed)
	}
	f.checkConsistent()
	f.mustRun(Change{Action: Remove, Name: "libz1", Arch: "amd64"})
	if f.read(sharedDoc) != "doc" || f.read("usr/lib/i386/libz.so.1") != "libz 1 i386" || exists(f.root+"/usr/lib/amd64") {
		t.Errorf("after removing the amd64 instance:\n%s", f.snapshot())
	}
	if got := f.owners(sharedDoc); !reflect.DeepEqual(got, []string{"libz1:i386"}) {
		t.Errorf("owners = %v", got)
	}
	probs, err := Verify(f.root, f.e.Arch, f.d, nil)
	if err != nil || len(probs) != 0 {
		t.Errorf("verify = %v, %v", probs, err)
	}
	f.checkConsistent()
}

// TestCoinstallDifferingSharedFileRefused checks dpkg's rule: an
// instance whose shared file differs from the other instance's is
// refused, naming both and the file, and nothing changes, whether the
// other instance is installed or comes in the same transaction.
func TestCoinstallDifferingSharedFileRefused(t *testing.T) {
	f := newFixture(t)
	f.e.Arch = "amd64"
	f.mustRun(f.installArch(f.libz("1", "amd64", "amd64 text")))
	before := f.snapshot()
	f.scriptLog()
	_, err := f.run(false, f.installArch(f.libz("1", "i386", "i386 text")))
	var se *SharedFileError
	if !errors.As(err, &se) || se.Package != "libz1:i386" || se.Other != "libz1" || se.Path != sharedDoc {
		t.Fatalf("err = %v, want a SharedFileError naming libz1:i386, libz1 and %s", err, sharedDoc)
	}
	if got := f.snapshot(); got != before {
		t.Errorf("root changed by the refused instance:\n%s\nwant:\n%s", got, before)
	}
	if got := f.instances("libz1"); !reflect.DeepEqual(got, []string{"amd64=1"}) {
		t.Errorf("instances = %v", got)
	}
	if log := f.scriptLog(); len(log) != 0 {
		t.Errorf("scripts ran: %q", log)
	}
	f.checkConsistent()

	g := newFixture(t)
	g.e.Arch = "amd64"
	_, err = g.run(false, g.installArch(g.libz("1", "amd64", "a")), g.installArch(g.libz("1", "i386", "b")))
	if !errors.As(err, &se) {
		t.Fatalf("both in one transaction: err = %v, want a SharedFileError", err)
	}
	if snap := g.snapshot(); snap != "." {
		t.Errorf("root after the refused transaction:\n%s", snap)
	}
	if all, _ := g.d.InstalledPackages(); len(all) != 0 {
		t.Errorf("recorded: %+v", all)
	}
	g.checkConsistent()
}

// TestCoinstallUpgradeTogether upgrades both instances in one
// transaction, as the resolver plans it (versions of Multi-Arch: same
// packages move together); a shared file the new version no longer ships
// goes, the new shared contents are in place.
func TestCoinstallUpgradeTogether(t *testing.T) {
	f := newFixture(t)
	f.e.Arch = "amd64"
	v1 := func(arch string) spec {
		s := f.libz("1", arch, "v1 doc")
		s.files["/usr/share/doc/libz1/changelog"] = "old"
		return s
	}
	f.mustRun(f.installArch(v1("amd64")), f.installArch(v1("i386")))
	f.scriptLog()
	r := f.mustRun(f.installArch(f.libz("2", "i386", "v2 doc")), f.installArch(f.libz("2", "amd64", "v2 doc")))
	if !reflect.DeepEqual(r.Upgraded, []string{"libz1:i386", "libz1"}) || len(r.Installed) != 0 {
		t.Errorf("upgraded %v, installed %v", r.Upgraded, r.Installed)
	}
	if got, want := f.instances("libz1"), []string{"amd64=2", "i386=2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("instances = %v, want %v", got, want)
	}
	if f.read(sharedDoc) != "v2 doc" || exists(f.root+"/usr/share/doc/libz1/changelog") ||
		f.read("usr/lib/i386/libz.so.1") != "libz 2 i386" || f.read("usr/lib/amd64/libz.so.1") != "libz 2 amd64" {
		t.Errorf("after the upgrade:\n%s", f.snapshot())
	}
	want := []string{"libz1 prerm upgrade 2", "libz1 preinst upgrade 1 2", "libz1 postrm upgrade 2",
		"libz1 prerm upgrade 2", "libz1 preinst upgrade 1 2", "libz1 postrm upgrade 2",
		"libz1 postinst configure 1", "libz1 postinst configure 1"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("scripts = %q\nwant %q", got, want)
	}
	f.checkConsistent()
}

// TestCoinstallUpgradeRollback makes the second instance's upgrade fail:
// both instances, and the shared file, are back as they were.
func TestCoinstallUpgradeRollback(t *testing.T) {
	f := newFixture(t)
	f.e.Arch = "amd64"
	f.mustRun(f.installArch(f.libz("1", "amd64", "v1")), f.installArch(f.libz("1", "i386", "v1")))
	before := f.snapshot()
	bad := f.libz("2", "i386", "v2")
	bad.scripts["postinst"] = f.logScript("exit 1")
	if _, err := f.run(false, f.installArch(f.libz("2", "amd64", "v2")), f.installArch(bad)); err == nil {
		t.Fatal("a failing postinst was accepted")
	}
	if got := f.snapshot(); got != before {
		t.Errorf("root after rollback:\n%s\nwant:\n%s", got, before)
	}
	if got, want := f.instances("libz1"), []string{"amd64=1", "i386=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("instances = %v, want %v", got, want)
	}
	f.checkConsistent()
}

// TestUpgradeToAllKeepsOneInstance upgrades an amd64 package to an
// Architecture: all version: one instance, moved, not a second one.
func TestUpgradeToAllKeepsOneInstance(t *testing.T) {
	f := newFixture(t)
	f.e.Arch = "amd64"
	s := spec{name: "tool", version: "1", arch: "amd64", files: map[string]string{"/usr/bin/tool": "1"}}
	f.mustRun(f.installArch(s))
	s.version, s.arch, s.files = "2", "all", map[string]string{"/usr/bin/tool": "2"}
	r := f.mustRun(f.installArch(s))
	if !reflect.DeepEqual(r.Upgraded, []string{"tool"}) {
		t.Errorf("upgraded %v", r.Upgraded)
	}
	if got := f.instances("tool"); !reflect.DeepEqual(got, []string{"all=2"}) {
		t.Errorf("instances = %v, want one, moved to all", got)
	}
	if files, err := f.d.Files("tool", "all"); err != nil || len(files) == 0 {
		t.Errorf("files = %v, %v", files, err)
	}
	f.checkConsistent()
}

// TestCoinstallSharedConffile gives both instances the same conffile:
// purging one instance leaves it to the other, purging the last one
// deletes it.
func TestCoinstallSharedConffile(t *testing.T) {
	f := newFixture(t)
	f.e.Arch = "amd64"
	withConf := func(arch string) spec {
		s := f.libz("1", arch, "doc")
		s.files["/etc/libz1.conf"] = "level = 6\n"
		s.conffiles = []string{"/etc/libz1.conf"}
		return s
	}
	f.mustRun(f.installArch(withConf("amd64")), f.installArch(withConf("i386")))
	if got := f.owners("/etc/libz1.conf"); !reflect.DeepEqual(got, []string{"libz1:amd64", "libz1:i386"}) {
		t.Errorf("owners of the shared conffile = %v", got)
	}
	for _, arch := range []string{"amd64", "i386"} {
		if c, err := f.d.Conffiles("libz1", arch); err != nil || len(c) != 1 {
			t.Errorf("conffiles of the %s instance = %v, %v", arch, c, err)
		}
	}
	if _, err := f.run(true, Change{Action: Remove, Name: "libz1", Arch: "i386"}); err != nil {
		t.Fatal(err)
	}
	if got := f.read("etc/libz1.conf"); got != "level = 6\n" {
		t.Errorf("shared conffile after purging one instance: %q", got)
	}
	if c, _ := f.d.Conffiles("libz1", "amd64"); len(c) != 1 {
		t.Errorf("conffiles of the remaining instance = %v", c)
	}
	f.checkConsistent()
	if _, err := f.run(true, Change{Action: Remove, Name: "libz1", Arch: "amd64"}); err != nil {
		t.Fatal(err)
	}
	if snap := f.snapshot(); snap != "." {
		t.Errorf("left after purging the last instance:\n%s", snap)
	}
	f.checkConsistent()
}

// TestForeignInfoAdopted removes a foreign package that an older aim
// installed, which kept its control members under the bare name: they
// are found (its prerm and postrm run) and go with it.
func TestForeignInfoAdopted(t *testing.T) {
	f := newFixture(t)
	f.e.Arch = "" // as before instances: every package keyed by its name
	game := f.scripted("game", "1", map[string]string{"/usr/games/game": "g"})
	game.arch = "i386"
	f.mustRun(f.installArch(game))
	if !exists(f.infoPath("game", "prerm")) {
		t.Fatal("setup: no game.prerm")
	}
	f.scriptLog()
	f.e.Arch = "amd64"
	r := f.mustRun(Change{Action: Remove, Name: "game", Arch: "i386"})
	if !reflect.DeepEqual(r.Removed, []string{"game:i386"}) {
		t.Errorf("removed %v", r.Removed)
	}
	if got, want := f.scriptLog(), []string{"game prerm remove", "game postrm remove"}; !reflect.DeepEqual(got, want) {
		t.Errorf("scripts = %q, want %q", got, want)
	}
	// The removal leaves the postrm for the purge (config-files state),
	// under the instance's key; the purge runs it and deletes it.
	if exists(f.infoPath("game", "prerm")) || exists(f.infoPath("game", "postrm")) ||
		exists(f.infoPath("game:i386", "prerm")) || !exists(f.infoPath("game:i386", "postrm")) {
		t.Error("control members after the removal: want only game:i386.postrm")
	}
	if snap := f.snapshot(); snap != "." {
		t.Errorf("left:\n%s", snap)
	}
	f.checkConsistent()
	f.mustRun(Change{Action: Purge, Name: "game"})
	if got, want := f.scriptLog(), []string{"game postrm purge"}; !reflect.DeepEqual(got, want) {
		t.Errorf("purge scripts = %q, want %q", got, want)
	}
	if exists(f.infoPath("game:i386", "postrm")) {
		t.Error("game:i386.postrm left after the purge")
	}
	f.checkConsistent()
}

// TestCoinstallScriptsKnowTheirArchitecture runs the scripts of both
// instances of a Multi-Arch: same library: as under dpkg, each gets the
// bare package name and its own architecture in DPKG_MAINTSCRIPT_ARCH.
func TestCoinstallScriptsKnowTheirArchitecture(t *testing.T) {
	f := newFixture(t)
	f.e.Arch = "amd64"
	archLog := func(s spec) spec {
		s.scripts["postinst"] = fmt.Sprintf("echo \"$DPKG_MAINTSCRIPT_PACKAGE $DPKG_MAINTSCRIPT_ARCH $*\" >> %s\n", f.log)
		return s
	}
	var got []string
	for _, arch := range []string{"amd64", "i386"} {
		f.mustRun(f.installArch(archLog(f.libz("1", arch, "zlib licence"))))
		for _, l := range f.scriptLog() {
			if strings.HasSuffix(l, "configure") {
				got = append(got, l)
			}
		}
	}
	want := []string{"libz1 amd64 configure", "libz1 i386 configure"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("postinst saw %q, want %q", got, want)
	}
}
