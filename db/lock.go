package db

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"aim/deb/rootfs"
)

// ErrLocked is wrapped by a *LockedError: another process holds the writer
// lock.
var ErrLocked = errors.New("writer lock held by another process")

// LockedError reports that the writer lock of a root is held by another
// process. It wraps ErrLocked.
type LockedError struct {
	Path   string
	PID    int           // the holder's process id; 0 when unknown
	Waited time.Duration // how long AcquireLock waited
}

func (e *LockedError) Error() string {
	who := "another aim process"
	switch {
	case e.PID == os.Getpid():
		who = "this process (through another handle)"
	case e.PID > 0:
		who = fmt.Sprintf("another aim process (pid %d)", e.PID)
	}
	msg := fmt.Sprintf("%s holds the lock %s", who, e.Path)
	if e.Waited > 0 {
		msg += fmt.Sprintf(" (waited %s)", e.Waited.Round(time.Millisecond))
	}
	return msg
}

// Unwrap returns ErrLocked.
func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock is the exclusive writer lock of a root: an flock on
// var/lib/aim/lock that holds the holder's pid. The kernel releases it
// when the holder exits or dies, so a crashed process never leaves it
// held; child processes do not inherit it (the descriptor is close-on-exec).
type Lock struct {
	f    *os.File
	path string
}

// AcquireLock takes the writer lock of root, creating var/lib/aim when
// needed. With wait 0 it fails at once when another process holds the
// lock; otherwise it retries until wait has passed. The failure is a
// *LockedError naming the holder's pid.
func AcquireLock(root string, wait time.Duration) (*Lock, error) {
	path := rootfs.Root(root).Path(LockPath)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lockWithin(f, wait); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, &LockedError{Path: path, PID: readPID(path), Waited: wait}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	l := &Lock{f: f, path: path}
	l.writePID()
	return l, nil
}

// lockWithin tries to lock f until wait has passed, polling with a
// growing interval.
func lockWithin(f *os.File, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	pause := 10 * time.Millisecond
	for {
		err := tryLock(f)
		if !errors.Is(err, errWouldBlock) || !time.Now().Before(deadline) {
			return err
		}
		time.Sleep(min(pause, time.Until(deadline)))
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// writePID records the holder for the message others get. It is advice
// only, so failures are ignored: the flock is what excludes.
func (l *Lock) writePID() {
	if l.f.Truncate(0) == nil {
		l.f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
}

func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Release gives the lock up. It is safe to call on a nil Lock and more
// than once.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := errors.Join(unlock(l.f), l.f.Close())
	l.f = nil
	if err != nil {
		return fmt.Errorf("unlock %s: %w", l.path, err)
	}
	return nil
}

// Lock takes the writer lock of d's root (see AcquireLock) and keeps it
// until Close. Taking it again while held is a no-op. It removes the
// nothing-installed mark (EmptyMarkPath) and the installed-names index
// (InstalledNamesPath) durably before it returns.
func (d *DB) Lock(wait time.Duration) error {
	if d.readOnly {
		return ErrReadOnly
	}
	if d.lock != nil {
		return nil
	}
	l, err := AcquireLock(d.root, wait)
	if err != nil {
		return err
	}
	// Nothing is written under the lock before the marks are gone for good.
	if err := removeMarks(d.root); err != nil {
		l.Release()
		return err
	}
	d.lock = l
	return nil
}
