package db

import (
	"fmt"
	"os"
	"testing"
	"time"

	"aim/deb"
	"aim/deb/rootfs"
)

// lockedDB opens root's database and takes the writer lock.
func lockedDB(t *testing.T, root string) *DB {
	t.Helper()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Lock(0); err != nil {
		t.Fatal(err)
	}
	return d
}

func markExists(root string) bool {
	_, err := os.Stat(rootfs.Root(root).Path(EmptyMarkPath))
	return err == nil
}

func TestEmptyMark(t *testing.T) {
	root := t.TempDir()
	if NothingInstalled(root) {
		t.Fatal("NothingInstalled without a database")
	}
	// A writer that changes only what the mark ignores leaves it.
	d := lockedDB(t, root)
	if err := d.SetMeta("pkgcache-key", "x"); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if !NothingInstalled(root) {
		t.Fatal("no mark after a locked writer closed an empty database")
	}

	// The lock's holder removes the mark before it can write.
	d = lockedDB(t, root)
	if markExists(root) || NothingInstalled(root) {
		t.Fatal("the mark outlived taking the writer lock")
	}
	if err := d.PutInstalled(testPackage(t, "hello", "1")); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if markExists(root) || NothingInstalled(root) {
		t.Fatal("mark written with a package installed")
	}
	d = lockedDB(t, root)
	if err := d.DeleteInstalled("hello", "amd64"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if !NothingInstalled(root) {
		t.Fatal("no mark after the last package was removed")
	}

	// Journal rows and transaction state keep the mark away.
	for _, c := range []struct {
		name  string
		write func(*DB) error
		undo  func(*DB) error
	}{
		{"journal", func(d *DB) error {
			return d.AddJournal([]JournalStep{{TxID: "t1", Action: "install", Package: "hello", Phase: "planned"}})
		}, func(d *DB) error { return d.ClearJournal("t1") }},
		{"meta", func(d *DB) error { return d.SetMeta("half-configured", `{"hello":"1"}`) },
			func(d *DB) error { return d.DeleteMeta("half-configured") }},
	} {
		d = lockedDB(t, root)
		if err := c.write(d); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if NothingInstalled(root) {
			t.Errorf("%s: mark written", c.name)
		}
		d = lockedDB(t, root)
		if err := c.undo(d); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if !NothingInstalled(root) {
			t.Errorf("%s: no mark once it is gone", c.name)
		}
	}

	// A writer that bypasses the lock (an older aim) changes the files
	// the mark describes, so the mark no longer counts.
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.PutInstalled(testPackage(t, "hello", "1")); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if !markExists(root) || NothingInstalled(root) {
		t.Error("a stale mark counted after an unlocked write")
	}
}

// installChildEnv makes the test binary a writer that installs a
// package under the lock and waits to be killed.
const installChildEnv = "AIM_DB_TEST_INSTALL_CHILD"

func installChild(root string) {
	d, err := Open(root)
	if err == nil {
		err = d.Lock(0)
	}
	v, verr := deb.ParseVersion("1")
	if err == nil && verr == nil {
		err = d.PutInstalled(&InstalledPackage{Name: "hello", Version: v, Architecture: "amd64", Origin: "main",
			Control: &deb.Paragraph{}})
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("installed")
	time.Sleep(time.Minute)
	os.Exit(0)
}

// TestEmptyMarkKilledWriter kills a writer after it installed a package
// with the mark in place before it started: the mark is gone.
func TestEmptyMarkKilledWriter(t *testing.T) {
	root := t.TempDir()
	lockedDB(t, root).Close()
	if !NothingInstalled(root) {
		t.Fatal("no mark on an empty database")
	}
	cmd := startChild(t, installChildEnv, root, "installed")
	cmd.Process.Kill()
	cmd.Wait()
	if NothingInstalled(root) {
		t.Fatal("NothingInstalled after a killed writer installed a package")
	}
	d, err := OpenReadOnly(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if pkgs, err := d.InstalledPackages(); err != nil || len(pkgs) != 1 {
		t.Fatalf("installed after the kill: %v, %v", pkgs, err)
	}
}
