package rootfs

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// MaxSymlinks bounds the symlinks Join follows for one path; more is
// reported as ELOOP.
const MaxSymlinks = 255

// Join returns the host path of rel, a path inside r, with every symlink
// on the way resolved as if r were "/": an absolute target is read
// relative to r and ".." stops at r, so the result never leaves r. A
// missing component, and what follows it, is taken literally. rel may be
// absolute ("/usr/lib") or relative ("usr/lib"); both mean the same.
//
// The result is only as good as the tree it was computed on: a symlink
// created later on the way is not seen.
func (r Root) Join(rel string) (string, error) {
	root := filepath.Clean(r.dir())
	cur := "/" // resolved so far, inside root, free of symlinks
	rest := filepath.ToSlash(rel)
	links := 0
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, "/")
		next := path.Join(cur, part) // "." and ".." are lexical here, and clamped at "/"
		if next == cur || next == "/" {
			cur = next
			continue
		}
		host := filepath.Join(root, filepath.FromSlash(next))
		fi, err := os.Lstat(host)
		if err != nil && !isNotExist(err) {
			return "", err
		}
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > MaxSymlinks {
			return "", &fs.PathError{Op: "join", Path: filepath.Join(root, filepath.FromSlash(rel)), Err: syscall.ELOOP}
		}
		target, err := os.Readlink(host)
		if err != nil {
			return "", err
		}
		target = filepath.ToSlash(target)
		if path.IsAbs(target) {
			cur = "/"
		}
		rest = target + "/" + rest
	}
	return filepath.Join(root, filepath.FromSlash(cur)), nil
}

// JoinNoFollow is Join for everything but the last component of rel,
// which is not resolved (as lstat does not follow it): the host path of
// an entry to create, replace or remove in place, even when it is a
// symlink. A last component of "." or ".." is resolved like the rest.
func (r Root) JoinNoFollow(rel string) (string, error) {
	return joinNoFollow(rel, r.Join)
}

// joinNoFollow is JoinNoFollow with join resolving the parent.
func joinNoFollow(rel string, join func(string) (string, error)) (string, error) {
	rel = strings.TrimRight(filepath.ToSlash(rel), "/")
	base := path.Base(rel)
	if base == "." || base == ".." || base == "/" {
		return join(rel)
	}
	dir, err := join(path.Dir(rel))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, base), nil
}

// isNotExist reports whether err says a component is missing (or is not
// a directory, so nothing below it exists).
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ENOENT)
}
