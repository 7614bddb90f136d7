package unpack

import (
	"bytes"
	"os"
	"strconv"
	"syscall"

	"aim/deb/rootfs"
)

// owner is a user and group id.
type owner struct{ uid, gid int }

// readUmask returns the process's file mode creation mask as the kernel
// reports it in /proc/self/status (Linux 4.7 and later), or -1 when it
// cannot be read. Reading it there leaves it alone: umask(2) would have
// to set it, for every thread, to learn it.
func readUmask() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	_, rest, ok := bytes.Cut(b, []byte("\nUmask:"))
	if !ok {
		return -1
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	m, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 8, 32)
	if err != nil || m > 0o777 {
		return -1
	}
	return int(m)
}

// createMode returns the permissions to create a file of mode with
// (chmod(2) bits), and whether the file then has mode already: so it is
// when mode has no set-id or sticky bit and the creation mask takes
// nothing from it. Otherwise the file is made 0600, readable by its
// owner only until the chmod that follows the chown (which clears set-id
// bits) gives it mode.
func (x *extractor) createMode(mode uint32) (uint32, bool) {
	if x.umask < 0 || mode&^0o777 != 0 || mode&uint32(x.umask) != 0 {
		return 0o600, false
	}
	return mode, true
}

// needChown reports whether a file of e, just created in x.parent,
// needs a chown to get e's owner: not when e's owner is the process's
// effective ids and the parent's group is the effective group, since a
// new file is the creator's and gets either the creator's group or the
// directory's (a set-group-ID directory, or a file system mounted
// grpid).
func (x *extractor) needChown(e *Entry) bool {
	if !x.opts.Chown {
		return false
	}
	return e.UID != x.own.uid || e.GID != x.own.gid || x.parent.gid != x.own.gid
}

// setFileAttrs gives f, a file just created with createMode's answer
// for e's mode (exact when it had the mode already), e's owner and mode.
func (x *extractor) setFileAttrs(f rootfs.RawFile, e *Entry, exact bool) error {
	if x.needChown(e) {
		if err := f.Chown(e.UID, e.GID); err != nil {
			return err
		}
	}
	if exact {
		return nil
	}
	return f.Chmod(unixMode(e.Mode))
}

// hasAttrs reports whether fi, an existing directory's, has the mode e
// gives it and, when ownership is restored, e's owner: setDirAttrs
// would change nothing.
func (x *extractor) hasAttrs(fi os.FileInfo, e *Entry) bool {
	if unixMode(fi.Mode()) != unixMode(e.Mode) {
		return false
	}
	if !x.opts.Chown {
		return true
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == e.UID && int(st.Gid) == e.GID
}
