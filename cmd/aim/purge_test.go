package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPurgeAfterRemoveOfPostrmOnlyPackage removes a package whose only
// leftover is its postrm: aim list marks it config-files, and a later
// purge that also names packages with nothing to purge runs its postrm
// purge, says which names had nothing, and exits 0; a purge with nothing
// at all to purge fails.
func TestPurgeAfterRemoveOfPostrmOnlyPackage(t *testing.T) {
	calc := pkgSpec{name: "calc", version: "1.0",
		files:   map[string]string{"/usr/bin/calc": "calc\n"},
		scripts: map[string]string{"postrm": "echo \"$@\" >> \"$DPKG_ROOT/postrm.log\"\n"}}
	plain := pkgSpec{name: "plain", version: "1.0", files: map[string]string{"/usr/bin/plain": "plain\n"}}
	root, _ := localRepo(t, calc, plain)
	run := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		out, errs, code := aim(t, append([]string{"--root", root}, args...)...)
		if code != wantCode {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, wantCode, out, errs)
		}
		return out, errs
	}
	run(0, "install", "-y", "--scripts-chrootless", "calc", "plain")
	run(0, "remove", "-y", "--scripts-chrootless", "calc", "plain")
	out, _ := run(0, "list", "--installed")
	if !strings.Contains(out, "calc 1.0") || !strings.Contains(out, "[config-files]") || strings.Contains(out, "plain") {
		t.Errorf("list --installed after remove:\n%s", out)
	}
	_, errs := run(0, "purge", "-y", "--scripts-chrootless", "calc", "plain", "absent")
	for _, n := range []string{"plain", "absent"} {
		if !strings.Contains(errs, "aim: "+n+": nothing to purge") {
			t.Errorf("purge does not say %s had nothing to purge:\n%s", n, errs)
		}
	}
	log, _ := os.ReadFile(filepath.Join(root, "postrm.log"))
	if got := strings.Fields(string(log)); strings.Join(got, " ") != "remove purge" {
		t.Errorf("calc's postrm ran with %q, want remove then purge", got)
	}
	if out, _ := run(0, "list", "--installed"); strings.Contains(out, "calc") {
		t.Errorf("calc still listed after purge:\n%s", out)
	}
	_, errs = run(1, "purge", "-y", "calc", "absent")
	if !strings.Contains(errs, "nothing to purge") {
		t.Errorf("purge with nothing to purge: %s", errs)
	}
}
