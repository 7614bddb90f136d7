package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallDpkgPackageRefused asks for a package of dpkg's that has a
// newer candidate: alone the request fails naming dpkg (not a hold);
// beside another package, the rest is planned and dpkg's is named.
func TestInstallDpkgPackageRefused(t *testing.T) {
	root := planRoot(t)
	os.MkdirAll(filepath.Join(root, "var/lib/dpkg"), 0o755)
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), []byte("Package: libfoo\nStatus: install ok installed\n"+
		"Version: 1.0\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: dpkg's\n"), 0o644)
	tests := []struct {
		args      []string
		code      int
		out, errs string
	}{
		{[]string{"install", "-s", "libfoo"}, 1, "", "aim: libfoo (installed 1.0, requested 1.5) belongs to dpkg: aim leaves dpkg's packages to apt"},
		{[]string{"install", "-s", "libfoo=1.5"}, 1, "", "belongs to dpkg"},
		{[]string{"install", "-s", "libfoo", "extra"}, 0, "libfoo belongs to dpkg: aim leaves it to apt.", ""},
		{[]string{"install", "-s", "libfoo", "extra"}, 0, "  extra\n", ""},
		{[]string{"--json", "install", "-s", "libfoo"}, 1, `"error": "libfoo (installed 1.0`, ""},
	}
	for _, tt := range tests {
		out, errs, code := aim(t, append([]string{"--root", root}, tt.args...)...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.errs) || strings.Contains(errs+out, "held") {
			t.Errorf("aim %s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d, stdout with %q, stderr with %q",
				strings.Join(tt.args, " "), code, out, errs, tt.code, tt.out, tt.errs)
		}
	}
}
