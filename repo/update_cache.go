package repo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"aim/db"
	"aim/internal/gcpercent"
)

// RebuildCache writes the available-package cache from the indexes that
// the database records for every enabled source, whether or not their
// latest update succeeded.
func (u *Updater) RebuildCache() error {
	var srcs []db.Source
	states := map[string]*db.SourceState{}
	err := u.DB.View(func(tx *db.Tx) error {
		var err error
		if srcs, err = tx.Sources(); err != nil {
			return err
		}
		for _, s := range srcs {
			if states[s.Name], err = tx.SourceState(s.Name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	path := filepath.Join(u.Root, CacheFile)
	key := cacheKey(srcs, states)
	if old, err := u.DB.Meta(cacheKeyMeta); err == nil && old == key && fileExists(path) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	// The records of 60,000 packages stay while every paragraph's text
	// comes and goes: collecting sooner keeps the peak near what is live.
	defer gcpercent.Hold(cacheGCPercent)()
	b, err := NewCacheFileBuilder(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer b.Abort()
	for _, s := range srcs {
		if !s.Enabled {
			continue
		}
		if err := u.addSourceIndexes(b, s, states[s.Name]); err != nil {
			return err
		}
	}
	if err := b.WriteFile(path); err != nil {
		return err
	}
	return u.DB.Update(func(tx *db.Tx) error { return tx.SetMeta(cacheKeyMeta, key) })
}

// cacheGCPercent is the garbage collector's GOGC while the cache is built.
const cacheGCPercent = 25

// cacheKeyMeta is the database setting that holds the key of the indexes
// the cache file was built from.
const cacheKeyMeta = "pkgcache-key"

// cacheKey identifies the set of indexes a cache is built from: the
// enabled sources, their priorities and their index files' hashes.
func cacheKey(srcs []db.Source, states map[string]*db.SourceState) string {
	h := newHasher()
	for _, s := range srcs {
		if !s.Enabled {
			continue
		}
		fmt.Fprintf(h, "%s\x00%s\x00%d\n", s.Name, s.URI, s.Priority)
		for _, f := range states[s.Name].Indexes {
			fmt.Fprintf(h, "%s %s %s\n", f.Path, f.SHA256, f.CachePath)
		}
	}
	return cacheMagic + ":" + h.hex()
}

func (u *Updater) addSourceIndexes(b *CacheBuilder, s db.Source, st *db.SourceState) error {
	releases := map[string]*Release{}
	for _, f := range st.Indexes {
		if strings.HasSuffix(f.Path, "/Release") {
			data, err := os.ReadFile(filepath.Join(u.Root, f.CachePath))
			if err != nil {
				return fmt.Errorf("source %s: %w (run aim update)", s.Name, err)
			}
			rel, err := ParseRelease(data)
			if err != nil {
				return fmt.Errorf("source %s: %s: %w", s.Name, f.Path, err)
			}
			releases[strings.TrimSuffix(f.Path, "Release")] = rel
		}
	}
	for _, f := range st.Indexes {
		if !isPackagesIndex(f.Path) {
			continue
		}
		cs := CacheSource{Name: s.Name, URI: s.URI, Priority: s.Priority}
		for base, rel := range releases {
			if strings.HasPrefix(f.Path, base) {
				cs.Dist, cs.Component, cs.Arch = splitIndexPath(base, f.Path)
				if cs.Dist == "" {
					cs.Dist = s.Suite // a flat repository
				}
				cs.Origin, cs.Label, cs.Suite, cs.Codename = rel.Origin, rel.Label, rel.Suite, rel.Codename
			}
		}
		if err := u.addIndexFile(b, cs, f); err != nil {
			return fmt.Errorf("source %s: %w", s.Name, err)
		}
	}
	return nil
}

func (u *Updater) addIndexFile(b *CacheBuilder, cs CacheSource, f db.IndexFile) error {
	file, err := os.Open(filepath.Join(u.Root, f.CachePath))
	if err != nil {
		return fmt.Errorf("%w (run aim update)", err)
	}
	defer file.Close()
	if err := b.AddIndex(cs, file); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	return nil
}

// splitIndexPath returns the dist, component and architecture of an
// index at full URL p below the Release directory base.
func splitIndexPath(base, p string) (dist, component, arch string) {
	if i := strings.Index(base, "/dists/"); i >= 0 {
		dist = strings.Trim(base[i+len("/dists/"):], "/")
	}
	parts := strings.Split(strings.TrimPrefix(p, base), "/")
	if len(parts) == 3 {
		component, arch = parts[0], strings.TrimPrefix(parts[1], "binary-")
	}
	return dist, component, arch
}
