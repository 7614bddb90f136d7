package install

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// failingWatcher is a package interested in the triggers of lines whose
// postinst triggered fails unless the file ok exists.
func (f *fixture) failingWatcher(lines, ok string) spec {
	return spec{name: "w", version: "1", scripts: map[string]string{
		"postinst": f.logScript(`case "$1" in triggered) [ -e ` + ok + ` ] || exit 1;; esac`),
		"triggers": lines}}
}

func TestTriggerAwaitedFailureFailsActivator(t *testing.T) {
	for _, tc := range []struct{ name, interest, activate string }{
		{"named", "interest named", "activate named"},
		{"named-await-spelled", "interest-await named", "activate-await named"},
		{"file", "interest /usr/share/icons", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.mustRun(f.install(f.failingWatcher(tc.interest+"\n", filepath.Join(f.root, "ok"))))
			before := f.snapshot()
			a := spec{name: "a", version: "1", files: map[string]string{"/usr/share/icons/a.png": "p"},
				scripts: map[string]string{"triggers": tc.activate + "\n"}}
			_, err := f.run(false, f.install(a))
			if err == nil || !strings.Contains(err.Error(), "configure a: awaited trigger of w failed") {
				t.Fatalf("err = %v", err)
			}
			if got := f.snapshot(); got != before {
				t.Errorf("not rolled back:\n%s", got)
			}
			if _, err := f.d.Installed("a", ""); err == nil {
				t.Error("a is installed")
			}
			f.checkConsistent()
		})
	}
}

func TestTriggerNoawaitFailureLeavesInterestedPending(t *testing.T) {
	for _, tc := range []struct{ name, interest, activate string }{
		{"activate-noawait", "interest named", "activate-noawait named"},
		{"interest-noawait", "interest-noawait named", "activate named"},
		{"file-interest-noawait", "interest-noawait /usr/share/icons", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ok := filepath.Join(f.root, "ok")
			f.mustRun(f.install(f.failingWatcher(tc.interest+"\n", ok)))
			f.scriptLog()
			a := spec{name: "a", version: "1", files: map[string]string{"/usr/share/icons/a.png": "p"},
				scripts: map[string]string{"triggers": tc.activate + "\n"}}
			r := f.mustRun(f.install(a))
			if !reflect.DeepEqual(r.Installed, []string{"a"}) {
				t.Errorf("installed %v", r.Installed)
			}
			if p, _ := TriggersPending(f.d); !reflect.DeepEqual(p, []string{"w"}) {
				t.Fatalf("pending = %v", p)
			}
			f.checkConsistent()
			os.WriteFile(ok, nil, 0o644)
			f.scriptLog()
			f.mustRun(f.install(spec{name: "b", version: "1"}))
			if got := f.scriptLog(); len(got) == 0 || !strings.HasPrefix(got[0], "w postinst triggered ") {
				t.Errorf("scripts = %q, want the pending trigger first", got)
			}
			if p, _ := TriggersPending(f.d); len(p) != 0 {
				t.Errorf("still pending: %v", p)
			}
		})
	}
}

