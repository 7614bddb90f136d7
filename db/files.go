package db

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
)

// File is one path an installed package owns.
type File struct {
	// Path is absolute inside the root, e.g. "/usr/bin/hello".
	Path string
	// Type is 'f' (regular file), 'd' (directory), 'l' (symlink), 'h'
	// (hard link to another file of the package) or 'p' (fifo).
	Type byte
	// Mode holds the permission and set-id bits.
	Mode fs.FileMode
	// Size and SHA256 (hex) describe a regular file's or hard link's
	// contents as installed.
	Size   int64
	SHA256 string
	// Link is a symlink's target.
	Link string
	// Conffile is set for a path the package lists as a conffile.
	Conffile bool
}

// Owner is an installed instance that owns a path: a package name and
// the architecture it was installed for.
type Owner struct {
	Name         string
	Architecture string
}

// String returns "name:arch".
func (o Owner) String() string { return o.Name + ":" + o.Architecture }

// packageID returns the id and architecture of the instance of name for
// arch, or of its only instance when arch is empty (an error wrapping
// ErrAmbiguous when there are several).
func (s *store) packageID(name, arch string) (int64, string, error) {
	if arch != "" {
		var id int64
		err := s.queryRow(`SELECT id FROM installed WHERE name = ? AND architecture = ?`, name, arch).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, "", fmt.Errorf("installed package %s: %w", instanceName(name, arch), ErrNotFound)
		}
		return id, arch, err
	}
	rows, err := s.query(`SELECT id, architecture FROM installed WHERE name = ? ORDER BY architecture`, name)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	var ids []int64
	var archs []string
	for rows.Next() {
		var id int64
		var a string
		if err := rows.Scan(&id, &a); err != nil {
			return 0, "", err
		}
		ids, archs = append(ids, id), append(archs, a)
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	switch len(ids) {
	case 0:
		return 0, "", fmt.Errorf("installed package %s: %w", name, ErrNotFound)
	case 1:
		return ids[0], archs[0], nil
	}
	return 0, "", fmt.Errorf("installed package %s (%s): %w", name, strings.Join(archs, ", "), ErrAmbiguous)
}

