package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cliChild, when set, makes the test binary run aim with these
// arguments (one a line) and exit with its status, so a maintainer
// script can kill it as a crash would.
const cliChild = "AIM_TEST_CLI_ARGS"

// (TestMain, in main_user_test.go, looks for it.)

// TestInterruptedConfigureFromTheCommandLine kills aim in a postinst and
// walks the way out: verify (which only looks) exits 1 naming the
// half-configured package, list and show say so, the task is Failed as
// interrupted, configure --pending finishes it, the log records it and
// verify is clean again.
func TestInterruptedConfigureFromTheCommandLine(t *testing.T) {
	root := emptyRoot(t, "")
	dir := t.TempDir()
	mark := filepath.Join(dir, "crashed-once")
	app := buildPkg(t, dir, pkgSpec{name: "app", version: "1", files: map[string]string{"/usr/share/app/a": "a"},
		scripts: map[string]string{"postinst": "if [ ! -e " + mark + " ]; then touch " + mark + "; kill -9 $PPID; sleep 10; fi\n"}})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), cliChild+"="+strings.Join([]string{"--root", root, "-y", "install", "--scripts-chrootless", app}, "\n"))
	if err := cmd.Run(); err == nil {
		t.Fatal("aim survived its postinst killing it")
	}
	steps := []struct {
		args      []string
		code      int
		out, errs string
	}{
		{[]string{"verify"}, 1, "app: half-configured (run aim configure --pending)", "1 package not configured"},
		{[]string{"list", "--installed"}, 0, "app 1 all [installed] [half-configured]", ""},
		{[]string{"show", "app"}, 0, "Status: half-configured (manual)", ""},
		{[]string{"tasks"}, 0, "error: interrupted", ""},
		{[]string{"configure", "--pending", "--scripts-chrootless"}, 0, "", "finished configuring: app"},
		{[]string{"configure", "--pending", "--scripts-chrootless"}, 0, "Nothing to configure.", ""},
		{[]string{"log"}, 0, "recover interrupted:", ""},
		{[]string{"log"}, 0, "app postinst configure", ""},
		{[]string{"verify"}, 0, "", ""},
		{[]string{"list", "--installed"}, 0, "app 1 all [installed]\n", ""},
	}
	for _, s := range steps {
		out, errs, code := aim(t, append([]string{"--root", root}, s.args...)...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errs, s.errs) {
			t.Errorf("aim %s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d, stdout with %q, stderr with %q",
				strings.Join(s.args, " "), code, out, errs, s.code, s.out, s.errs)
		}
	}
}
