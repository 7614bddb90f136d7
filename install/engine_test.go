package install

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"aim/hooks"
)

func (f *fixture) scripted(name, version string, files map[string]string) spec {
	s := spec{name: name, version: version, files: files, scripts: map[string]string{}}
	for _, n := range []string{"preinst", "postinst", "prerm", "postrm"} {
		s.scripts[n] = f.logScript("")
	}
	return s
}

func TestInstallUpgradeRemoveScripts(t *testing.T) {
	f := newFixture(t)
	v1 := f.scripted("hello", "1.0", map[string]string{"/usr/bin/hello": "v1", "/usr/share/hello/old": "o"})
	f.mustRun(f.install(v1))
	if got := f.read("usr/bin/hello"); got != "v1" {
		t.Fatalf("usr/bin/hello = %q", got)
	}
	want := []string{"hello preinst install", "hello postinst configure"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("install scripts = %q, want %q", got, want)
	}
	f.checkConsistent()

	v2 := f.scripted("hello", "2.0", map[string]string{"/usr/bin/hello": "v2"})
	r := f.mustRun(f.install(v2))
	if !reflect.DeepEqual(r.Upgraded, []string{"hello"}) {
		t.Errorf("upgraded = %v", r.Upgraded)
	}
	want = []string{"hello prerm upgrade 2.0", "hello preinst upgrade 1.0 2.0", "hello postrm upgrade 2.0", "hello postinst configure 1.0"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("upgrade scripts = %q, want %q", got, want)
	}
	if f.read("usr/bin/hello") != "v2" || exists(filepath.Join(f.root, "usr/share/hello")) {
		t.Errorf("after upgrade:\n%s", f.snapshot())
	}
	f.checkConsistent()

	f.mustRun(Change{Action: Remove, Name: "hello"})
	want = []string{"hello prerm remove", "hello postrm remove"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("remove scripts = %q, want %q", got, want)
	}
	if snap := f.snapshot(); snap != "." {
		t.Errorf("left after removal:\n%s", snap)
	}
	if _, err := f.d.Installed("hello", ""); err == nil {
		t.Error("still recorded as installed")
	}
	f.checkConsistent()
}

func TestRollbackFailingPreinst(t *testing.T) {
	f := newFixture(t)
	f.mustRun(f.install(f.scripted("base", "1", map[string]string{"/etc/base": "b"})))
	before := f.snapshot()
	f.scriptLog()
	bad := f.scripted("bad", "1", map[string]string{"/usr/bin/bad": "x", "/etc/base2": "y"})
	bad.scripts["preinst"] = f.logScript("exit 3")
	up := f.scripted("base", "2", map[string]string{"/etc/base": "b2"})
	_, err := f.run(false, f.install(up), f.install(bad))
	var se *hooks.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a script error", err)
	}
	if got := f.snapshot(); got != before {
		t.Errorf("root after rollback:\n%s\nwant:\n%s", got, before)
	}
	want := []string{"base prerm upgrade 2", "base preinst upgrade 1 2", "base postrm upgrade 2",
		"bad preinst install", "bad postrm abort-install",
		"base preinst abort-upgrade 2", "base postrm abort-upgrade 1 2", "base postinst abort-upgrade 2"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("scripts = %q\nwant %q", got, want)
	}
	if p, _ := f.d.Installed("base", ""); p == nil || p.Version.String() != "1" {
		t.Errorf("database changed: %+v", p)
	}
	f.checkConsistent()
}

func TestRollbackFailingPostinst(t *testing.T) {
	f := newFixture(t)
	before := f.snapshot()
	s := f.scripted("app", "1", map[string]string{"/usr/bin/app": "a"})
	s.scripts["postinst"] = f.logScript("exit 1")
	if _, err := f.run(false, f.install(s)); err == nil {
		t.Fatal("a failing postinst was accepted")
	}
	if got := f.snapshot(); got != before {
		t.Errorf("root after rollback:\n%s", got)
	}
	if _, err := f.d.Installed("app", ""); err == nil {
		t.Error("app recorded")
	}
	f.checkConsistent()
}

