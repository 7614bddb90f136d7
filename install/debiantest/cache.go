package debiantest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// CacheEnv names the environment variable that overrides the cache directory.
const CacheEnv = "AIM_DEBIAN_CACHE"

// CacheDir returns the directory shared by all test runs for downloaded
// archives and the minbase tarball, creating it when missing.
func CacheDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(CacheEnv)
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			t.Skipf("debiantest: no cache directory (%v); set %s", err, CacheEnv)
		}
		dir = filepath.Join(base, "aim-debian")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("debiantest: cache directory: %v", err)
	}
	return dir
}

// processLock serialises the goroutines of one test binary; the flock
// serialises test binaries that run at the same time.
var processLock sync.Mutex

// lockCache takes the cache's exclusive lock and returns its release.
func lockCache(t testing.TB, dir string) func() {
	t.Helper()
	processLock.Lock()
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		processLock.Unlock()
		t.Fatalf("debiantest: cache lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		processLock.Unlock()
		t.Fatalf("debiantest: cache lock: %v", err)
	}
	return func() {
		f.Close() // closing drops the flock
		processLock.Unlock()
	}
}

// needRoot skips the test unless it runs as root, which chroot, debootstrap
// and owner-preserving extraction need.
func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("debiantest: needs root (chroot, debootstrap)")
	}
}

// needTool skips the test when the program is not on PATH.
func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("debiantest: %s not installed", name)
	}
}

// run runs a command and returns its combined output, with the command
// line in the error.
func run(dir string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %v: %w", name, args, err)
	}
	return out, nil
}