func TestTriggerRunsBeforeFinished(t *testing.T) {
	f := newFixture(t)
	f.mustRun(f.install(spec{name: "w", version: "1", scripts: map[string]string{
		"postinst": f.logScript(""), "triggers": "interest named\n"}}))
	f.scriptLog()
	var atFinish string
	task := NewTask("install", "", func(ev Event) {
		if ev.State == Finished {
			data, _ := os.ReadFile(f.log)
			atFinish = string(data)
		}
	})
	a := spec{name: "a", version: "1", scripts: map[string]string{"triggers": "activate named\n"}}
	if _, err := f.e.Run(context.Background(), task, &Transaction{Changes: []Change{f.install(a)}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(atFinish, "w postinst triggered named") {
		t.Errorf("log at Finished = %q", atFinish)
	}
}

func TestFileTriggerPrefixAndRemoval(t *testing.T) {
	f := newFixture(t)
	f.mustRun(f.install(spec{name: "w", version: "1", scripts: map[string]string{
		"postinst": f.logScript(""), "triggers": "interest-noawait /usr/share/icons\n"}}))
	f.scriptLog()
	f.mustRun(f.install(spec{name: "x", version: "1", files: map[string]string{"/usr/share/iconsx/a": "a"}}))
	if got := f.scriptLog(); len(got) != 0 {
		t.Errorf("a sibling path triggered: %q", got)
	}
	f.mustRun(f.install(spec{name: "i", version: "1", files: map[string]string{"/usr/share/icons/hicolor/a.png": "a"}}))
	want := []string{"w postinst triggered /usr/share/icons"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("install: scripts = %q, want %q", got, want)
	}
	f.mustRun(Change{Action: Remove, Name: "i"})
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("remove: scripts = %q, want %q", got, want)
	}
}

func TestTriggerActivateByOldVersionAndRemoval(t *testing.T) {
	f := newFixture(t)
	f.mustRun(f.install(spec{name: "w", version: "1", scripts: map[string]string{
		"postinst": f.logScript(""), "triggers": "interest old-name\ninterest new-name\n"}}))
	f.mustRun(f.install(spec{name: "a", version: "1", scripts: map[string]string{"triggers": "activate-noawait old-name\n"}}))
	f.scriptLog()
	f.mustRun(f.install(spec{name: "a", version: "2", scripts: map[string]string{"triggers": "activate-noawait new-name\n"}}))
	want := []string{"w postinst triggered new-name old-name"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("upgrade: scripts = %q, want %q", got, want)
	}
	f.mustRun(Change{Action: Remove, Name: "a"})
	want = []string{"w postinst triggered new-name"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("remove: scripts = %q, want %q", got, want)
	}
}

func TestTriggerUnknownDirectiveRefused(t *testing.T) {
	f := newFixture(t)
	before := f.snapshot()
	_, err := f.run(false, f.install(spec{name: "a", version: "1", files: map[string]string{"/opt/a": "a"},
		scripts: map[string]string{"triggers": "interest-sometimes x\n"}}))
	if err == nil || !strings.Contains(err.Error(), "triggers:1") {
		t.Fatalf("err = %v", err)
	}
	if got := f.snapshot(); got != before {
		t.Errorf("root changed:\n%s", got)
	}
}

func TestDpkgTriggerInterests(t *testing.T) {
	f := newFixture(t)
	trig := filepath.Join(f.root, dpkgTriggersDir)
	info := filepath.Join(f.root, "var/lib/dpkg/info")
	os.MkdirAll(trig, 0o755)
	os.MkdirAll(info, 0o755)
	os.WriteFile(filepath.Join(trig, "File"), []byte("/usr/share/man man-db/noawait\nbroken-line\n"), 0o644)
	os.WriteFile(filepath.Join(trig, "menu-update"), []byte("menu\n"), 0o644)
	os.WriteFile(filepath.Join(trig, ldconfigTrigger), []byte("libc-bin/noawait\n"), 0o644)
	os.WriteFile(filepath.Join(trig, "Unincorp"), []byte("junk here\n"), 0o644)
	os.WriteFile(filepath.Join(trig, "Lock"), nil, 0o644)
	for _, p := range []string{"man-db", "menu:amd64", "libc-bin"} {
		os.WriteFile(filepath.Join(info, p+".postinst"), []byte("#!/bin/sh\n"+f.logScript("")), 0o755)
	}
	f.mustRun(f.install(spec{name: "a", version: "1", files: map[string]string{"/usr/share/man/man1/a.1": "m"},
		scripts: map[string]string{"triggers": "activate-noawait menu-update\nactivate-noawait ldconfig\n"}}))
	want := []string{"man-db postinst triggered /usr/share/man", "menu postinst triggered menu-update"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("scripts = %q, want %q", got, want)
	}
	f.checkConsistent()
}

// TestTriggersOfPackagesConfiguredInTheSameRun installs a package
// interested in a file trigger together with a package activating it,
// then upgrades it together with another: its postinst configure runs
// and no "postinst triggered", since the activations happened while it
// was unpacked and not configured (dpkg's triggers spec: triggers do not
// accumulate then, the postinst configure does their work; dpkg -i of
// man-db with packages shipping manual pages does the same). A package
// installed afterwards triggers it as usual.
func TestTriggersOfPackagesConfiguredInTheSameRun(t *testing.T) {
	f := newFixture(t)
	w := func(v string) spec {
		return spec{name: "w", version: v, scripts: map[string]string{
			"postinst": f.logScript(""), "triggers": "interest /usr/share/man\ninterest named\n"}}
	}
	a := spec{name: "a", version: "1", files: map[string]string{"/usr/share/man/a.1": "a"},
		scripts: map[string]string{"triggers": "activate named\n"}}
	f.mustRun(f.install(w("1")), f.install(a))
	if got, want := f.scriptLog(), []string{"w postinst configure"}; !reflect.DeepEqual(got, want) {
		t.Errorf("install: scripts = %q, want %q", got, want)
	}
	b := spec{name: "b", version: "1", files: map[string]string{"/usr/share/man/b.1": "b"}}
	f.mustRun(f.install(w("2")), f.install(b))
	if got, want := f.scriptLog(), []string{"w postinst configure 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("upgrade: scripts = %q, want %q", got, want)
	}
	f.mustRun(f.install(spec{name: "c", version: "1", files: map[string]string{"/usr/share/man/c.1": "c"}}))
	if got, want := f.scriptLog(), []string{"w postinst triggered /usr/share/man"}; !reflect.DeepEqual(got, want) {
		t.Errorf("later install: scripts = %q, want %q", got, want)
	}
	f.checkConsistent()
}
