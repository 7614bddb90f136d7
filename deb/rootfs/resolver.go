package rootfs

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// A Resolver resolves paths inside a root as Root.Join does, and
// remembers every existing directory it resolved, with the symlinks it
// went through. A path is then resolved by looking up its parent and
// checking its last component: one lstat per directory it has not seen,
// where Join walks every component of every path (for the files of a
// package, several lstat calls a file).
//
// Only existing directories are remembered, so a directory created
// later, or a missing one, is looked up again. What the Resolver
// remembered holds while no directory it resolved, and no symlink it
// went through, is replaced or removed: the caller reports each such
// change with Changed, or drops everything with Forget (for example
// after a maintainer script, which may change anything). Putting a file
// or a symlink where nothing stood needs no report.
//
// A Resolver is safe for concurrent use.
type Resolver struct {
	root Root
	host string // the root's host directory, cleaned

	mu    sync.RWMutex
	gen   uint64            // bumped by Changed and Forget
	dirs  map[string]string // clean in-root path -> its resolution, an existing directory
	links map[string]bool   // in-root symlinks a remembered resolution went through
}

// Resolver returns a new Resolver of paths inside r, remembering nothing
// yet.
func (r Root) Resolver() *Resolver {
	return &Resolver{root: r, host: filepath.Clean(r.dir()), dirs: map[string]string{}, links: map[string]bool{}}
}

// Join returns what r.Join(rel) returns on the tree as it stands (see
// the type's comment for when remembered answers hold).
func (c *Resolver) Join(rel string) (string, error) {
	slash := filepath.ToSlash(rel)
	if hasDotDot(slash) || strings.IndexByte(slash, 0) >= 0 {
		// ".." is taken after resolving what precedes it: the walk
		// does that, and such paths are rare. A NUL byte is the error
		// the walk's lstat gives.
		return c.root.Join(rel)
	}
	w := walk{c: c, rel: rel}
	res, _, err := w.resolve(path.Clean("/" + slash))
	if err != nil {
		return "", err
	}
	return filepath.Join(c.host, filepath.FromSlash(res)), nil
}

// JoinNoFollow returns what r.JoinNoFollow(rel) returns: Join for
// everything but the last component of rel.
func (c *Resolver) JoinNoFollow(rel string) (string, error) {
	return joinNoFollow(rel, c.Join)
}

// Changed reports that what stands at rel (an in-root path, resolved
// as by JoinNoFollow) was replaced, moved or removed: everything
// remembered is dropped when it may have resolved through rel.
func (c *Resolver) Changed(rel string) {
	d := path.Clean("/" + filepath.ToSlash(rel))
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if _, ok := c.dirs[d]; ok || c.links[d] {
		clear(c.dirs)
		clear(c.links)
	}
}

// Forget drops everything remembered.
func (c *Resolver) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.dirs)
	clear(c.links)
}

// remember records that d resolved to res, an existing directory, when
// nothing changed since generation gen; link says d is a symlink.
func (c *Resolver) remember(gen uint64, d, res string, link bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	c.dirs[d] = res
	if link {
		c.links[d] = true
	}
}

// walk is one Join call: it counts the symlinks followed, as Join does.
type walk struct {
	c     *Resolver
	rel   string
	links int
}

// resolve resolves d, a clean absolute in-root path without "..": it
// returns d's resolution, and whether that is an existing directory
// reached through existing directories and symlinks only (what may be
// remembered). A missing component, and what follows it, is taken
// literally, as Join takes it.
func (w *walk) resolve(d string) (string, bool, error) {
	if d == "/" {
		return "/", true, nil
	}
	c := w.c
	c.mu.RLock()
	res, hit := c.dirs[d]
	gen := c.gen
	c.mu.RUnlock()
	if hit {
		return res, true, nil
	}
	parent, ok, err := w.resolve(path.Dir(d))
	if err != nil {
		return "", false, err
	}
	next := path.Join(parent, path.Base(d))
	if !ok {
		return next, false, nil
	}
	fi, err := os.Lstat(filepath.Join(c.host, filepath.FromSlash(next)))
	switch {
	case err != nil && isNotExist(err):
		return next, false, nil
	case err != nil:
		return "", false, err
	case fi.IsDir():
		c.remember(gen, d, next, false)
		return next, true, nil
	case fi.Mode()&fs.ModeSymlink == 0:
		return next, false, nil // a file: nothing lies below it
	}
	if w.links++; w.links > MaxSymlinks {
		return "", false, &fs.PathError{Op: "join", Path: filepath.Join(c.host, filepath.FromSlash(w.rel)), Err: syscall.ELOOP}
	}
	target, err := os.Readlink(filepath.Join(c.host, filepath.FromSlash(next)))
	if err != nil {
		return "", false, err
	}
	target = filepath.ToSlash(target)
	from := parent
	if path.IsAbs(target) {
		from = "/"
	}
	res, ok, err = w.follow(from, target)
	if err == nil && ok {
		c.remember(gen, d, res, true)
	}
	return res, ok, err
}

// follow resolves target, a symlink's contents, from the resolved
// directory from, component by component as Join does ("." skipped,
// ".." taken on what is resolved so far and stopped at "/").
func (w *walk) follow(from, target string) (string, bool, error) {
	cur, ok := from, true
	for _, part := range strings.Split(target, "/") {
		switch {
		case part == "" || part == ".":
		case part == "..":
			cur = path.Dir(cur)
		case !ok:
			cur = path.Join(cur, part)
		default:
			var err error
			if cur, ok, err = w.resolve(path.Join(cur, part)); err != nil {
				return "", false, err
			}
		}
	}
	return cur, ok, nil
}

// hasDotDot reports whether slash path p has a ".." component.
func hasDotDot(p string) bool {
	for p != "" {
		var part string
		part, p, _ = strings.Cut(p, "/")
		if part == ".." {
			return true
		}
	}
	return false
}
