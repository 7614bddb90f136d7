package publish

// This file publishes a dists/ tree as generations. Two files cannot be
// replaced at once, so each publish of dist D writes a whole new
// directory, dists/D.gen/N: Release, Release.gpg, InRelease, every index
// and the by-hash files of this and the kept earlier generations (hard
// links to the previous generation's where unchanged). dists/D is a
// relative symbolic link to it, switched with one rename(2): a reader of
// plain paths or by-hash sees one generation or the next, never a mix,
// and a publish killed at any moment leaves the previous generation
// whole (the next publish deletes what it left). After the switch,
// generations older than the previous one are deleted; the previous one
// stays for readers that resolved the link just before the switch.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"aim/deb/rootfs"
	"aim/repo"
)

// genSuffix names the directory of a dist's generations: dists/D.gen.
const genSuffix = ".gen"

// step is called before each change Publish makes to the published tree
// or its history; a fault hook set by tests stops the publish there, as a
// kill would.
func (r *Repo) step(name string) error {
	if r.fault != nil {
		if err := r.fault(name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// currentGeneration returns the directory (below the repository's top)
// dists/D leads to and its generation number: the link's target, or
// dists/D itself as generation 0 when it is a plain directory (published
// before generations), or "" when nothing is published.
func (r *Repo) currentGeneration(dir string) (string, int, error) {
	full := filepath.Join(r.Dir, filepath.FromSlash(dir))
	fi, err := os.Lstat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", 0, nil
	case err != nil:
		return "", 0, err
	case fi.IsDir():
		return dir, 0, nil
	case fi.Mode()&fs.ModeSymlink == 0:
		return "", 0, fmt.Errorf("%s is neither a directory nor a link", dir)
	}
	target, err := os.Readlink(full)
	if err != nil {
		return "", 0, err
	}
	prefix := path.Base(dir) + genSuffix + "/"
	n, err := strconv.Atoi(strings.TrimPrefix(target, prefix))
	if !strings.HasPrefix(target, prefix) || err != nil || n < 1 {
		return "", 0, fmt.Errorf("%s links to %q, not to a generation of its own", dir, target)
	}
	return path.Join(path.Dir(dir), target), n, nil
}

// publishGeneration writes rel and files as the next generation of dist
// in dir and switches dir to it. old is the Release published now (nil
// when none).
func (r *Repo) publishGeneration(dist, dir string, old, rel *repo.Release, files []indexFile, opts Options, res *Result) error {
	cur, n, err := r.currentGeneration(dir)
	if err != nil {
		return err
	}
	if res.Outcome == Updated && old != nil {
		if err := r.rotateHistory(dist, old, opts.Keep); err != nil {
			return err
		}
	}
	next := fmt.Sprintf("%s%s/%d", dir, genSuffix, n+1)
	nextFull := filepath.Join(r.Dir, filepath.FromSlash(next))
	if err := r.step("generation " + next); err != nil {
		return err
	}
	if err := os.RemoveAll(nextFull); err != nil { // left by a killed publish
		return err
	}
	if err := os.MkdirAll(nextFull, 0o755); err != nil {
		return err
	}
	refs := r.keptHashes(dist, rel, opts.Keep)
	removed, err := r.linkKeptByHash(cur, next, dir, refs)
	if err != nil {
		return err
	}
	if err := r.writeGenerationIndexes(cur, next, dir, files, res); err != nil {
		return err
	}
	text, sig, in, err := signRelease(rel, opts)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"Release", text}, {"Release.gpg", sig}, {"InRelease", in}} {
		if err := r.step("write " + next + "/" + f.name); err != nil {
			return err
		}
		if err := rootfs.WriteFile(filepath.Join(nextFull, f.name), f.data, 0o644); err != nil {
			return fmt.Errorf("write %s/%s: %w", next, f.name, err)
		}
		res.Written = append(res.Written, relPath(dir, f.name))
	}
	if err := r.switchGeneration(dir, cur, n); err != nil {
		return err
	}
	if res.Outcome == Updated {
		res.Removed = removed
	}
	return r.cleanGenerations(dir, n)
}

// keptHashes are the by-hash names a new generation serves: those of
// rel and of the kept earlier Releases.
func (r *Repo) keptHashes(dist string, rel *repo.Release, keep int) map[string]bool {
	refs := map[string]bool{}
	add := func(rel *repo.Release) {
		for _, f := range rel.Files {
			refs[f.SHA256], refs[f.SHA512] = true, true
		}
	}
	add(rel)
	for i := 1; i <= keep; i++ {
		if data, err := os.ReadFile(r.historyFile(dist, i)); err == nil {
			if h, err := repo.ParseRelease(data); err == nil {
				add(h)
			}
		}
	}
	return refs
}

