package repo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"aim/db"
	"aim/deb/rootfs"
	"aim/repo/sources"
)

// Paths below a root that updates use (see deb/rootfs).
const (
	// ListsDir holds the verified indexes.
	ListsDir = rootfs.ListsDir
	// CacheFile is the available-package cache built from them.
	CacheFile = rootfs.PkgCacheFile
	// TrustedKeysDir holds the keys trusted for every repository.
	TrustedKeysDir = rootfs.TrustedKeysDir
)

// DefaultPriority is a source's priority when it sets none (apt's 500).
const DefaultPriority = 500

// Updater fetches, verifies and records the indexes of sources, then
// rebuilds the available-package cache. A source whose update fails keeps
// the indexes of its last good update, and its failure is reported.
type Updater struct {
	Root    string
	DB      *db.DB
	Fetcher *Fetcher
	// Arch is the native architecture: sources without an arch= option
	// fetch its indexes (and binary-all where the Release has one).
	Arch string
	// Foreign are the foreign architectures (aim.conf's and dpkg's):
	// sources without an arch= option also fetch their indexes, where the
	// Release lists the architecture (or lists none and has the index).
	Foreign []string
	// Now gives the time Release dates are checked against (time.Now).
	Now func() time.Time
	// MaxFutureSkew is how far in the future a Release Date may be
	// (10 minutes when 0).
	MaxFutureSkew time.Duration
	// AllowReleaseDateRollback accepts a Release dated before the one
	// recorded for its source, which is refused otherwise with a
	// *ReleaseRollbackError (see apt's check of Release dates).
	AllowReleaseDateRollback bool
	// Only, when set, restricts fetching to the sources it matches (see
	// sources.Source.Matches); the others keep their indexes.
	Only string
	// Event, when set, is told what the update is doing.
	Event func(UpdateEvent)
}

// UpdateEvent reports progress of an update to the caller.
type UpdateEvent struct {
	Source string
	URL    string
	// What is "get", "unchanged", "fallback" or "done".
	What string
}

// SourceResult is the outcome of one source's update.
type SourceResult struct {
	Source string
	// Err is why the update failed (its previous indexes stay in use).
	Err error
	// Unchanged is true when the source's Release was the same as last time.
	Unchanged bool
	// Indexes is the number of package indexes the source now has.
	Indexes int
}

// UpdateError reports the sources whose update failed; the others were
// updated and the cache rebuilt.
type UpdateError struct {
	Failed []SourceResult
}

func (e *UpdateError) Error() string {
	var parts []string
	for _, r := range e.Failed {
		parts = append(parts, fmt.Sprintf("%s: %v", r.Source, r.Err))
	}
	return fmt.Sprintf("%d source(s) failed to update: %s", len(e.Failed), strings.Join(parts, "; "))
}

// Unwrap returns the failures, so errors.As finds, say, the
// *pgp.UnknownSignerError of a source signed by an unknown key.
func (e *UpdateError) Unwrap() []error {
	var errs []error
	for _, r := range e.Failed {
		errs = append(errs, r.Err)
	}
	return errs
}

// Update updates sources (all enabled ones given; disabled ones are only
// recorded) and rebuilds the cache from every enabled source's current
// indexes. It returns one result per enabled source and, when some
// failed, an *UpdateError alongside them.
//
// Update takes the writer lock of the root through u.DB (a no-op when it
// holds it already; a *db.LockedError when another process does), and
// under it first removes the staging directories of updates that were
// killed midway: while the lock is held, no other update is running.
func (u *Updater) Update(ctx context.Context, srcs []sources.Source) ([]SourceResult, error) {
	if err := u.DB.Lock(0); err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	u.removeStaleStaging()
	if err := u.syncSources(srcs); err != nil {
		return nil, err
	}
	var results []SourceResult
	var failed []SourceResult
	for i := range srcs {
		s := &srcs[i]
		if !s.Enabled || (u.Only != "" && !s.Matches(u.Only)) {
			continue
		}
		r := u.updateSource(ctx, s)
		results = append(results, r)
		if r.Err != nil {
			failed = append(failed, r)
			if err := u.DB.Update(func(tx *db.Tx) error { return tx.SetSourceError(s.Name, r.Err, u.now()) }); err != nil {
				return results, err
			}
		}
	}
	if err := u.RebuildCache(); err != nil {
		return results, err
	}
	if len(failed) > 0 {
		return results, &UpdateError{Failed: failed}
	}
	return results, nil
}

