package install

import (
	"path"
	"path/filepath"
	"strings"

	"aim/deb/rootfs"
)

// dirCache resolves in-root paths like hostPath, remembering the host
// directory each parent resolved to: hostPath walks every component with
// lstat, for every file of a package. Its answers hold while nothing
// that a path resolves through changes: the caller drops it (forget)
// when it puts a symlink in place, and never keeps it across a
// maintainer script.
type dirCache struct {
	root string
	dirs map[string]string
}

func newDirCache(root string) *dirCache {
	return &dirCache{root: root, dirs: map[string]string{}}
}

// hostPath returns what hostPath(root, p) returns.
func (c *dirCache) hostPath(p string) (string, error) {
	p = strings.TrimRight(p, "/")
	dir, base := path.Split(p)
	if base == "" || base == "." || base == ".." {
		return hostPath(c.root, p)
	}
	host, ok := c.dirs[dir]
	if !ok {
		var err error
		if host, err = rootfs.Root(c.root).Join(dir); err != nil {
			return "", err
		}
		c.dirs[dir] = host
	}
	return filepath.Join(host, base), nil
}

// forget drops every directory remembered.
func (c *dirCache) forget() { clear(c.dirs) }
