package db

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestOpenCreatesCurrentSchema(t *testing.T) {
	d, root := openTest(t)
	if got, want := d.Path(), filepath.Join(root, DBPath); got != want {
		t.Errorf("Path() = %q, want %q", got, want)
	}
	checks := []struct{ pragma, want string }{
		{"user_version", strconv.Itoa(SchemaVersion)},
		{"application_id", "1634299185"},
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "2"},
		{"busy_timeout", "5000"},
	}
	for _, c := range checks {
		if got := pragma(t, d, c.pragma); got != c.want {
			t.Errorf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
	for _, table := range []string{"meta", "sources", "index_files", "installed"} {
		if !tableExists(t, d, table) {
			t.Errorf("table %s missing", table)
		}
	}
}

func TestOpenOptions(t *testing.T) {
	d, _ := openTest(t, BusyTimeout(1500*time.Millisecond))
	if got := pragma(t, d, "busy_timeout"); got != "1500" {
		t.Errorf("busy_timeout = %s, want 1500", got)
	}
}

func TestReopenKeepsData(t *testing.T) {
	root := t.TempDir()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetMeta("k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	d, err = Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, err := d.Meta("k"); err != nil || v != "v" {
		t.Errorf("Meta(k) = %q, %v; want v", v, err)
	}
}

func TestRootWithSpecialCharacters(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a dir?with#odd%20chars")
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := os.Stat(filepath.Join(root, DBPath)); err != nil {
		t.Errorf("database not at its path: %v", err)
	}
}

func TestOpenRelativeRoot(t *testing.T) {
	t.Chdir(t.TempDir())
	d, err := Open("root")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !filepath.IsAbs(d.Path()) || d.Root() != "root" {
		t.Errorf("Path() = %q, Root() = %q", d.Path(), d.Root())
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  string
	}{
		{"not sqlite", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(strings.Repeat("not a database\n", 100)), 0o644)
		}, "not a database"},
		{"other application's tables", func(t *testing.T, path string) {
			execSQL(t, path, "CREATE TABLE other (x)")
		}, "not an aim database"},
		{"other application id", func(t *testing.T, path string) {
			execSQL(t, path, "PRAGMA application_id = 42")
		}, "not an aim database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, DBPath)
			os.MkdirAll(filepath.Dir(path), 0o755)
			tt.setup(t, path)
			_, err := Open(root)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Open: %v, want an error naming %s and saying %q", err, path, tt.want)
			}
		})
	}
}

// execSQL runs statements on the file at path with a plain connection.
func execSQL(t *testing.T, path, stmts string) {
	t.Helper()
	s, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Exec(stmts); err != nil {
		t.Fatal(err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	root := t.TempDir()
	if _, err := OpenReadOnly(root); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenReadOnly of a missing database: %v, want fs.ErrNotExist", err)
	}
	w, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	w.SetMeta("k", "v")
	w.Close()
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(filepath.Join(root, DBPath+suffix)); err != nil {
			t.Errorf("%s file not kept after Close (readers without write access need it): %v", suffix, err)
		}
	}
	r, err := OpenReadOnly(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	if v, err := r.Meta("k"); v != "v" || err != nil {
		t.Errorf("Meta = %q, %v", v, err)
	}
	writes := map[string]error{
		"SetMeta": r.SetMeta("k", "w"),
		"Update":  r.Update(func(*Tx) error { return nil }),
		"Lock":    r.Lock(0),
	}
	_, writes["SQL"] = r.sql.Exec(`INSERT INTO meta (key, value) VALUES ('x', 'y')`)
	for name, err := range writes {
		if name == "SQL" {
			if err == nil || !strings.Contains(err.Error(), "readonly") {
				t.Errorf("SQLite accepted a write on a read-only connection: %v", err)
			}
			continue
		}
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only database: %v, want ErrReadOnly", name, err)
		}
	}
}

