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

// writeIndexes writes the index files of a flat repository under their
// names. Files already current on disk are not written again.
func (r *Repo) writeIndexes(dir string, files []indexFile, res *Result) error {
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

// writeIfChanged replaces the file rel (below the repository's top) with
// data, atomically, unless it holds data already.
func (r *Repo) writeIfChanged(rel string, data []byte, res *Result) error {
	full := filepath.Join(r.Dir, filepath.FromSlash(rel))
	if bytesEqualFile(full, data) {
		return nil
	}
	if err := r.step("write " + rel); err != nil {
		return err
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
	text, sig, in, err := signRelease(rel, opts)
	if err != nil {
		return err
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

// signRelease returns rel's text, its detached signature and the text
// clear-signed.
func signRelease(rel *repo.Release, opts Options) (text, sig, in []byte, err error) {
	text = rel.Bytes()
	if in, err = opts.Signer.ClearSign(text, opts.Now); err != nil {
		return nil, nil, nil, fmt.Errorf("sign InRelease: %w", err)
	}
	if sig, err = opts.Signer.DetachSign(text, opts.Now); err != nil {
		return nil, nil, nil, fmt.Errorf("sign Release: %w", err)
	}
	return text, sig, in, nil
}

// historyFile is where the n-th Release before the current one of dist
// is kept, to know which by-hash files clients may still ask for.
func (r *Repo) historyFile(dist string, n int) string {
	return filepath.Join(r.Dir, StateDir, url.PathEscape(dist), "Release."+strconv.Itoa(n))
}

// rotateHistory records old as the previous generation of dist and drops
// generations beyond keep. It does nothing when old is recorded already
// (a publish killed after rotating, run again).
func (r *Repo) rotateHistory(dist string, old *repo.Release, keep int) error {
	if err := r.step("history " + dist); err != nil {
		return err
	}
	if bytesEqualFile(r.historyFile(dist, 1), old.Bytes()) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(r.historyFile(dist, 1)), 0o755); err != nil {
		return err
	}
	os.Remove(r.historyFile(dist, keep))
	for n := keep - 1; n >= 1; n-- {
		if err := os.Rename(r.historyFile(dist, n), r.historyFile(dist, n+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := rootfs.WriteFile(r.historyFile(dist, 1), old.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", r.historyFile(dist, 1), err)
	}
	return nil
}

// poolFile is a package file of the pool: its path and its path below
// the repository's top, slash-separated.
type poolFile struct{ path, rel string }

// listPool lists the package files of the pool (files and links named
// *.deb, no link followed) in walk order. Publish runs it beside its
// other work: it holds the repository's lock, so the pool does not
// change until collectPool.
func (r *Repo) listPool() ([]poolFile, error) {
	var out []poolFile
	err := filepath.WalkDir(filepath.Join(r.Dir, "pool"), func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), ".deb") {
			return err
		}
		rel, _ := filepath.Rel(r.Dir, p)
		out = append(out, poolFile{p, filepath.ToSlash(rel)})
		return nil
	})
	return out, err
}

// collectPool deletes the package files of the pool (as listPool found
// them) that no dist's database names, and returns them.
func (r *Repo) collectPool(files []poolFile) ([]string, error) {
	refs, err := r.referencedPool()
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, f := range files {
		if refs[f.rel] {
			continue
		}
		r.removePoolFile(f.path)
		removed = append(removed, f.rel)
	}
	return removed, nil
}
