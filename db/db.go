package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"aim/deb/rootfs"
)

// Paths of aim's state, relative to a root.
const (
	// DBPath is the SQLite database.
	DBPath = rootfs.DBFile
	// LockPath is the file whose flock marks the one writer.
	LockPath = rootfs.LockFile
	// DpkgStatusPath is dpkg's database of installed packages, read only.
	DpkgStatusPath = "var/lib/dpkg/status"
)

// maxConns bounds the connections of one DB.
const maxConns = 4

// DefaultBusyTimeout is how long a statement waits for another process's
// write transaction to end before failing with "database is locked".
const DefaultBusyTimeout = 5 * time.Second

var (
	// ErrNotFound is returned (wrapped) when a named package, source or
	// key does not exist. Test for it with errors.Is.
	ErrNotFound = errors.New("not found")
	// ErrReadOnly is returned by writes on a database opened with
	// OpenReadOnly, or made inside View.
	ErrReadOnly = errors.New("database opened read-only")
)

// DB is aim's state database under one root. Its methods are safe for
// concurrent use. Reads see the last committed state; writes made on DB
// outside an Update commit one by one (a method that makes several
// statements makes them in one transaction). Group related writes with
// Update; inside it, use only the Tx: a write on DB would wait for the
// Update to end and fail after the busy timeout.
type DB struct {
	store
	sql  *sql.DB
	path string
	root string
	lock *Lock
}

// Option changes how Open and OpenReadOnly open the database.
type Option func(*options)

type options struct {
	busyTimeout time.Duration
	migrations  []migration
}

// BusyTimeout sets how long statements wait for another process's write
// transaction (default DefaultBusyTimeout).
func BusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// withMigrations replaces the migration list; tests use it to simulate
// older and newer binaries.
func withMigrations(m []migration) Option {
	return func(o *options) { o.migrations = m }
}

