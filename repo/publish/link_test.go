package publish

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// time1 is a modification time no file written by a test has.
var time1 = time.Unix(1600000000, 0)

// TestAddLink adds package files with Link: a file of this user with
// mode 0644 on the pool's filesystem is hard-linked (the pool file is
// its inode, and it stays where it was); any other file is copied, and
// Move wins over Link; a symbolic link is not followed to link its
// target (it is not a regular file). Either way the pool holds the
// recorded bytes with mode 0644 and no staging file is left.
func TestAddLink(t *testing.T) {
	otherFS := func(t *testing.T, r *Repo) string {
		var a, b syscall.Stat_t
		if syscall.Stat("/dev/shm", &a) != nil || syscall.Stat(r.Dir, &b) != nil || a.Dev == b.Dev {
			t.Skip("no tmpfs on another filesystem than the test's")
		}
		d, err := os.MkdirTemp("/dev/shm", "aim-link-")
		if err != nil {
			t.Skip(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		return d
	}
	tests := []struct {
		name   string
		mode   os.FileMode
		dir    func(t *testing.T, r *Repo) string
		prep   func(t *testing.T, file string)
		via    func(t *testing.T, file string) string // the path given to Add
		opts   AddOptions
		linked bool
		moved  bool
	}{
		{name: "mode 0644", mode: 0o644, opts: AddOptions{Link: true}, linked: true},
		{name: "without Link", mode: 0o644},
		{name: "mode 0600", mode: 0o600, opts: AddOptions{Link: true}},
		{name: "group-writable", mode: 0o664, opts: AddOptions{Link: true}},
		{name: "executable", mode: 0o755, opts: AddOptions{Link: true}},
		{name: "other filesystem", mode: 0o644, dir: otherFS, opts: AddOptions{Link: true}},
		{name: "another user's", mode: 0o644, opts: AddOptions{Link: true}, prep: func(t *testing.T, file string) {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a file to another user")
			}
			if err := os.Chown(file, 65534, 65534); err != nil {
				t.Skip(err)
			}
		}},
		{name: "Move wins", mode: 0o644, opts: AddOptions{Link: true, Move: true}, moved: true},
		{name: "through a symbolic link", mode: 0o644, opts: AddOptions{Link: true}, via: func(t *testing.T, file string) string {
			l := filepath.Join(t.TempDir(), "via.deb")
			if err := os.Symlink(file, l); err != nil {
				t.Fatal(err)
			}
			return l
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestRepo(t, false)
			src := t.TempDir()
			if tc.dir != nil {
				src = tc.dir(t, r)
			}
			file := buildTestDeb(t, src, "linked", "1.0", "all", "utils", nil)
			if err := os.Chmod(file, tc.mode); err != nil {
				t.Fatal(err)
			}
			if tc.prep != nil {
				tc.prep(t, file)
			}
			sum := fileSum(t, file)
			var before syscall.Stat_t
			syscall.Stat(file, &before)
			given := file
			if tc.via != nil {
				given = tc.via(t, file)
			}
			res, err := r.Add([]string{given}, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkPoolConsistent(t, r, nil, "after the add")
			pool := filepath.Join(r.Dir, res[0].Package.Filename)
			var after syscall.Stat_t
			if err := syscall.Stat(pool, &after); err != nil {
				t.Fatal(err)
			}
			_, statErr := os.Stat(file)
			if gone := statErr != nil; gone != tc.moved {
				t.Errorf("source gone: %v, want %v", gone, tc.moved)
			}
			if shared := after.Ino == before.Ino && after.Dev == before.Dev; shared != (tc.linked || tc.moved) {
				t.Errorf("pool file is the source's inode: %v, want %v", shared, tc.linked || tc.moved)
			}
			if fileSum(t, pool) != sum || res[0].Package.SHA256 != sum || after.Mode&0o7777 != 0o644 {
				t.Errorf("pool file: SHA256 %s mode %o, recorded %s; want %s, 0644", fileSum(t, pool), after.Mode&0o7777, res[0].Package.SHA256, sum)
			}
			if left, _ := filepath.Glob(filepath.Join(r.Dir, "pool", stagePrefix+"*")); len(left) > 0 {
				t.Errorf("staging files left: %v", left)
			}
		})
	}
}

// TestStageLinkChecksTheInode calls stageLink with the status of a file
// as it was read and then changes the file: a different size, a
// different modification time, or another file at the path make it link
// nothing (the package is then copied from the bytes read); the
// unchanged file is linked.
func TestStageLinkChecksTheInode(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, file string)
		linked bool
	}{
		{"unchanged", func(*testing.T, string) {}, true},
		{"grown", func(t *testing.T, file string) {
			f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte("x"))
			f.Close()
		}, false},
		{"rewritten, same size", func(t *testing.T, file string) {
			b, _ := os.ReadFile(file)
			b[len(b)-1] ^= 1
			os.WriteFile(file, b, 0o644)
			os.Chtimes(file, time1, time1) // a modification time of its own
		}, false},
		{"replaced", func(t *testing.T, file string) {
			b, _ := os.ReadFile(file)
			os.Remove(file)
			os.WriteFile(file, b, 0o644)
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "p.deb")
			if err := os.WriteFile(file, []byte("package bytes"), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chmod(file, 0o644)
			var st unix.Stat_t
			if err := unix.Stat(file, &st); err != nil {
				t.Fatal(err)
			}
			tc.change(t, file)
			name, err := stageLink(file, &st, dir)
			if linked := err == nil; linked != tc.linked {
				t.Fatalf("linked %v (%v), want %v", linked, err, tc.linked)
			}
			if err != nil && err != errNoLink {
				t.Errorf("error %v, want errNoLink", err)
			}
			left, _ := filepath.Glob(filepath.Join(dir, stagePrefix+"*"))
			if want := map[bool]int{true: 1, false: 0}[tc.linked]; len(left) != want {
				t.Errorf("staging names %v, want %d", left, want)
			}
			if tc.linked && (len(left) != 1 || left[0] != name) {
				t.Errorf("staging name %q, found %v", name, left)
			}
		})
	}
}
