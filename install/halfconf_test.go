package install

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"aim/db"
	"aim/hooks"
)

// installChild, when set, makes the test binary install the archive it
// names into AIM_TEST_ROOT and exit.
const installChild = "AIM_TEST_INSTALL_DEB"

func runInstallChild(deb string) int {
	root := os.Getenv("AIM_TEST_ROOT")
	d, err := db.Open(root)
	if err != nil {
		return 2
	}
	e, _ := New(root, d)
	e.Scripts, _ = hooks.NewRunner(root, true)
	name := strings.SplitN(filepath.Base(deb), "_", 2)[0]
	if _, err := e.Run(context.Background(), NewTask("install", name, nil), &Transaction{Changes: []Change{{Action: Install, Name: name, Path: deb}}}); err != nil {
		return 1
	}
	return 0
}

func TestInterruptedConfigure(t *testing.T) {
	f := newFixture(t)
	mark := filepath.Join(f.dir, "crashed-once")
	s := f.scripted("app", "1", map[string]string{"/usr/bin/app": "a"})
	// The first postinst kills aim (its parent) as a crash would.
	s.scripts["postinst"] = f.logScript("if [ ! -e " + mark + " ]; then touch " + mark + "; kill -9 $PPID; sleep 10; fi")
	deb := f.build(s)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), installChild+"="+deb, "AIM_TEST_ROOT="+f.root)
	if err := cmd.Run(); err == nil {
		t.Fatal("the install survived its postinst killing it")
	}
	if _, err := os.Stat(mark); err != nil {
		t.Fatal("postinst did not run")
	}
	f.scriptLog()

	r, err := Recover(f.root, f.d)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Unconfigured, []string{"app"}) {
		t.Fatalf("recovered %+v, want app unconfigured", r)
	}
	if p, err := f.d.Installed("app", ""); err != nil || p.Version.String() != "1" {
		t.Fatalf("app not recorded after roll forward: %v", err)
	}
	if half, _ := HalfConfigured(f.d); !reflect.DeepEqual(half, []string{"app"}) {
		t.Errorf("half-configured = %v", half)
	}
	f.checkConsistent()

	// The next run configures it first, then does its own work.
	f.mustRun(f.install(spec{name: "other", version: "1"}))
	if got := f.scriptLog(); len(got) == 0 || got[0] != "app postinst configure" {
		t.Errorf("scripts = %q, want app's postinst configure first", got)
	}
	if half, _ := HalfConfigured(f.d); len(half) != 0 {
		t.Errorf("still half-configured: %v", half)
	}
	f.checkConsistent()
}