func buildOptions(opts []Option) options {
	o := options{busyTimeout: DefaultBusyTimeout, migrations: migrations}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Open opens the database of root for reading and writing, creating
// var/lib/aim and the database file when missing, and migrates an older
// schema to the current one (each step in its own transaction, so an
// interrupted migration leaves the last completed version). A database
// whose schema is newer than this binary is refused with a *SchemaError.
//
// Open does not take the writer lock; call Lock for that. The returned DB
// uses WAL, foreign keys and synchronous=FULL.
func Open(root string, opts ...Option) (*DB, error) {
	o := buildOptions(opts)
	path, err := dbPath(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	d, err := openSQL(root, path, false, o)
	if err != nil {
		return nil, err
	}
	if err := setWAL(d.sql, o.busyTimeout); err != nil {
		d.sql.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(d.sql, path, o.migrations); err != nil {
		d.sql.Close()
		return nil, err
	}
	return d, nil
}

// OpenReadOnly opens the database of root for reading only. It never
// writes, never waits for a writer, and sees each committed state whole.
// A missing database yields an error wrapping fs.ErrNotExist; a schema of
// another version than this binary's yields a *SchemaError (an older one
// is migrated only by Open).
func OpenReadOnly(root string, opts ...Option) (*DB, error) {
	o := buildOptions(opts)
	path, err := dbPath(root)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	d, err := openSQL(root, path, true, o)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(d.sql, path, len(o.migrations)); err != nil {
		d.sql.Close()
		return nil, err
	}
	return d, nil
}

func dbPath(root string) (string, error) {
	abs, err := filepath.Abs(rootfs.Root(root).DBFile())
	if err != nil {
		return "", fmt.Errorf("open %s: %w", DBPath, err)
	}
	return abs, nil
}

// openSQL opens the pool and checks that the file is a database.
func openSQL(root, path string, readOnly bool, o options) (*DB, error) {
	conn, err := sqlite.NewConnector(dsn(path, readOnly, o))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := sql.OpenDB(persistWAL{conn})
	// A few connections, so that a read made outside a running Update does
	// not wait for it. Write transactions begin IMMEDIATE, so connections
	// never deadlock upgrading a read lock; a write made outside a running
	// Update waits for it (up to the busy timeout).
	s.SetMaxOpenConns(maxConns)
	s.SetMaxIdleConns(maxConns)
	if err := s.Ping(); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &DB{store: store{q: s, begin: s.Begin, readOnly: readOnly}, sql: s, path: path, root: root}, nil
}

// dsn builds the file: URI of path (escaped, so a root may hold '?', '#'
// or '%') with the connection settings every connection gets.
func dsn(path string, readOnly bool, o options) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Add("_pragma", "synchronous(FULL)")
		// Each checkpoint that empties the WAL, and the last writer's
		// close, truncate it: a read-only connection cannot share the
		// WAL index and rebuilds it by reading the whole WAL, which
		// left at its largest (megabytes after an install) made every
		// reader pay for it.
		q.Add("_pragma", "journal_size_limit(0)")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// setWAL puts the database in WAL mode (a lasting property of the file).
// Switching needs the file to itself, and SQLite reports a concurrent
// switch as busy without waiting, so it is retried until timeout.
func setWAL(s *sql.DB, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var mode string
		err := s.QueryRow("PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil && mode != "wal" {
			err = fmt.Errorf("journal mode is %s, not wal", mode)
		}
		var se *sqlite.Error
		busy := errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
		if !busy || time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// persistWAL keeps the -wal and -shm files when the last writer closes, so
// that a reader without write access to var/lib/aim can still open the
// database (SQLite needs them to exist to read a WAL database read-only).
type persistWAL struct{ driver.Connector }

func (c persistWAL) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if fc, ok := conn.(sqlite.FileControl); ok {
		if _, err := fc.FileControlPersistWAL("main", 1); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return conn, nil
}

// Path returns the absolute path of the database file.
func (d *DB) Path() string { return d.path }

// Root returns the root the database was opened under, as given.
func (d *DB) Root() string { return d.root }

// ReadOnly reports whether d was opened with OpenReadOnly.
func (d *DB) ReadOnly() bool { return d.readOnly }

// Close closes the database and releases the writer lock if Lock took it.
// Holding the lock, it first writes the installed-names index
// (InstalledNamesPath), and the nothing-installed mark (EmptyMarkPath)
// when the database holds no installed package, journal or transaction
// state. These only spare readers work: when they cannot be read or
// written, there are none, and Close does not fail for them. It is safe
// to call more than once.
func (d *DB) Close() error {
	empty := false
	var names []string
	var namesErr error
	if d.lock != nil {
		empty, _ = d.isEmpty()
		names, namesErr = d.installedNames()
	}
	err := d.sql.Close()
	if d.lock != nil {
		if empty && err == nil {
			_ = writeEmptyMark(d.root, d.path)
		}
		if namesErr == nil && err == nil {
			_ = writeNamesIndex(d.root, d.path, names)
		}
		err = errors.Join(err, d.lock.Release())
		d.lock = nil
	}
	if err != nil {
		return fmt.Errorf("close %s: %w", d.path, err)
	}
	return nil
}

// Tx is one transaction. It has the same read and write methods as DB; all
// of them see and make changes that become visible to others together, at
// commit. A Tx must not be used after the function it was passed to
// returns.
type Tx struct {
	store
}

// Update runs fn in a write transaction and commits it when fn returns
// nil; any error (or panic) from fn rolls everything back. The transaction
// takes SQLite's write lock when it begins, so two processes never fail
// halfway with "database is locked"; the second waits up to the busy
// timeout. Update must not be nested inside Update or View.
func (d *DB) Update(fn func(*Tx) error) error {
	if d.readOnly {
		return ErrReadOnly
	}
	return d.run(&sql.TxOptions{}, false, fn)
}

// View runs fn in a read transaction: every read sees the same committed
// state. Writes inside View fail with ErrReadOnly.
func (d *DB) View(fn func(*Tx) error) error {
	return d.run(&sql.TxOptions{ReadOnly: true}, true, fn)
}

func (d *DB) run(opts *sql.TxOptions, readOnly bool, fn func(*Tx) error) error {
	tx, err := d.sql.BeginTx(context.Background(), opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{store{q: tx, readOnly: readOnly}}); err != nil {
		tx.Rollback()
		return err
	}
	if readOnly {
		return tx.Rollback()
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// store holds the typed operations shared by DB and Tx.
type store struct {
	q        querier
	begin    func() (*sql.Tx, error) // nil inside a transaction
	readOnly bool
}

func (s *store) exec(query string, args ...any) (sql.Result, error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	return s.q.ExecContext(context.Background(), query, args...)
}

func (s *store) query(query string, args ...any) (*sql.Rows, error) {
	return s.q.QueryContext(context.Background(), query, args...)
}

func (s *store) queryRow(query string, args ...any) *sql.Row {
	return s.q.QueryRowContext(context.Background(), query, args...)
}

// atomic runs fn so that its statements commit together: directly inside a
// transaction, else in a new one.
func (s *store) atomic(fn func(*store) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	if s.begin == nil {
		return fn(s)
	}
	tx, err := s.begin()
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(&store{q: tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// mustAffect returns ErrNotFound when the statement changed no row.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// timeFrom reads a time stored as Unix seconds, NULL as the zero time.
func timeFrom(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0)
}