// SetFiles replaces the file list of the instance of name for arch (its
// only instance when arch is empty); an error wrapping ErrNotFound when
// there is none. All rows change together.
func (s *store) SetFiles(name, arch string, files []File) error {
	err := s.atomic(func(s *store) error {
		id, _, err := s.packageID(name, arch)
		if err != nil {
			return err
		}
		if _, err := s.exec(`DELETE FROM files WHERE package = ?`, id); err != nil {
			return err
		}
		for len(files) > 0 {
			n := min(len(files), filesBatch)
			if err := s.insertFiles(id, files[:n]); err != nil {
				return err
			}
			files = files[n:]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set files of %s: %w", instanceName(name, arch), err)
	}
	return nil
}

// filesBatch is how many rows one INSERT of SetFiles adds: one
// statement a row spent most of an install's commit preparing
// statements (5,000 rows: 113 ms one by one, see BenchmarkSetFiles).
const filesBatch = 64

// insertFilesQuery is the INSERT of n files rows.
func insertFilesQuery(n int) string {
	if n == filesBatch {
		return fullFilesBatch()
	}
	return buildInsertFiles(n)
}

var fullFilesBatch = sync.OnceValue(func() string { return buildInsertFiles(filesBatch) })

func buildInsertFiles(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO files (package, path, type, mode, size, sha256, link, conffile) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
	}
	return b.String()
}

// insertFiles adds the rows of files for package id in one statement;
// when it fails, it names the first file whose row fails on its own.
func (s *store) insertFiles(id int64, files []File) error {
	args := make([]any, 0, 8*len(files))
	for _, f := range files {
		args = append(args, id, f.Path, string(f.Type), int64(f.Mode), f.Size, f.SHA256, f.Link, f.Conffile)
	}
	_, err := s.exec(insertFilesQuery(len(files)), args...)
	if err == nil {
		return nil
	}
	for i, f := range files {
		if _, rerr := s.exec(buildInsertFiles(1), args[8*i:8*i+8]...); rerr != nil {
			return fmt.Errorf("%s: %w", f.Path, rerr)
		}
	}
	return err
}

// Files returns the paths the instance of name for arch (its only
// instance when arch is empty) owns, sorted by path; an error wrapping
// ErrNotFound when it is not installed.
func (s *store) Files(name, arch string) ([]File, error) {
	id, _, err := s.packageID(name, arch)
	if err != nil {
		return nil, fmt.Errorf("files of %s: %w", instanceName(name, arch), err)
	}
	rows, err := s.query(`SELECT path, type, mode, size, sha256, link, conffile FROM files
		WHERE package = ? ORDER BY path`, id)
	if err != nil {
		return nil, fmt.Errorf("files of %s: %w", instanceName(name, arch), err)
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		var typ string
		var mode int64
		if err := rows.Scan(&f.Path, &typ, &mode, &f.Size, &f.SHA256, &f.Link, &f.Conffile); err != nil {
			return nil, fmt.Errorf("files of %s: %w", instanceName(name, arch), err)
		}
		f.Type, f.Mode = typ[0], fs.FileMode(mode)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("files of %s: %w", instanceName(name, arch), err)
	}
	return out, nil
}

// Owners returns the installed instances that own path, sorted by name
// then architecture. A file shared by the instances of a Multi-Arch: same
// package has one owner per instance that ships it; it stays until the
// last of them goes.
func (s *store) Owners(path string) ([]Owner, error) {
	rows, err := s.query(`SELECT i.name, i.architecture FROM files f JOIN installed i ON i.id = f.package
		WHERE f.path = ? ORDER BY i.name, i.architecture`, path)
	if err != nil {
		return nil, fmt.Errorf("owners of %s: %w", path, err)
	}
	defer rows.Close()
	var out []Owner
	for rows.Next() {
		var o Owner
		if err := rows.Scan(&o.Name, &o.Architecture); err != nil {
			return nil, fmt.Errorf("owners of %s: %w", path, err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ownersChunk is how many paths one query of OwnersOf asks about, well
// under SQLite's limit on bound parameters.
const ownersChunk = 500

// OwnersOf returns Owners for each of paths that has an owner, in a few
// queries instead of one a path; a path nobody owns has no entry.
func (s *store) OwnersOf(paths []string) (map[string][]Owner, error) {
	out := map[string][]Owner{}
	for len(paths) > 0 {
		n := min(len(paths), ownersChunk)
		if err := s.ownersChunk(paths[:n], out); err != nil {
			return nil, err
		}
		paths = paths[n:]
	}
	return out, nil
}

func (s *store) ownersChunk(paths []string, out map[string][]Owner) error {
	args := make([]any, len(paths))
	for i, p := range paths {
		args[i] = p
	}
	marks := strings.Repeat(",?", len(paths))[1:]
	rows, err := s.query(`SELECT f.path, i.name, i.architecture FROM files f JOIN installed i ON i.id = f.package
		WHERE f.path IN (`+marks+`) ORDER BY f.path, i.name, i.architecture`, args...)
	if err != nil {
		return fmt.Errorf("owners of %d paths: %w", len(paths), err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var o Owner
		if err := rows.Scan(&p, &o.Name, &o.Architecture); err != nil {
			return fmt.Errorf("owners of %d paths: %w", len(paths), err)
		}
		out[p] = append(out[p], o)
	}
	return rows.Err()
}

// Conffiles returns the conffiles recorded for the instance of name for
// arch (installed, or removed but not purged) with the hash of the
// version it shipped, by path; empty when there are none. Rows recorded
// before aim kept architectures (schema version 2) have none and belong
// to every architecture; an empty arch returns the rows of every
// architecture.
func (s *store) Conffiles(name, arch string) (map[string]string, error) {
	q, args := `SELECT path, sha256 FROM conffiles WHERE package = ? ORDER BY architecture DESC`, []any{name}
	if arch != "" {
		q, args = `SELECT path, sha256 FROM conffiles WHERE package = ? AND architecture IN (?, '') ORDER BY architecture DESC`, []any{name, arch}
	}
	rows, err := s.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("conffiles of %s: %w", instanceName(name, arch), err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, h string
		if err := rows.Scan(&p, &h); err != nil {
			return nil, fmt.Errorf("conffiles of %s: %w", instanceName(name, arch), err)
		}
		if _, seen := out[p]; !seen {
			out[p] = h
		}
	}
	return out, rows.Err()
}

// SetConffiles replaces the conffiles recorded for the instance of name
// for arch, including rows without an architecture; an empty map forgets
// them (as a purge does). An empty arch replaces the rows of every
// architecture.
func (s *store) SetConffiles(name, arch string, conffiles map[string]string) error {
	err := s.atomic(func(s *store) error {
		del, args := `DELETE FROM conffiles WHERE package = ?`, []any{name}
		if arch != "" {
			del, args = `DELETE FROM conffiles WHERE package = ? AND architecture IN (?, '')`, []any{name, arch}
		}
		if _, err := s.exec(del, args...); err != nil {
			return err
		}
		for p, h := range conffiles {
			if _, err := s.exec(`INSERT INTO conffiles (package, architecture, path, sha256) VALUES (?, ?, ?, ?)`, name, arch, p, h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set conffiles of %s: %w", instanceName(name, arch), err)
	}
	return nil
}

// DisownFiles removes paths from the file list of the instance of name
// for arch (its only instance when arch is empty), as when another
// package that Replaces it takes them over.
func (s *store) DisownFiles(name, arch string, paths []string) error {
	err := s.atomic(func(s *store) error {
		id, _, err := s.packageID(name, arch)
		if err != nil {
			return err
		}
		for _, p := range paths {
			if _, err := s.exec(`DELETE FROM files WHERE package = ? AND path = ?`, id, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("disown files of %s: %w", instanceName(name, arch), err)
	}
	return nil
}
