package debiantest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Suite is the Debian release the helpers fetch from and bootstrap.
const Suite = "bookworm"

// tarball is the cached minbase root, relative to the cache directory.
const tarball = "minbase-" + Suite + ".tar"

// MinbaseRoot returns a fresh copy of a debootstrap --variant=minbase root
// of Suite in a directory of the test's own, which the test may change at
// will. The root is bootstrapped once, from the mirror the machine's apt
// configuration names, and kept as a tarball in the cache; debootstrap is
// installed with apt-get when missing. The test is skipped when the root
// cannot be built.
func MinbaseRoot(t testing.TB) string {
	t.Helper()
	needRoot(t)
	needTool(t, "tar")
	tb := ensureTarball(t)
	dir := t.TempDir()
	start := time.Now()
	if out, err := run("", "tar", "-xf", tb, "-C", dir, "--numeric-owner"); err != nil {
		t.Fatalf("debiantest: extracting the minbase root: %v\n%s", err, out)
	}
	t.Logf("debiantest: minbase root extracted in %v", time.Since(start).Round(time.Millisecond))
	return dir
}

// ensureTarball returns the cached minbase tarball, building it first when
// it is missing.
func ensureTarball(t testing.TB) string {
	t.Helper()
	cache := CacheDir(t)
	tb := filepath.Join(cache, tarball)
	unlock := lockCache(t, cache)
	defer unlock()
	if _, err := os.Stat(tb); err == nil {
		return tb
	}
	ensureDebootstrap(t)
	mirror, err := Mirror()
	if err != nil {
		t.Skipf("debiantest: cannot build the minbase root: %v", err)
	}
	build, err := os.MkdirTemp(cache, ".minbase-")
	if err != nil {
		t.Fatalf("debiantest: %v", err)
	}
	defer os.RemoveAll(build)
	debs := filepath.Join(cache, "debootstrap-debs")
	if err := os.MkdirAll(debs, 0o755); err != nil {
		t.Fatalf("debiantest: %v", err)
	}
	start := time.Now()
	root := filepath.Join(build, "root")
	if out, err := run("", "debootstrap", "--variant=minbase", "--cache-dir="+debs, Suite, root, mirror); err != nil {
		t.Skipf("debiantest: cannot build the minbase root: %v\n%s", err, tail(out))
	}
	if out, err := run("", "tar", "-cf", filepath.Join(build, tarball), "-C", root, "--numeric-owner", "."); err != nil {
		t.Fatalf("debiantest: archiving the minbase root: %v\n%s", err, out)
	}
	if err := os.Rename(filepath.Join(build, tarball), tb); err != nil {
		t.Fatalf("debiantest: %v", err)
	}
	t.Logf("debiantest: minbase root bootstrapped from %s in %v", mirror, time.Since(start).Round(time.Second))
	return tb
}

// ensureDebootstrap installs debootstrap when it is missing, and skips the
// test when that fails.
func ensureDebootstrap(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("debootstrap"); err == nil {
		return
	}
	if out, err := run("", "apt-get", "install", "-y", "-qq", "--no-install-recommends", "debootstrap"); err != nil {
		t.Skipf("debiantest: debootstrap is missing and cannot be installed: %v\n%s", err, tail(out))
	}
}

// Mirror returns the mirror the machine's apt configuration uses for Suite
// (the repository URI of its Packages index), as debootstrap wants it.
func Mirror() (string, error) {
	out, err := run("", "apt-get", "indextargets", "--format", "$(REPO_URI) $(CODENAME) $(IDENTIFIER)")
	if err != nil {
		return "", fmt.Errorf("reading apt's index targets: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[1] == Suite && f[2] == "Packages" {
			return f[0], nil
		}
	}
	return "", fmt.Errorf("apt's configuration has no %s Packages index", Suite)
}

// Chroot runs args[0] with the rest of args inside root (chroot ROOT
// PROG ARGS...) with a clean environment and stdin from /dev/null, and
// returns its exit status and its combined output. The test fails when the
// program cannot be started at all.
func Chroot(t testing.TB, root string, args ...string) (int, string) {
	t.Helper()
	needRoot(t)
	if len(args) == 0 {
		t.Fatal("debiantest: Chroot needs a program")
	}
	cmd := exec.Command("chroot", append([]string{root}, args...)...)
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "HOME=/root"}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("debiantest: chroot %s %v: %v", root, args, err)
	return -1, ""
}

// tail returns the last lines of a tool's output, for a skip message.
func tail(out []byte) []byte {
	const max = 2000
	if len(out) > max {
		return out[len(out)-max:]
	}
	return out
}
