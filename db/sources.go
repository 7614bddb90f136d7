package db

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Source is a configured repository as the database records it. The
// sources files under etc/aim are the configuration; this row mirrors them
// so that the state of each source (SourceState) and the cache have a key.
type Source struct {
	// Name identifies the source; unique.
	Name string
	URI  string
	// Suite is the distribution, or a path ending in "/" for a flat
	// repository (which has no Components).
	Suite         string
	Components    []string
	Architectures []string // empty: the native ones
	// SignedBy is the keyring or key the source's Release must be signed
	// by, as written in its configuration; "" for the trusted keys.
	SignedBy string
	Trusted  bool // trusted=yes: accepted unsigned
	Enabled  bool
	Priority int
}

// SourceState is what the updates of a source left: when the last one
// succeeded, why the latest one failed, and the index files of the last
// good one.
type SourceState struct {
	LastUpdate  time.Time // zero: never updated
	LastError   string    // "" when the latest update succeeded
	LastErrorAt time.Time
	Indexes     []IndexFile // sorted by Path
}

// Index returns the index file of st at path, and whether there is one.
func (st *SourceState) Index(path string) (IndexFile, bool) {
	i := sort.Search(len(st.Indexes), func(i int) bool { return st.Indexes[i].Path >= path })
	if i < len(st.Indexes) && st.Indexes[i].Path == path {
		return st.Indexes[i], true
	}
	return IndexFile{}, false
}

// IndexFile is one file a source's update fetched and checked.
type IndexFile struct {
	// Path is the file's name as its Release file lists it (or "InRelease",
	// "Release"); unique within a source.
	Path string
	// URL is where the bytes were fetched from (possibly a compressed or
	// by-hash variant of Path).
	URL string
	// CachePath is where the file is kept, relative to the root; "" when
	// it is not kept as a file.
	CachePath string
	// Size and SHA256 (lower-case hex) describe the uncompressed content.
	Size   int64
	SHA256 string
	// ETag and LastModified are the HTTP validators, as the server sent
	// them, for a conditional request next time.
	ETag         string
	LastModified string
	FetchedAt    time.Time // zero in ReplaceSourceIndexes: the update's time
}

const sourceColumns = `name, uri, suite, components, architectures, signed_by, trusted, enabled, priority`

// PutSource records the configuration of src, adding the source or
// updating it in place. Its state (SourceState) is kept.
func (s *store) PutSource(src *Source) error {
	if err := checkSource(src); err != nil {
		return fmt.Errorf("put source %s: %w", src.Name, err)
	}
	_, err := s.exec(`INSERT INTO sources (`+sourceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET uri = excluded.uri, suite = excluded.suite,
			components = excluded.components, architectures = excluded.architectures,
			signed_by = excluded.signed_by, trusted = excluded.trusted,
			enabled = excluded.enabled, priority = excluded.priority`,
		src.Name, src.URI, src.Suite, strings.Join(src.Components, " "),
		strings.Join(src.Architectures, " "), src.SignedBy, src.Trusted, src.Enabled, src.Priority)
	if err != nil {
		return fmt.Errorf("put source %s: %w", src.Name, err)
	}
	return nil
}

func checkSource(src *Source) error {
	switch {
	case strings.TrimSpace(src.Name) == "":
		return errors.New("empty name")
	case src.URI == "":
		return errors.New("empty URI")
	case src.Suite == "":
		return errors.New("empty suite")
	}
	for _, w := range append(append([]string(nil), src.Components...), src.Architectures...) {
		if w == "" || strings.ContainsAny(w, " \t\n") {
			return fmt.Errorf("invalid component or architecture %q", w)
		}
	}
	return nil
}

// Source returns the source called name, or an error wrapping ErrNotFound.
func (s *store) Source(name string) (*Source, error) {
	src, err := scanSource(s.queryRow(`SELECT `+sourceColumns+` FROM sources WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", name, err)
	}
	return src, nil
}

