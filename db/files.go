package db

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
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

// packageID returns the id of the installed package called name.
func (s *store) packageID(name string) (int64, error) {
	var id int64
	err := s.queryRow(`SELECT id FROM installed WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("installed package %s: %w", name, ErrNotFound)
	}
	return id, err
}

// SetFiles replaces the file list of the installed package called name
// (an error wrapping ErrNotFound when there is none). All rows change
// together.
func (s *store) SetFiles(name string, files []File) error {
	err := s.atomic(func(s *store) error {
		id, err := s.packageID(name)
		if err != nil {
			return err
		}
		if _, err := s.exec(`DELETE FROM files WHERE package = ?`, id); err != nil {
			return err
		}
		for _, f := range files {
			_, err := s.exec(`INSERT INTO files (package, path, type, mode, size, sha256, link, conffile)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, f.Path, string(f.Type), int64(f.Mode), f.Size, f.SHA256, f.Link, f.Conffile)
			if err != nil {
				return fmt.Errorf("%s: %w", f.Path, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set files of %s: %w", name, err)
	}
	return nil
}

// Files returns the paths the installed package called name owns, sorted
// by path; an error wrapping ErrNotFound when it is not installed.
func (s *store) Files(name string) ([]File, error) {
	id, err := s.packageID(name)
	if err != nil {
		return nil, fmt.Errorf("files of %s: %w", name, err)
	}
	rows, err := s.query(`SELECT path, type, mode, size, sha256, link, conffile FROM files
		WHERE package = ? ORDER BY path`, id)
	if err != nil {
		return nil, fmt.Errorf("files of %s: %w", name, err)
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		var typ string
		var mode int64
		if err := rows.Scan(&f.Path, &typ, &mode, &f.Size, &f.SHA256, &f.Link, &f.Conffile); err != nil {
			return nil, fmt.Errorf("files of %s: %w", name, err)
		}
		f.Type, f.Mode = typ[0], fs.FileMode(mode)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("files of %s: %w", name, err)
	}
	return out, nil
}

// Owners returns the names of the installed packages that own path,
// sorted.
func (s *store) Owners(path string) ([]string, error) {
	rows, err := s.query(`SELECT i.name FROM files f JOIN installed i ON i.id = f.package
		WHERE f.path = ? ORDER BY i.name`, path)
	if err != nil {
		return nil, fmt.Errorf("owners of %s: %w", path, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("owners of %s: %w", path, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Conffiles returns the conffiles recorded for the package called name
// (installed, or removed but not purged) with the hash of the version it
// shipped, by path; empty when there are none.
func (s *store) Conffiles(name string) (map[string]string, error) {
	rows, err := s.query(`SELECT path, sha256 FROM conffiles WHERE package = ?`, name)
	if err != nil {
		return nil, fmt.Errorf("conffiles of %s: %w", name, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, h string
		if err := rows.Scan(&p, &h); err != nil {
			return nil, fmt.Errorf("conffiles of %s: %w", name, err)
		}
		out[p] = h
	}
	return out, rows.Err()
}

// SetConffiles replaces the conffiles recorded for the package called
// name; an empty map forgets them (as a purge does).
func (s *store) SetConffiles(name string, conffiles map[string]string) error {
	err := s.atomic(func(s *store) error {
		if _, err := s.exec(`DELETE FROM conffiles WHERE package = ?`, name); err != nil {
			return err
		}
		for p, h := range conffiles {
			if _, err := s.exec(`INSERT INTO conffiles (package, path, sha256) VALUES (?, ?, ?)`, name, p, h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set conffiles of %s: %w", name, err)
	}
	return nil
}

// DisownFiles removes paths from the file list of the installed package
// called name, as when another package that Replaces it takes them over.
func (s *store) DisownFiles(name string, paths []string) error {
	err := s.atomic(func(s *store) error {
		id, err := s.packageID(name)
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
		return fmt.Errorf("disown files of %s: %w", name, err)
	}
	return nil
}