func TestRollbackWriteError(t *testing.T) {
	f := newFixture(t)
	f.mustRun(f.install(spec{name: "a", version: "1", files: map[string]string{"/opt/a/x": "1", "/opt/a/y": "1"}}))
	before := f.snapshot()
	f.e.fault = func(p string) error {
		if p == "write /opt/a/y" {
			return &os.PathError{Op: "write", Path: "/opt/a/y", Err: syscall.ENOSPC}
		}
		return nil
	}
	_, err := f.run(false, f.install(spec{name: "a", version: "2", files: map[string]string{"/opt/a/x": "2", "/opt/a/y": "2", "/opt/a/z": "2"}}))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	if got := f.snapshot(); got != before {
		t.Errorf("root after rollback:\n%s\nwant:\n%s", got, before)
	}
	f.checkConsistent()
}

func TestCheckrm(t *testing.T) {
	for _, c := range []struct {
		name, body string
		cancel     bool
	}{{"111", "exit 111", true}, {"0", "exit 0", false}, {"1", "exit 1", false}, {"signal", "kill -9 $$", false}} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			s := f.scripted("app", "1", map[string]string{"/usr/bin/app": "a"})
			s.scripts["checkrm"] = f.logScript(c.body)
			f.mustRun(f.install(s))
			f.scriptLog()
			_, err := f.run(false, Change{Action: Remove, Name: "app"})
			if got := errors.Is(err, hooks.ErrCancelled); got != c.cancel {
				t.Fatalf("cancelled = %v (%v), want %v", got, err, c.cancel)
			}
			log := f.scriptLog()
			if len(log) == 0 || log[0] != "app checkrm remove" {
				t.Errorf("scripts = %q", log)
			}
			if c.cancel && f.read("usr/bin/app") != "a" {
				t.Error("cancelled removal removed files")
			}
			f.checkConsistent()
		})
	}
}

func TestFileConflicts(t *testing.T) {
	f := newFixture(t)
	f.mustRun(f.install(spec{name: "a", version: "1", files: map[string]string{"/opt/shared": "a"}}))
	_, err := f.run(false, f.install(spec{name: "b", version: "1", files: map[string]string{"/opt/shared": "b"}}))
	var ce *FileConflictError
	if !errors.As(err, &ce) || ce.Owner != "a" {
		t.Fatalf("err = %v, want a conflict with a", err)
	}
	if f.read("opt/shared") != "a" {
		t.Error("conflicting file overwritten")
	}
	f.mustRun(f.install(spec{name: "b", version: "1", files: map[string]string{"/opt/shared": "b"}, fields: "Replaces: a (<< 2)\n"}))
	if own, _ := f.d.Owners("/opt/shared"); len(own) != 1 || own[0].Name != "b" {
		t.Errorf("owners = %v, want b", own)
	}
	f.checkConsistent()
}

func TestDpkgFilesNeverTaken(t *testing.T) {
	f := newFixture(t)
	os.MkdirAll(filepath.Join(f.root, "var/lib/dpkg/info"), 0o755)
	os.WriteFile(filepath.Join(f.root, "var/lib/dpkg/info/base.list"), []byte("/.\n/bin\n/bin/tool\n"), 0o644)
	_, err := f.run(false, f.install(spec{name: "b", version: "1", files: map[string]string{"/bin/tool": "b"}, fields: "Replaces: base\n"}))
	var ce *FileConflictError
	if !errors.As(err, &ce) || !ce.Dpkg {
		t.Fatalf("err = %v, want a conflict with dpkg's base", err)
	}
}

