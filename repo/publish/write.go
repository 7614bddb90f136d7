package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"aim/deb/rootfs"
	"aim/repo"
)

// writeIndexes writes the by-hash copies of every index file, then the
// files under their names. Files already current on disk are not
// written again.
func (r *Repo) writeIndexes(dir string, files []indexFile, res *Result) error {
	if !r.Settings.Flat {
		for _, f := range files {
			if err := r.writeByHash(dir, f, res); err != nil {
				return err
			}
		}
	}
	for _, f := range files {
		if f.data == nil {
			continue
		}
		if err := r.writeIfChanged(relPath(dir, f.entry.Path), f.data, res); err != nil {
			return err
		}
	}
	return nil
}

// byHashPaths are where a file is served by its SHA256 and SHA512 (apt
// asks for the strongest hash the Release lists).
func byHashPaths(dir string, e repo.ReleaseFile) [2]string {
	d := path.Dir(e.Path)
	return [2]string{relPath(dir, d+"/by-hash/SHA256/"+e.SHA256), relPath(dir, d+"/by-hash/SHA512/"+e.SHA512)}
}

// writeByHash makes sure f is served by its hashes. The SHA512 name is a
// hard link to the SHA256 one where the file system allows.
func (r *Repo) writeByHash(dir string, f indexFile, res *Result) error {
	paths := byHashPaths(dir, f.entry)
	data := f.data
	for i, p := range paths {
		full := filepath.Join(r.Dir, filepath.FromSlash(p))
		if _, err := os.Stat(full); err == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if i == 1 && os.Link(filepath.Join(r.Dir, filepath.FromSlash(paths[0])), full) == nil {
			res.Written = append(res.Written, p)
			continue
		}
		if data == nil {
			b, err := os.ReadFile(filepath.Join(r.Dir, filepath.FromSlash(relPath(dir, f.entry.Path))))
			if err != nil {
				return err
			}
			data = b
		}
		if err := rootfs.WriteFile(full, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", full, err)
		}
		res.Written = append(res.Written, p)
	}
	return nil
}

// writeIfChanged replaces the file rel (below the repository's top) with
// data, atomically, unless it holds data already.
func (r *Repo) writeIfChanged(rel string, data []byte, res *Result) error {
	full := filepath.Join(r.Dir, filepath.FromSlash(rel))
	if bytesEqualFile(full, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	if err := rootfs.WriteFile(full, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", full, err)
	}
	if res != nil {
		res.Written = append(res.Written, rel)
	}
	return nil
}

// writeRelease signs rel and writes Release, Release.gpg and, last,
// InRelease, the file clients read first.
func (r *Repo) writeRelease(dir string, rel *repo.Release, opts Options, res *Result) error {
	text := rel.Bytes()
	in, err := opts.Signer.ClearSign(text, opts.Now)
	if err != nil {
		return fmt.Errorf("sign InRelease: %w", err)
	}
	sig, err := opts.Signer.DetachSign(text, opts.Now)
	if err != nil {
		return fmt.Errorf("sign Release: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"Release", text}, {"Release.gpg", sig}, {"InRelease", in}} {
		if err := r.writeIfChanged(relPath(dir, f.name), f.data, res); err != nil {
			return err
		}
	}
	return nil
}

// historyFile is where the n-th Release before the current one of dist
// is kept, to know which by-hash files clients may still ask for.
func (r *Repo) historyFile(dist string, n int) string {
	return filepath.Join(r.Dir, StateDir, url.PathEscape(dist), "Release."+strconv.Itoa(n))
}

// rotateGenerations records old as the previous generation of dist, drops
// generations beyond keep, and deletes the by-hash files that neither
// rel nor a kept generation lists. It returns what it deleted.
func (r *Repo) rotateGenerations(dist, dir string, old, rel *repo.Release, keep int) ([]string, error) {
	if err := os.MkdirAll(filepath.Dir(r.historyFile(dist, 1)), 0o755); err != nil {
		return nil, err
	}
	os.Remove(r.historyFile(dist, keep))
	for n := keep - 1; n >= 1; n-- {
		if err := os.Rename(r.historyFile(dist, n), r.historyFile(dist, n+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	if err := rootfs.WriteFile(r.historyFile(dist, 1), old.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", r.historyFile(dist, 1), err)
	}
	refs := map[string]bool{}
	add := func(rel *repo.Release) {
		for _, f := range rel.Files {
			refs[f.SHA256], refs[f.SHA512] = true, true
		}
	}
	add(rel)
	for n := 1; n <= keep; n++ {
		if data, err := os.ReadFile(r.historyFile(dist, n)); err == nil {
			if h, err := repo.ParseRelease(data); err == nil {
				add(h)
			}
		}
	}
	return r.pruneByHash(dir, refs)
}

// pruneByHash deletes files of by-hash/SHA256 and by-hash/SHA512
// directories below dir whose name refs does not hold.
func (r *Repo) pruneByHash(dir string, refs map[string]bool) ([]string, error) {
	var removed []string
	top := filepath.Join(r.Dir, dir)
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		parent := filepath.Base(filepath.Dir(p))
		if filepath.Base(filepath.Dir(filepath.Dir(p))) != "by-hash" || parent != "SHA256" && parent != "SHA512" {
			return nil
		}
		if refs[d.Name()] {
			return nil
		}
		if err := os.Remove(p); err != nil {
			return err
		}
		rel, _ := filepath.Rel(r.Dir, p)
		removed = append(removed, filepath.ToSlash(rel))
		return nil
	})
	return removed, err
}

// collectPool deletes the package files of the pool that no dist's
// database names, and returns them.
func (r *Repo) collectPool() ([]string, error) {
	refs, err := r.referencedPool()
	if err != nil {
		return nil, err
	}
	var removed []string
	err = filepath.WalkDir(filepath.Join(r.Dir, "pool"), func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), ".deb") {
			return err
		}
		rel, _ := filepath.Rel(r.Dir, p)
		rel = filepath.ToSlash(rel)
		if refs[rel] {
			return nil
		}
		r.removePoolFile(p)
		removed = append(removed, rel)
		return nil
	})
	return removed, err
}