// syncSources records the configured sources in the database and forgets
// those no longer configured.
func (u *Updater) syncSources(srcs []sources.Source) error {
	return u.DB.Update(func(tx *db.Tx) error {
		known := map[string]bool{}
		for i := range srcs {
			s := &srcs[i]
			known[s.Name] = true
			if err := tx.PutSource(dbSource(s)); err != nil {
				return err
			}
		}
		recorded, err := tx.Sources()
		if err != nil {
			return err
		}
		for _, r := range recorded {
			if !known[r.Name] {
				if err := tx.DeleteSource(r.Name); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func dbSource(s *sources.Source) *db.Source {
	d := &db.Source{Name: s.Name, Trusted: s.Trusted, Enabled: s.Enabled, Priority: SourcePriority(s),
		Components: s.Components, Architectures: s.Architectures}
	if len(s.URIs) > 0 {
		d.URI = s.URIs[0]
	}
	if len(s.Suites) > 0 {
		d.Suite = s.Suites[0]
	}
	d.SignedBy = strings.Join(append(append([]string{}, s.SignedBy.Keyrings...), s.SignedBy.Fingerprints...), ",")
	if s.SignedBy.Key != "" {
		d.SignedBy = "inline key"
	}
	return d
}

// SourcePriority returns the source's priority: its "priority" option
// (Priority field in deb822), else DefaultPriority.
func SourcePriority(s *sources.Source) int {
	if v, ok := s.Option("priority"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n
		}
	}
	return DefaultPriority
}

func (u *Updater) now() time.Time {
	if u.Now != nil {
		return u.Now()
	}
	return time.Now()
}

func (u *Updater) event(src, url, what string) {
	if u.Event != nil {
		u.Event(UpdateEvent{Source: src, URL: url, What: what})
	}
}

// updateSource fetches and stages everything of one source and only then
// moves it into place and records it.
func (u *Updater) updateSource(ctx context.Context, s *sources.Source) SourceResult {
	res := SourceResult{Source: s.Name}
	var prev *db.SourceState
	err := u.DB.View(func(tx *db.Tx) error {
		var err error
		prev, err = tx.SourceState(s.Name)
		return err
	})
	if err != nil {
		res.Err = err
		return res
	}
	lists := u.listsDir()
	stage, err := os.MkdirTemp(lists, stagingPattern)
	if err != nil {
		res.Err = fmt.Errorf("update: %w", err)
		return res
	}
	defer os.RemoveAll(stage)
	su := &sourceUpdate{u: u, src: s, prev: prev, lists: lists, stage: stage}
	defer su.abort()
	files, unchanged, err := su.run(ctx)
	if err != nil {
		res.Err = err
		return res
	}
	if err := su.commit(files); err != nil {
		res.Err = err
		return res
	}
	res.Unchanged = unchanged
	for _, f := range files {
		if isPackagesIndex(f.file.Path) {
			res.Indexes++
		}
	}
	u.event(s.Name, "", "done")
	return res
}

// stagingPattern names the staging directories of updates in the lists
// directory.
const stagingPattern = ".update-*"

// removeStaleStaging removes the staging directories left in the lists
// directory by updates that were killed. The caller holds the writer
// lock. What cannot be removed is tried again by the next update.
func (u *Updater) removeStaleStaging() {
	stale, _ := filepath.Glob(filepath.Join(u.Root, ListsDir, stagingPattern))
	for _, d := range stale {
		os.RemoveAll(d)
	}
}

func (u *Updater) listsDir() string {
	d := filepath.Join(u.Root, ListsDir)
	os.MkdirAll(d, 0o755)
	return d
}

// listName turns a URL into the name of its file in the lists directory,
// the way apt names them: scheme dropped, "/" turned into "_".
func listName(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		url = url[i+3:]
	}
	url = strings.TrimPrefix(url, "/")
	return strings.NewReplacer("/", "_", "%", "%25", "_", "%5f").Replace(url)
}

func isPackagesIndex(path string) bool {
	return path == "Packages" || strings.HasSuffix(path, "/Packages")
}

var errNoIndexes = errors.New("no package indexes")

// ResyncSources records sources in the database as Update does, forgets
// those no longer configured, and rebuilds the available-package cache,
// without fetching anything: what a caller runs after removing sources it
// added, so that nothing of them stays in use.
func (u *Updater) ResyncSources(srcs []sources.Source) error {
	if err := u.syncSources(srcs); err != nil {
		return fmt.Errorf("record sources: %w", err)
	}
	return u.RebuildCache()
}
