package install

import (
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"testing"
)

// TestRecoverRunsUnwindScripts kills a transaction right after the
// preinst of its second package succeeded, before the commit point:
// Recover must roll it back and run postrm abort-install for both
// packages whose preinst had run, and nothing for the others.
func TestRecoverRunsUnwindScripts(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 8; i++ {
		name := "p" + strconv.Itoa(i)
		f.build(f.scripted(name, "1", map[string]string{"/usr/share/" + name + "/f": "1"}))
	}
	before := f.snapshot()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChild+"="+f.root, "AIM_TEST_CRASH_GEN=1", crashKillAt+"=preinst p1")
	if err := cmd.Run(); err == nil {
		t.Fatal("the child was not killed")
	}
	want := []string{"p0 preinst install", "p1 preinst install"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Fatalf("scripts before the kill = %q, want %q", got, want)
	}
	r, err := f.e.Recover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"p1 postrm abort-install", "p0 postrm abort-install"}
	if got := f.scriptLog(); !reflect.DeepEqual(got, want) {
		t.Errorf("scripts during recovery = %q, want %q", got, want)
	}
	if !reflect.DeepEqual(r.Unwound, want) || len(r.Notes) != 0 {
		t.Errorf("recovered %+v", r)
	}
	if got := f.snapshot(); got != before {
		t.Errorf("root after recovery:\n%s\nwant:\n%s", got, before)
	}
	f.checkConsistent()
	if r, err := f.e.Recover(t.Context()); err != nil || len(r.Unwound) != 0 {
		t.Errorf("second recovery: %+v, %v", r, err)
	}
}
