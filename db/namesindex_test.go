package db

import (
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"aim/deb/rootfs"
)

// wantNames fails t unless InstalledNames(root) answers with exactly
// names (sorted), or does not answer when names is nil.
func wantNames(t *testing.T, root, when string, names []string) {
	t.Helper()
	got, ok := InstalledNames(root)
	if names == nil {
		if ok {
			t.Fatalf("%s: InstalledNames answered %v, want no answer", when, got)
		}
		return
	}
	if !ok {
		t.Fatalf("%s: InstalledNames gave no answer, want %v", when, names)
	}
	var list []string
	for n := range got {
		list = append(list, n)
	}
	if len(list) == 0 {
		list = []string{}
	}
	sort.Strings(list)
	if !reflect.DeepEqual(list, names) {
		t.Fatalf("%s: InstalledNames = %v, want %v", when, list, names)
	}
}

func indexExists(root string) bool {
	_, err := os.Stat(rootfs.Root(root).Path(InstalledNamesPath))
	return err == nil
}

func TestInstalledNames(t *testing.T) {
	root := t.TempDir()
	wantNames(t, root, "no database", nil)

	d := lockedDB(t, root)
	for _, p := range []*InstalledPackage{testPackage(t, "hello", "1"), testPackage(t, "libfoo", "2")} {
		if err := d.PutInstalled(p); err != nil {
			t.Fatal(err)
		}
	}
	foreign := testPackage(t, "libfoo", "2")
	foreign.Architecture = "i386"
	if err := d.PutInstalled(foreign); err != nil {
		t.Fatal(err)
	}
	// Transaction state does not keep the index away: it lists what the
	// installed table holds.
	if err := d.SetMeta("half-configured", `{"hello":"1"}`); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	wantNames(t, root, "after a locked writer closed", []string{"hello", "libfoo"})

	// The lock's holder removes the index before it can write.
	d = lockedDB(t, root)
	if indexExists(root) {
		t.Fatal("the index outlived taking the writer lock")
	}
	wantNames(t, root, "lock held", nil)
	if err := d.DeleteInstalled("hello", "amd64"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	wantNames(t, root, "after a removal", []string{"libfoo"})

	// A writer that bypasses the lock (an older aim) changes the files
	// the index describes, so it no longer counts.
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.PutInstalled(testPackage(t, "bar", "1")); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if !indexExists(root) {
		t.Fatal("the index went away without the lock")
	}
	wantNames(t, root, "after an unlocked write", nil)

	// With every package gone the index is empty, beside the
	// nothing-installed mark.
	d = lockedDB(t, root)
	for _, k := range [][2]string{{"bar", "amd64"}, {"libfoo", "amd64"}, {"libfoo", "i386"}} {
		if err := d.DeleteInstalled(k[0], k[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.DeleteMeta("half-configured"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	wantNames(t, root, "nothing installed", []string{})
	if !NothingInstalled(root) {
		t.Error("no nothing-installed mark beside the empty index")
	}
}

// TestInstalledNamesStale checks that an index that no longer describes
// the database files, or is not whole, gives no answer.
func TestInstalledNamesStale(t *testing.T) {
	fresh := func(t *testing.T) string {
		root := t.TempDir()
		d := lockedDB(t, root)
		if err := d.PutInstalled(testPackage(t, "hello", "1")); err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		wantNames(t, root, "fresh", []string{"hello"})
		return root
	}
	for _, c := range []struct {
		name  string
		spoil func(t *testing.T, root string)
	}{
		{"database replaced (same size and time, another inode)", func(t *testing.T, root string) {
			p := rootfs.Root(root).Path(DBPath)
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			copyFile(t, p, p+".new")
			if err := os.Rename(p+".new", p); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
		{"database touched", func(t *testing.T, root string) {
			p := rootfs.Root(root).Path(DBPath)
			later := time.Now().Add(time.Second)
			if err := os.Chtimes(p, later, later); err != nil {
				t.Fatal(err)
			}
		}},
		{"WAL grown", func(t *testing.T, root string) {
			f, err := os.OpenFile(rootfs.Root(root).Path(DBPath)+"-wal", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(make([]byte, 100))
			f.Close()
		}},
		{"index cut short", func(t *testing.T, root string) {
			p := rootfs.Root(root).Path(InstalledNamesPath)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data[:len(data)-2], 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"index of another version", func(t *testing.T, root string) {
			p := rootfs.Root(root).Path(InstalledNamesPath)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			data = []byte(strings.Replace(string(data), "installed-names 1", "installed-names 2", 1))
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"the nothing-installed mark in its place", func(t *testing.T, root string) {
			empty := t.TempDir()
			lockedDB(t, empty).Close()
			copyFile(t, rootfs.Root(empty).Path(EmptyMarkPath), rootfs.Root(root).Path(InstalledNamesPath))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := fresh(t)
			c.spoil(t, root)
			wantNames(t, root, c.name, nil)
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestInstalledNamesKilledWriter kills a writer after it installed a
// package, with an index of no names in place before it started: the
// index is gone, and the database holds the package.
func TestInstalledNamesKilledWriter(t *testing.T) {
	root := t.TempDir()
	lockedDB(t, root).Close()
	wantNames(t, root, "empty database", []string{})
	cmd := startChild(t, installChildEnv, root, "installed")
	cmd.Process.Kill()
	cmd.Wait()
	wantNames(t, root, "after a killed writer installed a package", nil)
}
