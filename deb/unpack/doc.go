// Package unpack writes the entries of a tar stream (a package's
// data.tar) below a root directory and never outside it.
//
// Every entry is checked with deb.EntryChecker first. Parent directories
// are resolved inside the root with rootfs.Root.Join, the same code that
// resolves aim's own paths: a symlink met on the way is followed as if the root were "/",
// so an absolute target such as "/usr/lib" means root+"/usr/lib" (merged
// /usr systems work) and ".." never climbs above the root. The last
// component of an entry is never followed: an existing file or symlink
// there is replaced, except that a directory entry keeps an existing
// symlink that resolves (inside the root) to a directory, as dpkg does.
//
// Files get the mode bits and mtimes of their headers, as dpkg-deb -x
// does; ownership only when asked. The package writes files and nothing
// else: it does not print, and it reports what it wrote as []Entry.
package unpack
