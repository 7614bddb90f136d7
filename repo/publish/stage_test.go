package publish

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"aim/deb/rootfs"
)

// TestStageModeAndContents writes staging files under a strict umask:
// each is a new file of mode 0644 holding exactly what was written, and
// a failed write leaves no file behind.
func TestStageModeAndContents(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	want := bytes.Repeat([]byte("pool bytes "), 10000)
	names := map[string]bool{}
	for range 3 {
		name, err := stage(dir, func(w io.Writer) error {
			_, err := w.Write(want)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		names[name] = true
		if !strings.HasPrefix(filepath.Base(name), stagePrefix) || filepath.Dir(name) != dir {
			t.Errorf("staging file %s is not %s* in %s", name, stagePrefix, dir)
		}
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", name, fi.Mode())
		}
		if got, _ := os.ReadFile(name); !bytes.Equal(got, want) {
			t.Errorf("%s holds %d bytes, not the %d written", name, len(got), len(want))
		}
	}
	if len(names) != 3 {
		t.Errorf("3 stagings gave %d names", len(names))
	}
	broken := errors.New("broken package")
	if _, err := stage(dir, func(w io.Writer) error {
		w.Write([]byte("half"))
		return broken
	}); !errors.Is(err, broken) {
		t.Errorf("stage of a failed write: %v, want %v", err, broken)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files after a failed staging, want the 3 good ones", len(entries))
	}
}

// TestReadUpTo reads files of sizes around the bound, with the size
// given right, too small (the file grew) and too large (it shrank).
func TestReadUpTo(t *testing.T) {
	const max = 100
	tests := []struct {
		name     string
		len      int
		sizeHint int64
		wantLen  int
	}{
		{"empty", 0, 0, 0},
		{"small", 10, 10, 10},
		{"at the bound", max, max, max},
		{"over the bound", max + 50, max, max + 1},
		{"grew", 60, 10, 60},
		{"grew past the bound", 500, 10, max + 1},
		{"shrank", 5, 80, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Repeat([]byte{'x', 'y', 'z'}, tc.len)[:tc.len]
			p := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := rootfs.OpenRaw(p, os.O_RDONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := readUpTo(f, tc.sizeHint, max)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.wantLen || !bytes.Equal(got, data[:tc.wantLen]) {
				t.Errorf("read %d bytes, want the first %d of the file", len(got), tc.wantLen)
			}
		})
	}
	if _, err := rootfs.OpenRaw(filepath.Join(t.TempDir(), "missing"), os.O_RDONLY, 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenRaw of a missing file: %v, want not exist", err)
	}
}

// TestPoolDirs makes pool directories as the scan of an Add does: each
// call says whether it made the directory, parents are made as needed,
// nothing is made outside the pool or through a file, and removeMade
// takes away only the directories it made that are still empty.
func TestPoolDirs(t *testing.T) {
	top := filepath.Join(t.TempDir(), "pool")
	if err := os.MkdirAll(filepath.Join(top, "main/o/old"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(top, "main/f"), nil, 0o644)
	d := newPoolDirs(top)
	tests := []struct {
		dir      string
		wantMade bool
		wantErr  bool
	}{
		{"main/n/new", true, false},
		{"main/n/new", false, false},
		{"main/n/other", true, false},
		{"main/o/old", false, false},
		{"main/o/kept", true, false},
		{"main/f/x", false, true},   // a file in the way
		{"../outside", false, true}, // not below the pool
	}
	for _, tc := range tests {
		made, err := d.prepare(filepath.Join(top, tc.dir))
		if made != tc.wantMade || (err != nil) != tc.wantErr {
			t.Errorf("prepare %s: made %v, error %v; want made %v, an error %v", tc.dir, made, err, tc.wantMade, tc.wantErr)
		}
	}
	if fi, err := os.Stat(filepath.Join(top, "main/n/new")); err != nil || !fi.IsDir() {
		t.Fatalf("main/n/new not made: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(top), "outside")); err == nil {
		t.Error("a directory was made outside the pool")
	}
	os.WriteFile(filepath.Join(top, "main/o/kept/p.deb"), nil, 0o644)
	d.removeMade()
	for _, tc := range []struct {
		dir  string
		want bool
	}{{"main/n", false}, {"main/o/old", true}, {"main/o/kept", true}, {"main", true}} {
		if _, err := os.Stat(filepath.Join(top, tc.dir)); (err == nil) != tc.want {
			t.Errorf("after removeMade, %s there: %v, want %v", tc.dir, err == nil, tc.want)
		}
	}
}

// TestPoolDirsOneMaker prepares one directory from many goroutines:
// exactly one of them made it.
func TestPoolDirsOneMaker(t *testing.T) {
	top := t.TempDir()
	d := newPoolDirs(top)
	var wg sync.WaitGroup
	var madeCount atomic.Int32
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			made, err := d.prepare(filepath.Join(top, "main/b/bench"))
			if err != nil {
				t.Error(err)
			}
			if made {
				madeCount.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := madeCount.Load(); n != 1 {
		t.Errorf("%d goroutines say they made the directory, want 1", n)
	}
}

// TestRefusedAddLeavesNoDirectories adds a new package beside one the
// dist holds with other bytes: the add is refused, and the pool
// directories made for the new one while reading it are gone again.
func TestRefusedAddLeavesNoDirectories(t *testing.T) {
	r := newTestRepo(t, false)
	a := buildTestDeb(t, t.TempDir(), "pkg", "1.0", "all", "", nil)
	if _, err := r.Add([]string{a}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	before := treeFiles(t, r.Dir)
	b := buildTestDeb(t, t.TempDir(), "pkg", "1.0", "all", "", map[string][]byte{"usr/share/x": []byte("other")})
	fresh := buildTestDeb(t, t.TempDir(), "fresh", "1", "all", "", nil)
	var ae *AddError
	if _, err := r.Add([]string{fresh, b}, AddOptions{}); !errors.As(err, &ae) {
		t.Fatalf("Add: %v, want an *AddError", err)
	}
	after := treeFiles(t, r.Dir)
	for p := range after {
		if !before[p] {
			t.Errorf("a refused add left %s", p)
		}
	}
}
