package db

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestMigrationList(t *testing.T) {
	if err := checkSteps(migrations); err != nil {
		t.Fatal(err)
	}
	if last := migrations[len(migrations)-1].Version; last != SchemaVersion {
		t.Errorf("last migration is version %d, SchemaVersion is %d", last, SchemaVersion)
	}
	bad := []migration{{Version: 1}, {Version: 3}}
	if err := checkSteps(bad); err == nil {
		t.Error("a gap in the migration list was accepted")
	}
}

// next is a later migration, as a later issue would append it.
var next = migration{Version: SchemaVersion + 1, Name: "later", SQL: `CREATE TABLE later (id INTEGER PRIMARY KEY, kind TEXT NOT NULL) STRICT;`,
	Fn: func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO meta (key, value) VALUES ('next', 'ran')`)
		return err
	}}

// withNext returns this binary's migrations followed by step.
func withNext(step migration) []migration {
	return append(append([]migration(nil), migrations...), step)
}

// versionText is a schema version as PRAGMA user_version prints it.
func versionText(v int) string { return strconv.Itoa(v) }

func TestMigrateFromEmptyFile(t *testing.T) {
	// Version 0: a database file that exists but has no schema, as left
	// by a process that died before its first migration committed.
	root := t.TempDir()
	path := filepath.Join(root, DBPath)
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v := pragma(t, d, "user_version"); v != versionText(SchemaVersion) {
		t.Errorf("user_version = %s, want %d", v, SchemaVersion)
	}
	if !tableExists(t, d, "installed") {
		t.Error("installed table missing after migration")
	}
}

func TestMigrateOlderDatabase(t *testing.T) {
	root := t.TempDir()
	old, err := Open(root, withMigrations(migrations[:1]))
	if err != nil {
		t.Fatal(err)
	}
	putOld(t, old, testPackage(t, "hello", "1.0-1"))
	old.Close()

	if _, err := OpenReadOnly(root, withMigrations(withNext(next))); !errors.Is(err, ErrSchemaOlder) {
		t.Errorf("OpenReadOnly of an older database: %v, want ErrSchemaOlder", err)
	}
	d, err := Open(root, withMigrations(withNext(next)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v := pragma(t, d, "user_version"); v != versionText(SchemaVersion+1) {
		t.Errorf("user_version = %s, want %d", v, SchemaVersion+1)
	}
	if !tableExists(t, d, "later") || !tableExists(t, d, "files") {
		t.Error("table of a later migration missing")
	}
	if v, err := d.Meta("next"); v != "ran" || err != nil {
		t.Errorf("Go step of the next migration: meta next = %q, %v", v, err)
	}
	if _, err := d.Installed("hello", ""); err != nil {
		t.Errorf("data of version 1 lost: %v", err)
	}
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	root := t.TempDir()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	failing := next
	failing.Fn = func(*sql.Tx) error { return errors.New("step failed") }
	_, err = Open(root, withMigrations(withNext(failing)))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("migrate to version %d (later): step failed", SchemaVersion+1)) {
		t.Fatalf("Open with a failing migration: %v", err)
	}
	d, err = Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v := pragma(t, d, "user_version"); v != versionText(SchemaVersion) {
		t.Errorf("user_version = %s after a failed migration, want %d", v, SchemaVersion)
	}
	if tableExists(t, d, "later") {
		t.Error("the failed migration's table was kept")
	}
}

func TestNewerDatabaseRefused(t *testing.T) {
	root := t.TempDir()
	newer, err := Open(root, withMigrations(withNext(next)))
	if err != nil {
		t.Fatal(err)
	}
	newer.Close()
	opens := map[string]func(string, ...Option) (*DB, error){"Open": Open, "OpenReadOnly": OpenReadOnly}
	for name, open := range opens {
		_, err := open(root)
		var se *SchemaError
		if !errors.As(err, &se) || !errors.Is(err, ErrSchemaNewer) || se.Version != SchemaVersion+1 || se.Supported != SchemaVersion {
			t.Errorf("%s of a newer database: %v, want a *SchemaError wrapping ErrSchemaNewer", name, err)
			continue
		}
		want := fmt.Sprintf("version %d is newer than this aim supports (%d)", SchemaVersion+1, SchemaVersion)
		if msg := err.Error(); !strings.Contains(msg, want) {
			t.Errorf("%s: unclear message %q", name, msg)
		}
	}
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	root := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := Open(root, withMigrations(withNext(next)))
			if err == nil {
				err = d.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
}
