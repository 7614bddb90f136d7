package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOwnsAndFilesAnswerForDpkg checks that owns and files read dpkg's
// file lists (plain and architecture-qualified) in a root where aim
// installed nothing, and refuse names that are nobody's.
func TestOwnsAndFilesAnswerForDpkg(t *testing.T) {
	root := t.TempDir()
	info := filepath.Join(root, "var/lib/dpkg/info")
	os.MkdirAll(info, 0o755)
	os.WriteFile(filepath.Join(info, "base-files.list"), []byte("/.\n/usr\n/usr/games\n/etc/issue\n"), 0o644)
	os.WriteFile(filepath.Join(info, "libc6:amd64.list"), []byte("/.\n/usr\n/usr/lib/libc.so.6\n"), 0o644)
	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"owns", "/usr/games"}, 0, "base-files: /usr/games\n", ""},
		{[]string{"owns", "usr/lib/libc.so.6"}, 0, "libc6: /usr/lib/libc.so.6\n", ""},
		{[]string{"owns", "/usr"}, 0, "base-files: /usr\nlibc6: /usr\n", ""},
		{[]string{"owns", "/etc/nothing"}, 1, "", "no package owns /etc/nothing"},
		{[]string{"files", "base-files"}, 0, "/usr\n/usr/games\n/etc/issue\n", ""},
		{[]string{"files", "libc6"}, 0, "/usr\n/usr/lib/libc.so.6\n", ""},
		{[]string{"files", "nothing"}, 1, "", "nothing is not installed"},
		{[]string{"files", "*"}, 1, "", "is not installed"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errs, code := aim(t, append([]string{"--root", root}, tt.args...)...)
			if code != tt.code || out != tt.out || !strings.Contains(errs, tt.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out, errs, tt.code, tt.out, tt.err)
			}
		})
	}
}
