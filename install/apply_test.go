package install

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// replaceFile puts the staged file in place, keeping what stood there as
// the backup, and refuses to rename a file over a directory, leaving
// both as they were.
func TestReplaceFile(t *testing.T) {
	for _, c := range []struct {
		name    string
		before  func(host string) // what stands at host
		wantErr error
		backup  string // the backup's contents, "" for none
	}{
		{name: "nothing there", before: func(string) {}},
		{name: "a file", before: func(host string) { os.WriteFile(host, []byte("old"), 0o644) }, backup: "old"},
		{name: "a symlink", before: func(host string) { os.Symlink("elsewhere", host) }},
		{name: "a directory", before: func(host string) { os.Mkdir(host, 0o755) }, wantErr: syscall.EISDIR},
	} {
		t.Run(c.name, func(t *testing.T) {
			host := filepath.Join(t.TempDir(), "f")
			c.before(host)
			if err := os.WriteFile(host+tmpSuffix, []byte("new"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := replaceFile(host)
			if c.wantErr != nil {
				var le *os.LinkError
				if !errors.Is(err, c.wantErr) || !errors.As(err, &le) {
					t.Fatalf("replaceFile over %s: %v, want a rename error %v", c.name, err, c.wantErr)
				}
				if fi, err := os.Lstat(host); err != nil || !fi.IsDir() || !exists(host+tmpSuffix) {
					t.Errorf("after the refusal: %v, %v; the staged file exists: %v", fi, err, exists(host+tmpSuffix))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(host); err != nil || string(b) != "new" || exists(host+tmpSuffix) {
				t.Errorf("in place: %q, %v; staged file left: %v", b, err, exists(host+tmpSuffix))
			}
			switch b, err := os.Readlink(host + oldSuffix); {
			case c.name == "a symlink" && (err != nil || b != "elsewhere"):
				t.Errorf("symlink backup: %q, %v", b, err)
			case c.backup != "":
				if b, err := os.ReadFile(host + oldSuffix); err != nil || string(b) != c.backup {
					t.Errorf("backup: %q, %v", b, err)
				}
			case c.name == "nothing there" && exists(host+oldSuffix):
				t.Error("a backup of nothing")
			}
		})
	}
}