// Sources returns every source, sorted by name.
func (s *store) Sources() ([]Source, error) {
	rows, err := s.query(`SELECT ` + sourceColumns + ` FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("sources: %w", err)
		}
		out = append(out, *src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	return out, nil
}

func scanSource(sc scanner) (*Source, error) {
	var src Source
	var comps, archs string
	err := sc.Scan(&src.Name, &src.URI, &src.Suite, &comps, &archs, &src.SignedBy, &src.Trusted, &src.Enabled, &src.Priority)
	if err != nil {
		return nil, err
	}
	src.Components, src.Architectures = fields(comps), fields(archs)
	return &src, nil
}

// fields is strings.Fields that returns nil rather than an empty slice.
func fields(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}

// DeleteSource forgets the source called name together with its state and
// index files; an error wrapping ErrNotFound when there is none.
func (s *store) DeleteSource(name string) error {
	res, err := s.exec(`DELETE FROM sources WHERE name = ?`, name)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("delete source %s: %w", name, err)
	}
	return nil
}

// SourceState returns the state of the source called name, or an error
// wrapping ErrNotFound. Inside a transaction (View or Update) the state and
// its indexes are one consistent snapshot.
func (s *store) SourceState(name string) (*SourceState, error) {
	var st SourceState
	var last, errAt sql.NullInt64
	err := s.queryRow(`SELECT last_update, last_error, last_error_at FROM sources WHERE name = ?`, name).
		Scan(&last, &st.LastError, &errAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err == nil {
		st.LastUpdate, st.LastErrorAt = timeFrom(last), timeFrom(errAt)
		st.Indexes, err = s.indexFiles(name)
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", name, err)
	}
	return &st, nil
}

func (s *store) indexFiles(source string) ([]IndexFile, error) {
	rows, err := s.query(`SELECT path, url, cache_path, size, sha256, etag, last_modified, fetched_at
		FROM index_files WHERE source = ? ORDER BY path`, source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []IndexFile
	for rows.Next() {
		var f IndexFile
		var at int64
		if err := rows.Scan(&f.Path, &f.URL, &f.CachePath, &f.Size, &f.SHA256, &f.ETag, &f.LastModified, &at); err != nil {
			return nil, err
		}
		f.FetchedAt = time.Unix(at, 0)
		out = append(out, f)
	}
	return out, rows.Err()
}

// ReplaceSourceIndexes records a successful update of the source called
// name at time at: its index files become exactly files, its last update
// at, and its error is cleared, all at once. Call it only once everything
// was fetched and checked; until then the previous indexes stay recorded.
// An error wrapping ErrNotFound when there is no such source.
func (s *store) ReplaceSourceIndexes(name string, files []IndexFile, at time.Time) error {
	if err := checkIndexFiles(files); err != nil {
		return fmt.Errorf("replace indexes of source %s: %w", name, err)
	}
	err := s.atomic(func(s *store) error {
		res, err := s.exec(`UPDATE sources SET last_update = ?, last_error = '', last_error_at = NULL
			WHERE name = ?`, at.Unix(), name)
		if err == nil {
			err = mustAffect(res)
		}
		if err == nil {
			_, err = s.exec(`DELETE FROM index_files WHERE source = ?`, name)
		}
		if err != nil {
			return err
		}
		return s.insertIndexFiles(name, files, at)
	})
	if err != nil {
		return fmt.Errorf("replace indexes of source %s: %w", name, err)
	}
	return nil
}

func (s *store) insertIndexFiles(source string, files []IndexFile, at time.Time) error {
	for _, f := range files {
		fetched := f.FetchedAt
		if fetched.IsZero() {
			fetched = at
		}
		_, err := s.exec(`INSERT INTO index_files
			(source, path, url, cache_path, size, sha256, etag, last_modified, fetched_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			source, f.Path, f.URL, f.CachePath, f.Size, f.SHA256, f.ETag, f.LastModified, fetched.Unix())
		if err != nil {
			return fmt.Errorf("index %s: %w", f.Path, err)
		}
	}
	return nil
}

func checkIndexFiles(files []IndexFile) error {
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		switch {
		case f.Path == "":
			return errors.New("index file with an empty path")
		case seen[f.Path]:
			return fmt.Errorf("index file %s listed twice", f.Path)
		case f.Size < 0:
			return fmt.Errorf("index file %s: negative size", f.Path)
		case !isSHA256(f.SHA256):
			return fmt.Errorf("index file %s: SHA256 %q is not 64 lower-case hex digits", f.Path, f.SHA256)
		}
		seen[f.Path] = true
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// SetSourceError records that an update of the source called name failed
// at time at because of cause, keeping its index files and last good
// update. A nil cause clears the error. An error wrapping ErrNotFound when
// there is no such source.
func (s *store) SetSourceError(name string, cause error, at time.Time) error {
	msg, when := "", any(nil)
	if cause != nil {
		msg, when = cause.Error(), at.Unix()
	}
	res, err := s.exec(`UPDATE sources SET last_error = ?, last_error_at = ? WHERE name = ?`, msg, when, name)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("record error of source %s: %w", name, err)
	}
	return nil
}