// linkKeptByHash links the by-hash files of generation cur that refs
// names into generation next, and returns, as paths below dir, those it
// leaves behind.
func (r *Repo) linkKeptByHash(cur, next, dir string, refs map[string]bool) ([]string, error) {
	if cur == "" {
		return nil, nil
	}
	var dropped []string
	top := filepath.Join(r.Dir, filepath.FromSlash(cur))
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		parent := filepath.Base(filepath.Dir(p))
		if filepath.Base(filepath.Dir(filepath.Dir(p))) != "by-hash" || parent != "SHA256" && parent != "SHA512" {
			return nil
		}
		rel, _ := filepath.Rel(top, p)
		if !refs[d.Name()] {
			dropped = append(dropped, relPath(dir, filepath.ToSlash(rel)))
			return nil
		}
		return r.linkInto(p, next, filepath.ToSlash(rel))
	})
	return dropped, err
}

// linkInto hard-links the file src as rel below generation gen.
func (r *Repo) linkInto(src, gen, rel string) error {
	if err := r.step("link " + gen + "/" + rel); err != nil {
		return err
	}
	dst := filepath.Join(r.Dir, filepath.FromSlash(gen), filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	err := os.Link(src, dst)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	return err
}

// writeGenerationIndexes puts every index file in generation next: new
// contents written, unchanged ones linked from cur; then each is linked
// under its by-hash names where they are not there yet.
func (r *Repo) writeGenerationIndexes(cur, next, dir string, files []indexFile, res *Result) error {
	for _, f := range files {
		dst := filepath.Join(r.Dir, filepath.FromSlash(next), filepath.FromSlash(f.entry.Path))
		if f.data == nil {
			if cur == "" {
				return fmt.Errorf("%s: unchanged but no generation holds it", f.entry.Path)
			}
			if err := r.linkInto(filepath.Join(r.Dir, filepath.FromSlash(cur), filepath.FromSlash(f.entry.Path)), next, f.entry.Path); err != nil {
				return err
			}
		} else {
			if err := r.step("write " + next + "/" + f.entry.Path); err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := rootfs.WriteFile(dst, f.data, 0o644); err != nil {
				return fmt.Errorf("write %s/%s: %w", next, f.entry.Path, err)
			}
			res.Written = append(res.Written, relPath(dir, f.entry.Path))
		}
		for _, p := range byHashPaths("", f.entry) {
			if _, err := os.Lstat(filepath.Join(r.Dir, filepath.FromSlash(next), filepath.FromSlash(p))); err == nil {
				continue
			}
			if err := r.linkInto(dst, next, p); err != nil {
				return err
			}
			res.Written = append(res.Written, relPath(dir, p))
		}
	}
	return nil
}

// switchGeneration points dir at generation n+1 with one rename of a
// link. A plain directory dir (generation 0) is exchanged with the link
// atomically where the system can (renameat2), and moved to dir.gen/0.
func (r *Repo) switchGeneration(dir, cur string, n int) error {
	full := filepath.Join(r.Dir, filepath.FromSlash(dir))
	tmp := filepath.Join(filepath.Dir(full), "."+filepath.Base(full)+".link")
	if err := r.step("link " + dir); err != nil {
		return err
	}
	os.Remove(tmp)
	if err := os.Symlink(path.Base(dir)+genSuffix+"/"+strconv.Itoa(n+1), tmp); err != nil {
		return err
	}
	if err := r.step("switch " + dir); err != nil {
		return err
	}
	if cur != dir {
		return os.Rename(tmp, full)
	}
	// Generation 0: a directory cannot be renamed over.
	legacy := filepath.Join(r.Dir, filepath.FromSlash(dir+genSuffix), "0")
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, full, unix.RENAME_EXCHANGE); err == nil {
		return os.Rename(tmp, legacy)
	}
	if err := os.Rename(full, legacy); err != nil {
		return err
	}
	return os.Rename(tmp, full)
}

// cleanGenerations deletes the generations of dir but the current one
// (n+1) and the one before (n), and leftovers of killed publishes.
func (r *Repo) cleanGenerations(dir string, n int) error {
	gens := filepath.Join(r.Dir, filepath.FromSlash(dir+genSuffix))
	entries, err := os.ReadDir(gens)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if i, err := strconv.Atoi(e.Name()); err == nil && (i == n || i == n+1) {
			continue
		}
		if err := r.step("clean " + dir + genSuffix + "/" + e.Name()); err != nil {
			return err
		}
		if err := os.RemoveAll(filepath.Join(gens, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// cleanAfterUnchanged deletes what a publish killed after its switch
// left: generations older than the one before the current one.
func (r *Repo) cleanAfterUnchanged(dir string) error {
	cur, n, err := r.currentGeneration(dir)
	if err != nil || cur == "" || n == 0 {
		return err
	}
	if _, err := os.Stat(filepath.Join(r.Dir, filepath.FromSlash(dir+genSuffix))); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return r.cleanGenerations(dir, n-1)
}
