// Package rootfs knows aim's files under a root directory ("/" on a
// running system, an image being built with --root): where the sources,
// keys, settings, database, caches and logs live (Root and the layout
// constants), how to resolve a root-relative path without leaving the
// root (Root.Join, Root.JoinNoFollow), and how to replace a file
// atomically (WriteFile, WriteFileFunc, CreateAtomic).
//
// Every path aim keeps under a root is spelled here and nowhere else.
// Unpacking packages (deb/unpack) and aim's own paths resolve through the
// same Join, so a symlink with an absolute target means the same thing to
// both: the target is read relative to the root, as in a chroot, which
// keeps merged-/usr systems working, and neither ".." nor a symlink can
// climb above the root. (Go's os.Root refuses absolute symlinks, so it
// does not fit.)
//
// It imports only the standard library, reads and writes only the paths
// it is given, and never prints.
package rootfs