func TestReaderDoesNotBlockOnWriter(t *testing.T) {
	root := t.TempDir()
	w, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMeta("k", "old")
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- w.Update(func(tx *Tx) error {
			if err := tx.SetMeta("k", "new"); err != nil {
				return err
			}
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside
	r, err := OpenReadOnly(root, BusyTimeout(0))
	if err != nil {
		t.Fatalf("OpenReadOnly during a write: %v", err)
	}
	defer r.Close()
	if v, err := r.Meta("k"); v != "old" || err != nil {
		t.Errorf("reader during a write sees %q, %v; want the committed %q", v, err, "old")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Meta("k"); v != "new" {
		t.Errorf("reader after the commit sees %q, want new", v)
	}
}

func TestUpdateRollsBack(t *testing.T) {
	d, _ := openTest(t)
	d.SetMeta("k", "before")
	boom := errors.New("boom")
	err := d.Update(func(tx *Tx) error {
		tx.SetMeta("k", "after")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update = %v, want boom", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic inside Update not passed on")
			}
		}()
		d.Update(func(tx *Tx) error {
			tx.SetMeta("k", "panicked")
			panic("inside")
		})
	}()
	if v, _ := d.Meta("k"); v != "before" {
		t.Errorf("after rolled-back updates k = %q, want before", v)
	}
}

func TestViewIsReadOnly(t *testing.T) {
	d, _ := openTest(t)
	d.SetMeta("k", "v")
	err := d.View(func(tx *Tx) error {
		if v, err := tx.Meta("k"); v != "v" || err != nil {
			t.Errorf("Meta in View = %q, %v", v, err)
		}
		return tx.SetMeta("k", "w")
	})
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("write in View: %v, want ErrReadOnly", err)
	}
}

func TestMeta(t *testing.T) {
	d, _ := openTest(t)
	if _, err := d.Meta("absent"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Meta(absent) = %v, want ErrNotFound", err)
	}
	for _, v := range []string{"one", "two", ""} {
		if err := d.SetMeta("k", v); err != nil {
			t.Fatal(err)
		}
		if got, err := d.Meta("k"); got != v || err != nil {
			t.Errorf("Meta(k) = %q, %v; want %q", got, err, v)
		}
	}
}

func TestDBUsedInsideUpdate(t *testing.T) {
	d, _ := openTest(t, BusyTimeout(100*time.Millisecond))
	d.SetMeta("k", "old")
	err := d.Update(func(tx *Tx) error {
		tx.SetMeta("k", "new")
		if v, err := d.Meta("k"); v != "old" || err != nil {
			t.Errorf("read on DB inside Update = %q, %v; want the committed value", v, err)
		}
		if err := d.SetMeta("k", "outside"); err == nil || !strings.Contains(err.Error(), "locked") {
			t.Errorf("write on DB inside Update = %v, want a locked error after the busy timeout", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := d.Meta("k"); v != "new" {
		t.Errorf("k = %q after Update, want new", v)
	}
}

// TestCloseTruncatesWAL checks that the last writer's close leaves the
// WAL file there (a reader without write access needs it) but empty, so
// that a read-only connection, which rebuilds the WAL index by reading
// the WAL, has nothing to read; and that the database reads back.
func TestCloseTruncatesWAL(t *testing.T) {
	root := t.TempDir()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		p := testPackage(t, fmt.Sprintf("p%d", i), "1.0")
		if err := d.PutInstalled(p); err != nil {
			t.Fatal(err)
		}
	}
	wal := d.Path() + "-wal"
	if fi, err := os.Stat(wal); err != nil || fi.Size() == 0 {
		t.Fatalf("WAL before close: %v, %v; want a non-empty file", fi, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(wal); err != nil || fi.Size() != 0 {
		t.Fatalf("WAL after close: %v, %v; want an empty file", fi, err)
	}
	r, err := OpenReadOnly(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Installed("p49", "amd64"); err != nil {
		t.Errorf("read back after close: %v", err)
	}
}
