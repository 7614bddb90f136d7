package install

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// DpkgFrontendLock is dpkg's front-end lock, relative to the root.
const DpkgFrontendLock = "var/lib/dpkg/lock-frontend"

// lockDpkg takes dpkg's front-end lock (an fcntl write lock, as apt and
// dpkg take it) when the root has a dpkg database, so that apt and dpkg
// wait for aim. The returned function releases it.
func lockDpkg(root string) (func(), error) {
	if !isDir(filepath.Join(root, "var/lib/dpkg")) {
		return func() {}, nil
	}
	p := filepath.Join(root, DpkgFrontendLock)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		who := "another process"
		held := syscall.Flock_t{Type: syscall.F_WRLCK}
		if syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &held) == nil && held.Type != syscall.F_UNLCK && held.Pid > 0 {
			who = fmt.Sprintf("process %d", held.Pid)
		}
		f.Close()
		return nil, fmt.Errorf("dpkg's lock %s is held by %s (apt or dpkg running?); nothing was changed: %w", p, who, err)
	}
	return func() { f.Close() }, nil
}
