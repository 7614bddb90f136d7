package db

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
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

// v2 is a later migration, as a later issue would append it.
var v2 = migration{Version: 2, Name: "tasks", SQL: `CREATE TABLE tasks (id INTEGER PRIMARY KEY, kind TEXT NOT NULL) STRICT;`,
	Fn: func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO meta (key, value) VALUES ('v2', 'ran')`)
		return err
	}}

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
	if v := pragma(t, d, "user_version"); v != "1" {
		t.Errorf("user_version = %s, want 1", v)
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
	if err := old.PutInstalled(testPackage(t, "hello", "1.0-1")); err != nil {
		t.Fatal(err)
	}
	old.Close()

	if _, err := OpenReadOnly(root, withMigrations([]migration{migrations[0], v2})); !errors.Is(err, ErrSchemaOlder) {
		t.Errorf("OpenReadOnly of an older database: %v, want ErrSchemaOlder", err)
	}
	d, err := Open(root, withMigrations([]migration{migrations[0], v2}))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v := pragma(t, d, "user_version"); v != "2" {
		t.Errorf("user_version = %s, want 2", v)
	}
	if !tableExists(t, d, "tasks") {
		t.Error("table of migration 2 missing")
	}
	if v, err := d.Meta("v2"); v != "ran" || err != nil {
		t.Errorf("Go step of migration 2: meta v2 = %q, %v", v, err)
	}
	if _, err := d.Installed("hello"); err != nil {
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
	failing := v2
	failing.Fn = func(*sql.Tx) error { return errors.New("step failed") }
	_, err = Open(root, withMigrations([]migration{migrations[0], failing}))
	if err == nil || !strings.Contains(err.Error(), "migrate to version 2 (tasks): step failed") {
		t.Fatalf("Open with a failing migration: %v", err)
	}
	d, err = Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v := pragma(t, d, "user_version"); v != "1" {
		t.Errorf("user_version = %s after a failed migration, want 1", v)
	}
	if tableExists(t, d, "tasks") {
		t.Error("the failed migration's table was kept")
	}
}

func TestNewerDatabaseRefused(t *testing.T) {
	root := t.TempDir()
	newer, err := Open(root, withMigrations([]migration{migrations[0], v2}))
	if err != nil {
		t.Fatal(err)
	}
	newer.Close()
	opens := map[string]func(string, ...Option) (*DB, error){"Open": Open, "OpenReadOnly": OpenReadOnly}
	for name, open := range opens {
		_, err := open(root)
		var se *SchemaError
		if !errors.As(err, &se) || !errors.Is(err, ErrSchemaNewer) || se.Version != 2 || se.Supported != 1 {
			t.Errorf("%s of a newer database: %v, want a *SchemaError wrapping ErrSchemaNewer", name, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "version 2 is newer than this aim supports (1)") {
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
			d, err := Open(root, withMigrations([]migration{migrations[0], v2}))
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
