package db

import (
	"database/sql"
	"errors"
	"fmt"
)

// applicationID marks the file as aim's ("aim1" in ASCII) in the SQLite
// header, so that Open refuses to migrate somebody else's database.
const applicationID = 0x61696d31

// migration is one numbered step of the schema. Version N turns a database
// at version N-1 into version N: SQL runs first, then Fn, both inside one
// transaction that also records N in PRAGMA user_version.
type migration struct {
	Version int
	Name    string
	SQL     string
	Fn      func(*sql.Tx) error
}

// migrations is the schema's history, oldest first. Append a step to change
// the schema; never edit a step that has been released. Step i must have
// Version i+1, and the last one's Version is SchemaVersion.
var migrations = []migration{
	{Version: 1, Name: "sources, index files, installed packages, meta", SQL: schemaV1},
	{Version: 2, Name: "files, conffiles, transcript, tasks, journal", SQL: schemaV2},
	{Version: 3, Name: "installed packages, files and conffiles by (name, architecture)", SQL: schemaV3},
}

// SchemaVersion is the schema version this binary creates and reads: the
// Version of the last migration.
const SchemaVersion = 3

var (
	// ErrSchemaNewer is wrapped by a *SchemaError for a database written by
	// a newer aim.
	ErrSchemaNewer = errors.New("database schema is newer than this aim")
	// ErrSchemaOlder is wrapped by a *SchemaError from OpenReadOnly for a
	// database that Open has yet to migrate.
	ErrSchemaOlder = errors.New("database schema is older than this aim")
)

// SchemaError reports a database whose schema version this binary cannot
// use as it is. It wraps ErrSchemaNewer or ErrSchemaOlder.
type SchemaError struct {
	Path      string
	Version   int // the database's version
	Supported int // this binary's version
}

func (e *SchemaError) Error() string {
	if e.Version > e.Supported {
		return fmt.Sprintf("open %s: database schema version %d is newer than this aim supports (%d): upgrade aim",
			e.Path, e.Version, e.Supported)
	}
	return fmt.Sprintf("open %s: database schema version %d is older than this aim's (%d) and must first be opened for writing to migrate it",
		e.Path, e.Version, e.Supported)
}

// Unwrap returns ErrSchemaNewer or ErrSchemaOlder.
func (e *SchemaError) Unwrap() error {
	if e.Version > e.Supported {
		return ErrSchemaNewer
	}
	return ErrSchemaOlder
}

// migrate brings the database at path up to the last version of steps.
func migrate(s *sql.DB, path string, steps []migration) error {
	if err := checkSteps(steps); err != nil {
		return err
	}
	v, err := header(s, path)
	if err != nil {
		return err
	}
	if v > len(steps) {
		return &SchemaError{Path: path, Version: v, Supported: len(steps)}
	}
	for _, m := range steps[v:] {
		if err := apply(s, path, m); err != nil {
			return err
		}
	}
	return nil
}

// checkSteps verifies the invariant of the migration list.
func checkSteps(steps []migration) error {
	for i, m := range steps {
		if m.Version != i+1 {
			return fmt.Errorf("migration %d (%s) is at position %d of the list", m.Version, m.Name, i+1)
		}
	}
	return nil
}

// header returns the schema version, refusing a file that belongs to
// another program.
func header(s *sql.DB, path string) (int, error) {
	var v, app int64
	if err := s.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("open %s: read schema version: %w", path, err)
	}
	if err := s.QueryRow("PRAGMA application_id").Scan(&app); err != nil {
		return 0, fmt.Errorf("open %s: read application id: %w", path, err)
	}
	if app != 0 && app != applicationID || app == 0 && v != 0 {
		return 0, fmt.Errorf("open %s: not an aim database (application id %#x, version %d)", path, app, v)
	}
	return int(v), nil
}

// apply runs one step in its own write transaction. The version is read
// again inside it, so two processes opening an old database at once
// migrate it once.
func apply(s *sql.DB, path string, m migration) error {
	tx, err := s.Begin()
	if err != nil {
		return fmt.Errorf("open %s: migrate to version %d: %w", path, m.Version, err)
	}
	defer tx.Rollback()
	if err := applyTx(tx, m); err != nil {
		return fmt.Errorf("open %s: migrate to version %d (%s): %w", path, m.Version, m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("open %s: migrate to version %d: commit: %w", path, m.Version, err)
	}
	return nil
}

func applyTx(tx *sql.Tx, m migration) error {
	var v int
	if err := tx.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v >= m.Version {
		return nil
	}
	if v != m.Version-1 {
		return fmt.Errorf("database is at version %d", v)
	}
	if m.Version == 1 {
		if err := checkEmpty(tx); err != nil {
			return err
		}
	}
	if m.SQL != "" {
		if _, err := tx.Exec(m.SQL); err != nil {
			return err
		}
	}
	if m.Fn != nil {
		if err := m.Fn(tx); err != nil {
			return err
		}
	}
	// PRAGMA takes no parameters; Version is an int, so this is safe.
	_, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d; PRAGMA application_id = %d", m.Version, applicationID))
	return err
}

// checkEmpty refuses to create aim's tables in a file that has others.
func checkEmpty(tx *sql.Tx) error {
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return err
	}
	if n != 0 {
		return errors.New("not an aim database (it has tables but no schema version)")
	}
	return nil
}

// checkVersion is what a reader does instead of migrating.
func checkVersion(s *sql.DB, path string, supported int) error {
	v, err := header(s, path)
	if err != nil {
		return err
	}
	if v != supported {
		return &SchemaError{Path: path, Version: v, Supported: supported}
	}
	return nil
}
