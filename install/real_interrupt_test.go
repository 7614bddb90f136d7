package install

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"aim/db"
	"aim/install/debiantest"
)

// realKillChild, when set, makes the test binary install the archives it
// names (separated by newlines) into AIM_TEST_ROOT with chrooted scripts
// and kill itself right after the first postinst, as a crash would.
const realKillChild = "AIM_TEST_REAL_KILL_DEBS"

func runRealKillChild(list string) int {
	root := os.Getenv("AIM_TEST_ROOT")
	d, err := db.Open(root)
	if err != nil {
		return 2
	}
	e, err := New(root, d)
	if err != nil {
		return 2
	}
	e.fault = func(point string) error {
		if strings.HasPrefix(point, "postinst ") {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		return nil
	}
	var changes []Change
	for _, p := range strings.Split(list, "\n") {
		l, err := ReadLocal(p)
		if err != nil {
			return 2
		}
		changes = append(changes, Change{Action: Install, Name: l.Name(), Version: l.Version(), Path: p})
	}
	if _, err := e.Run(context.Background(), NewTask("install", "", nil), &Transaction{Changes: changes}); err != nil {
		return 1
	}
	return 0
}

// TestRealInterruptedConfigureFinished installs real nano and less (with
// libncursesw6) into a minbase root, killing aim after the first
// postinst: the next Open
// configures what was left (update-alternatives links made), both
// programs run, nothing stays pending and verify is clean.
func TestRealInterruptedConfigureFinished(t *testing.T) {
	debs := debiantest.Debs(t, "nano", "less", "libncursesw6")
	root := debiantest.MinbaseRoot(t)
	var paths []string
	for _, p := range debs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), realKillChild+"="+strings.Join(paths, "\n"), "AIM_TEST_ROOT="+root)
	if err := cmd.Run(); err == nil {
		t.Fatal("the install survived the kill")
	}
	in, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rec := in.Recovered()
	if len(rec.Configured) == 0 || len(rec.Interrupted) != 1 {
		t.Errorf("recovered %+v, want what the kill left configured and the task failed", rec)
	}
	if pending, err := in.Pending(); err != nil || len(pending) != 0 {
		t.Errorf("pending %v, %v", pending, err)
	}
	for _, prog := range [][]string{{"nano", "--version"}, {"less", "--version"}, {"editor", "--version"}, {"pager", "--version"}} {
		if code, out := debiantest.Chroot(t, root, prog...); code != 0 {
			t.Errorf("%s: exit %d: %s", prog[0], code, out)
		}
	}
	probs, err := Verify(root, in.Arch(), in.DB(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		if p.Kind != ConffileChanged {
			t.Errorf("verify: %s", p)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "etc/alternatives/editor")); err != nil {
		t.Errorf("editor alternative: %v", err)
	}
}
