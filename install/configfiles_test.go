package install

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestConfigFilesPurgeAndReinstall(t *testing.T) {
	f := newFixture(t)
	mk := func(v string) spec {
		s := f.scripted("c", v, map[string]string{"/etc/c/c.conf": "conf " + v, "/usr/bin/c": v})
		s.conffiles = []string{"/etc/c/c.conf"}
		return s
	}
	f.mustRun(f.install(mk("1")))
	f.mustRun(Change{Action: Remove, Name: "c"})
	f.scriptLog()
	if v, conf, err := ConfigFiles(f.d, "c"); err != nil || v != "1" || !reflect.DeepEqual(conf, []string{"/etc/c/c.conf"}) {
		t.Fatalf("config-files state: %q %v %v", v, conf, err)
	}
	if !exists(f.infoPath("c", "postrm")) || exists(f.infoPath("c", "prerm")) {
		t.Error("removal must keep the postrm, and only it, for the purge")
	}

	// Installing again: preinst install OLD NEW, postinst configure OLD.
	f.mustRun(f.install(mk("2")))
	want := []string{"c preinst install 1 2", "c postinst configure 1"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("reinstall scripts = %q, want %q", got, want)
	}
	if v, conf, _ := ConfigFiles(f.d, "c"); v != "" || conf != nil {
		t.Errorf("installed package still in config-files state: %q %v", v, conf)
	}
	f.mustRun(Change{Action: Remove, Name: "c"})
	f.scriptLog()

	// Purge of the leftovers: conffiles and their directory gone, postrm
	// purge run, state forgotten.
	r := f.mustRun(Change{Action: Purge, Name: "c"})
	if !reflect.DeepEqual(r.Purged, []string{"c"}) {
		t.Errorf("purged = %v", r.Purged)
	}
	if got := f.scriptLog(); !reflect.DeepEqual(got, []string{"c postrm purge"}) {
		t.Errorf("purge scripts = %q", got)
	}
	if exists(filepath.Join(f.root, "etc/c")) || exists(f.infoPath("c", "postrm")) {
		t.Errorf("left after purge:\n%s", f.snapshot())
	}
	if v, conf, _ := ConfigFiles(f.d, "c"); v != "" || conf != nil {
		t.Errorf("purged package still in config-files state: %q %v", v, conf)
	}
	if _, err := f.run(false, Change{Action: Purge, Name: "c"}); err == nil {
		t.Error("a second purge was accepted")
	}
	f.checkConsistent()
}

func TestConfigFilesPurgeRollsBack(t *testing.T) {
	f := newFixture(t)
	s := f.scripted("c", "1", map[string]string{"/etc/c.conf": "mine"})
	s.conffiles = []string{"/etc/c.conf"}
	s.scripts["postrm"] = f.logScript(`[ "$1" = purge ] && exit 4; exit 0`)
	f.mustRun(f.install(s))
	f.mustRun(Change{Action: Remove, Name: "c"})
	if _, err := f.run(false, Change{Action: Purge, Name: "c"}); err == nil {
		t.Fatal("a failing postrm purge was accepted")
	}
	if f.read("etc/c.conf") != "mine" {
		t.Error("failed purge lost the conffile")
	}
	if _, conf, _ := ConfigFiles(f.d, "c"); len(conf) != 1 {
		t.Errorf("failed purge changed the state: %v", conf)
	}
	os.Remove(f.log)
	f.checkConsistent()
}

// infoPath is the host path of an installed package's control member.
func (f *fixture) infoPath(pkg, member string) string {
	return filepath.Join(f.root, InfoDir, pkg+"."+member)
}
