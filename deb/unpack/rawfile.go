package unpack

import (
	"io/fs"
	"os"
	"syscall"
)

// rawFile is a file the extractor made, written and given its owner and
// mode through its descriptor alone. An *os.File costs system calls of
// its own on every file: os.NewFile asks the descriptor's flags
// (fcntl), os.OpenFile of a directory also tries the poller (an
// epoll_ctl and three more fcntl calls), and each sets a finalizer.
// Staging makes thousands of files and directories per install.
type rawFile struct {
	fd   int
	path string
}

// openRaw opens path with flags and perm, retrying on EINTR.
func openRaw(path string, flags int, perm uint32) (rawFile, error) {
	for {
		fd, err := syscall.Open(path, flags|syscall.O_CLOEXEC, perm)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return rawFile{fd: -1}, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return rawFile{fd: fd, path: path}, nil
	}
}

// Write writes all of b.
func (f rawFile) Write(b []byte) (int, error) {
	done := 0
	for done < len(b) {
		n, err := syscall.Write(f.fd, b[done:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return done, &fs.PathError{Op: "write", Path: f.path, Err: err}
		}
		done += n
	}
	return done, nil
}

// chown sets the owner.
func (f rawFile) chown(uid, gid int) error {
	if err := syscall.Fchown(f.fd, uid, gid); err != nil {
		return &fs.PathError{Op: "chown", Path: f.path, Err: err}
	}
	return nil
}

// chmod sets the permission, set-id and sticky bits of m.
func (f rawFile) chmod(m fs.FileMode) error {
	mode := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= syscall.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		mode |= syscall.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		mode |= syscall.S_ISVTX
	}
	if err := syscall.Fchmod(f.fd, mode); err != nil {
		return &fs.PathError{Op: "chmod", Path: f.path, Err: err}
	}
	return nil
}

// close closes the descriptor.
func (f rawFile) close() error {
	if err := syscall.Close(f.fd); err != nil {
		return &os.PathError{Op: "close", Path: f.path, Err: err}
	}
	return nil
}
