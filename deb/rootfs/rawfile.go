package rootfs

import (
	"errors"
	"io"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// RawFile is a file descriptor used with plain system calls, for code
// that makes or reads thousands of files (staging a package's files, a
// repository's pool). An *os.File costs calls of its own on every file:
// os.NewFile asks the descriptor's flags (fcntl) and sets a finalizer,
// and os.OpenFile also tries the runtime's poller (an epoll_ctl, and
// three more fcntl calls for a directory). A RawFile must be closed
// with Close; nothing closes it for the caller.
type RawFile struct {
	fd   int
	name string
}

// OpenRaw opens name with flags (O_CLOEXEC is added) and, when it
// creates the file, perm; it retries when interrupted.
func OpenRaw(name string, flags int, perm uint32) (RawFile, error) {
	for {
		fd, err := unix.Open(name, flags|unix.O_CLOEXEC, perm)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return RawFile{fd: -1}, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return RawFile{fd: fd, name: name}, nil
	}
}

// Name is the path the file was opened with.
func (f RawFile) Name() string { return f.name }

// Read reads into p; it returns io.EOF at the end of the file.
func (f RawFile) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(f.fd, p)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return 0, f.err("read", err)
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes all of p.
func (f RawFile) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := unix.Write(f.fd, p[done:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return done, f.err("write", err)
		}
		done += n
	}
	return done, nil
}

// Stat is the file's status.
func (f RawFile) Stat() (unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return st, f.err("stat", err)
	}
	return st, nil
}

// SeekStart moves the file offset back to the start.
func (f RawFile) SeekStart() error {
	if _, err := unix.Seek(f.fd, 0, io.SeekStart); err != nil {
		return f.err("seek", err)
	}
	return nil
}

// Chown sets the owner.
func (f RawFile) Chown(uid, gid int) error {
	if err := unix.Fchown(f.fd, uid, gid); err != nil {
		return f.err("chown", err)
	}
	return nil
}

// Chmod sets the mode bits (permissions, set-id, sticky) of mode.
func (f RawFile) Chmod(mode uint32) error {
	if err := unix.Fchmod(f.fd, mode); err != nil {
		return f.err("chmod", err)
	}
	return nil
}

// SetTimes sets the access and modification times to t (utimensat on
// the descriptor: no path lookup).
func (f RawFile) SetTimes(t time.Time) error {
	ts := [2]unix.Timespec{unix.NsecToTimespec(t.UnixNano()), unix.NsecToTimespec(t.UnixNano())}
	// A NULL path: utimensat then works on the descriptor itself.
	_, _, errno := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(f.fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if errno != 0 {
		return f.err("utimensat", errno)
	}
	return nil
}

// Close closes the descriptor.
func (f RawFile) Close() error {
	if err := unix.Close(f.fd); err != nil {
		return f.err("close", err)
	}
	return nil
}

func (f RawFile) err(op string, err error) error {
	return &os.PathError{Op: op, Path: f.name, Err: err}
}
