package db

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"aim/deb/rootfs"
)

// EmptyMarkPath is the mark that root's database holds no installed
// package and no transaction state, so that read-only commands showing
// installed state need not open SQLite to learn that (NothingInstalled).
const EmptyMarkPath = rootfs.EmptyMarkFile

// emptyMetaKeys are the meta keys that say nothing of installed packages
// or of a transaction in progress; a database with any other meta key
// gets no mark.
var emptyMetaKeys = []string{"pkgcache-key", "held"}

// NothingInstalled reports whether root's database is known, without
// opening it, to hold no installed package, no journal and no
// transaction state. It is true only when the mark written by the last
// holder of the writer lock (see Close) is there and still describes the
// database and WAL files byte for byte in size, time and inode: every
// holder of the writer lock removes the mark (durably) before it can
// write, and a writer that bypasses the lock changes the files. A false
// answer says nothing: open the database.
func NothingInstalled(root string) bool {
	r := rootfs.Root(root)
	mark, err := os.ReadFile(r.Path(EmptyMarkPath))
	if err != nil {
		return false
	}
	stamp, err := fileStamp(emptyHeader, r.Path(DBPath))
	return err == nil && string(mark) == stamp
}

// emptyHeader is the first line of the nothing-installed mark.
const emptyHeader = "aim nothing-installed 1\n"

// fileStamp describes the database file and its WAL after the line
// header: size, modification time in nanoseconds and inode of each ("-"
// for a missing WAL).
func fileStamp(header, dbPath string) (string, error) {
	var b strings.Builder
	b.WriteString(header)
	for _, p := range []string{dbPath, dbPath + "-wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && p != dbPath {
			b.WriteString("-\n")
			continue
		}
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%d %d %d\n", fi.Size(), fi.ModTime().UnixNano(), inode(fi))
	}
	return b.String(), nil
}

// removeMarks removes root's nothing-installed mark and installed-names
// index and makes the removals durable; the writer lock's holder calls it
// before it can write anything.
func removeMarks(root string) error {
	removed := ""
	for _, rel := range []string{EmptyMarkPath, InstalledNamesPath} {
		p := rootfs.Root(root).Path(rel)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		} else if err == nil {
			removed = p
		}
	}
	if removed == "" {
		return nil
	}
	if err := syncDir(filepath.Dir(removed)); err != nil {
		return fmt.Errorf("remove %s: %w", removed, err)
	}
	return nil
}

// isEmpty reports whether d holds no installed package, no journal and
// no meta key but emptyMetaKeys.
func (d *DB) isEmpty() (bool, error) {
	q := `SELECT NOT EXISTS (SELECT 1 FROM installed) AND NOT EXISTS (SELECT 1 FROM journal)
		AND NOT EXISTS (SELECT 1 FROM meta WHERE key NOT IN (` + strings.Repeat("?, ", len(emptyMetaKeys)-1) + `?))`
	args := make([]any, len(emptyMetaKeys))
	for i, k := range emptyMetaKeys {
		args[i] = k
	}
	var empty bool
	if err := d.sql.QueryRow(q, args...).Scan(&empty); err != nil {
		return false, fmt.Errorf("check %s: %w", d.path, err)
	}
	return empty, nil
}

// writeEmptyMark writes root's mark for the closed database files,
// durably. It is called with the writer lock held. On failure no mark, or
// a whole one that still matches the files, is left: both are safe.
func writeEmptyMark(root, dbPath string) error {
	stamp, err := fileStamp(emptyHeader, dbPath)
	if err != nil {
		return err
	}
	return writeMark(rootfs.Root(root).Path(EmptyMarkPath), stamp)
}

// writeMark writes contents to the mark file p atomically and durably.
func writeMark(p, contents string) error {
	f, err := rootfs.CreateAtomic(filepath.Dir(p))
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.WriteString(contents); err != nil {
		return err
	}
	return f.Commit(p, 0o644)
}

// syncDir makes a removal in dir durable. Filesystems that cannot sync a
// directory are left as they are.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errSyncUnsupported) {
		return err
	}
	return nil
}