func TestConffiles(t *testing.T) {
	f := newFixture(t)
	mk := func(v, conf string) spec {
		return spec{name: "c", version: v, files: map[string]string{"/etc/c.conf": conf}, conffiles: []string{"/etc/c.conf"}}
	}
	f.mustRun(f.install(mk("1", "one")))
	f.mustRun(f.install(mk("2", "two"))) // unchanged by the user: replaced
	if f.read("etc/c.conf") != "two" {
		t.Fatalf("conffile = %q", f.read("etc/c.conf"))
	}
	os.WriteFile(filepath.Join(f.root, "etc/c.conf"), []byte("mine"), 0o644)
	r := f.mustRun(f.install(mk("3", "three")))
	if f.read("etc/c.conf") != "mine" || f.read("etc/c.conf.aim-new") != "three" {
		t.Errorf("changed conffile: %q, .aim-new %q", f.read("etc/c.conf"), f.read("etc/c.conf.aim-new"))
	}
	if !reflect.DeepEqual(r.KeptConffiles, []string{"/etc/c.conf"}) || !strings.Contains(r.Transcript, "kept the changed conffile") {
		t.Errorf("result %v, transcript:\n%s", r.KeptConffiles, r.Transcript)
	}
	probs, _ := Verify(f.root, f.e.Arch, f.d, nil)
	if len(probs) != 1 || probs[0].Kind != ConffileChanged {
		t.Errorf("verify = %v", probs)
	}
	f.mustRun(Change{Action: Remove, Name: "c"})
	if f.read("etc/c.conf") != "mine" {
		t.Error("remove deleted the conffile")
	}
	os.Remove(filepath.Join(f.root, "etc/c.conf.aim-new"))
	f.mustRun(f.install(mk("3", "three")))
	if _, err := f.run(true, Change{Action: Remove, Name: "c"}); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(f.root, "etc/c.conf")) {
		t.Error("purge kept the conffile")
	}
}

func TestTriggers(t *testing.T) {
	f := newFixture(t)
	watcher := spec{name: "w", version: "1", scripts: map[string]string{
		"postinst": f.logScript(""), "triggers": "interest /usr/share/icons\ninterest named-thing\n"}}
	f.mustRun(f.install(watcher))
	f.scriptLog()
	f.mustRun(f.install(spec{name: "i", version: "1", files: map[string]string{"/usr/share/icons/x.png": "p"}}),
		f.install(spec{name: "n", version: "1", scripts: map[string]string{"triggers": "activate-noawait named-thing\n"}}))
	want := []string{"w postinst triggered /usr/share/icons named-thing"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("scripts = %q, want %q", got, want)
	}
}

func TestCancel(t *testing.T) {
	f := newFixture(t)
	task := NewTask("install", "a", nil)
	if !task.Cancel() {
		t.Fatal("Cancel in Queued returned false")
	}
	_, err := f.e.Run(t.Context(), task, &Transaction{Changes: []Change{f.install(spec{name: "a", version: "1", files: map[string]string{"/opt/a": "a"}})}})
	if !errors.Is(err, ErrCancelled) || task.State() != Failed || exists(filepath.Join(f.root, "opt/a")) {
		t.Fatalf("err %v, state %v", err, task.State())
	}
	var states []State
	task = NewTask("install", "a", func(e Event) {
		if len(states) == 0 || states[len(states)-1] != e.State {
			states = append(states, e.State)
		}
	})
	task.Acknowledge()
	if _, err := f.e.Run(t.Context(), task, &Transaction{Confirm: true, Changes: []Change{f.install(spec{name: "a", version: "1"})}}); err != nil {
		t.Fatal(err)
	}
	want := []State{Executing, AwaitingAcknowledge, Installing, CleaningUp, Finished}
	if !reflect.DeepEqual(states, want) || task.Cancel() {
		t.Errorf("states %v, want %v (and Cancel false at the end)", states, want)
	}
}

func TestMaemoFlags(t *testing.T) {
	f := newFixture(t)
	r := f.mustRun(f.install(spec{name: "k", version: "1", fields: "Maemo-Flags: reboot, close-apps\n"}),
		f.install(spec{name: "a", version: "1"}))
	if !r.Reboot || !r.CloseApps || !reflect.DeepEqual(r.Installed, []string{"a", "k"}) {
		t.Errorf("result %+v", r)
	}
}

func TestSpace(t *testing.T) {
	f := newFixture(t)
	_, err := f.run(false, f.install(spec{name: "big", version: "1", fields: "Maemo-Required-Free-Space: 999999999999\n"}))
	var se *SpaceError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "more needed") {
		t.Fatalf("err = %v", err)
	}
}
