package publish

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestAddMove adds scratch copies with Move: on the repository's
// filesystem they are moved into the pool (gone from where they were,
// the same inode in the pool), and from another filesystem they are
// copied; either way the pool holds the recorded bytes.
func TestAddMove(t *testing.T) {
	tests := []struct {
		name string
		dir  func(t *testing.T, r *Repo) string
	}{
		{"same filesystem", func(t *testing.T, r *Repo) string {
			d := filepath.Join(r.Dir, StateDir, "scratch")
			os.MkdirAll(d, 0o755)
			return d
		}},
		{"other filesystem", func(t *testing.T, r *Repo) string {
			var a, b syscall.Stat_t
			if syscall.Stat("/dev/shm", &a) != nil || syscall.Stat(r.Dir, &b) != nil || a.Dev == b.Dev {
				t.Skip("no tmpfs on another filesystem than the test's")
			}
			d, err := os.MkdirTemp("/dev/shm", "aim-move-")
			if err != nil {
				t.Skip(err)
			}
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestRepo(t, false)
			src := tc.dir(t, r)
			file := buildTestDeb(t, src, "moved", "1.0", "all", "utils", nil)
			sum := fileSum(t, file)
			var before syscall.Stat_t
			syscall.Stat(file, &before)
			res, err := r.Add([]string{file}, AddOptions{Move: true})
			if err != nil {
				t.Fatal(err)
			}
			pool := filepath.Join(r.Dir, res[0].Package.Filename)
			checkPoolConsistent(t, r, nil, "after the add")
			var after syscall.Stat_t
			if err := syscall.Stat(pool, &after); err != nil {
				t.Fatal(err)
			}
			_, statErr := os.Stat(file)
			moved := os.IsNotExist(statErr)
			if sameFS := tc.name == "same filesystem"; moved != sameFS || (after.Ino == before.Ino) != sameFS {
				t.Errorf("source gone %v, pool file the same inode %v; want both %v", moved, after.Ino == before.Ino, sameFS)
			}
			if fileSum(t, pool) != sum || res[0].Package.SHA256 != sum || after.Mode&0o777 != 0o644 {
				t.Errorf("pool file %s: SHA256 %s mode %o, recorded %s; want %s, 0644", pool, fileSum(t, pool), after.Mode&0o777, res[0].Package.SHA256, sum)
			}
			if left, _ := filepath.Glob(filepath.Join(r.Dir, "pool", stagePrefix+"*")); len(left) > 0 {
				t.Errorf("staging files left: %v", left)
			}
		})
	}
}
