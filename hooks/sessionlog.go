package hooks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
)

// SessionLogName is the file name of the current session log; older
// generations are SessionLogName.1 (the newest) to SessionLogName.N.
const SessionLogName = "session.log"

// SessionLog is the on-disk transcript of aim's sessions
// (var/log/aim/session.log), rotated like the QNX installer's: the current
// log is session.log, the one before session.log.1, then session.log.2,
// and so on. Writes append; each Write call reaches the file whole, and
// concurrent Writes from several goroutines do not interleave. Hand it to
// NewTranscript (alone, or in an io.MultiWriter with the database's
// transcript).
type SessionLog struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// OpenSessionLog opens dir/session.log for appending, creating dir (0755)
// and the file (0640) as needed. When the existing file is larger than
// maxSize bytes it is rotated first: session.log.(keep-1) becomes
// session.log.keep (the oldest, keep-th generation is dropped), ...,
// session.log becomes session.log.1, and a new session.log is started.
// With keep 0 an oversized log is simply started afresh; maxSize <= 0
// never rotates. Rotation holds an exclusive lock on dir/session.log.lock
// so that two aim processes opening the log at once rotate it only once.
func OpenSessionLog(dir string, maxSize int64, keep int) (*SessionLog, error) {
	if keep < 0 {
		return nil, fmt.Errorf("open session log in %s: negative generation count %d", dir, keep)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open session log: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, SessionLogName+".lock"), os.O_CREATE|os.O_RDWR|syscall.O_CLOEXEC, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open session log lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("lock session log in %s: %w", dir, err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	p := filepath.Join(dir, SessionLogName)
	if fi, err := os.Stat(p); err == nil && maxSize > 0 && fi.Size() > maxSize {
		if err := rotate(p, keep); err != nil {
			return nil, err
		}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open session log: %w", err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open session log: %w", err)
	}
	return &SessionLog{f: f, path: p}, nil
}

// rotate shifts p.(keep-1) .. p.1 and p up by one generation.
func rotate(p string, keep int) error {
	if keep == 0 {
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("rotate session log: %w", err)
		}
		return nil
	}
	gen := func(i int) string { return p + "." + strconv.Itoa(i) }
	if err := os.Remove(gen(keep)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("rotate session log: %w", err)
	}
	for i := keep - 1; i >= 1; i-- {
		if err := os.Rename(gen(i), gen(i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("rotate session log: %w", err)
		}
	}
	if err := os.Rename(p, gen(1)); err != nil {
		return fmt.Errorf("rotate session log: %w", err)
	}
	return nil
}

// Write appends p to the log as one write.
func (l *SessionLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, fmt.Errorf("write %s: %w", l.path, fs.ErrClosed)
	}
	n, err := l.f.Write(p)
	if err != nil {
		return n, fmt.Errorf("write session log: %w", err)
	}
	return n, nil
}

// Path returns the log file's path.
func (l *SessionLog) Path() string { return l.path }

// Sync flushes the log to stable storage.
func (l *SessionLog) Sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fs.ErrClosed
	}
	return l.f.Sync()
}

// Close closes the log; later Writes fail. Closing twice is not an error.
func (l *SessionLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
