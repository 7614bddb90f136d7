package install

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"aim/db"
	"aim/hooks"
)

// lockChild, when set, makes the test binary take dpkg's front-end lock
// at the path it names, print "locked" and hold it until stdin closes.
const lockChild = "AIM_TEST_HOLD_LOCK"

func holdLock(p string) int {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return 2
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLKW, &lk); err != nil {
		return 3
	}
	os.Stdout.WriteString("locked\n")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

func TestDpkgLockHeldElsewhere(t *testing.T) {
	f := newFixture(t)
	lock := filepath.Join(f.root, DpkgFrontendLock)
	os.MkdirAll(filepath.Dir(lock), 0o755)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockChild+"="+lock)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("lock holder said %q", line)
	}
	_, err := f.run(false, f.install(spec{name: "a", version: "1", files: map[string]string{"/opt/a": "a"}}))
	if err == nil || !strings.Contains(err.Error(), "is held by process") || !strings.Contains(err.Error(), "lock-frontend") {
		t.Fatalf("err = %v, want a message naming the lock and its holder", err)
	}
	if exists(filepath.Join(f.root, "opt/a")) {
		t.Error("installed while dpkg's lock was held")
	}
	in.Close()
	cmd.Wait()
	f.mustRun(f.install(spec{name: "a", version: "1", files: map[string]string{"/opt/a": "a"}}))
}

// busyboxRoot puts a statically linked busybox into root as /bin/sh with
// the applets the test scripts use; it skips the test when it cannot.
func busyboxRoot(t *testing.T, root string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("chrooted scripts need root")
	}
	data, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skip("no /bin/busybox (install busybox-static)")
	}
	bin := filepath.Join(root, "bin")
	os.MkdirAll(bin, 0o755)
	if err := os.WriteFile(filepath.Join(bin, "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "cat", "tty", "pwd", "ls"} {
		if err := os.Link(filepath.Join(bin, "busybox"), filepath.Join(bin, applet)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestScriptsChrooted(t *testing.T) {
	f := newFixture(t)
	busyboxRoot(t, f.root)
	f.e.Scripts, _ = hooks.NewRunner(f.root, false)
	if !f.e.Scripts.Chroot {
		t.Fatal("runner not chrooted as root")
	}
	body := `{ echo "root=[$DPKG_ROOT] $1"; ls /bin/busybox; tty; cat; echo "stdin done"; } > /proof 2>&1` + "\n"
	s := spec{name: "c", version: "1", files: map[string]string{"/opt/c": "c"}, scripts: map[string]string{"postinst": body}}
	f.mustRun(f.install(s))
	got := f.read("proof")
	for _, want := range []string{"root=[] configure", "/bin/busybox", "not a tty", "stdin done"} {
		if !strings.Contains(got, want) {
			t.Errorf("chrooted postinst wrote %q, want %q in it", got, want)
		}
	}
	if exists("/proof") {
		t.Error("the script wrote outside the root")
	}
	f.checkConsistent()
}

func TestScriptsRefusedWithoutShell(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chrooted scripts need root")
	}
	f := newFixture(t)
	f.e.Scripts, _ = hooks.NewRunner(f.root, false)
	before := f.snapshot()
	s := spec{name: "c", version: "1", files: map[string]string{"/opt/c": "c"}, scripts: map[string]string{"postinst": "exit 0\n"}}
	_, err := f.run(false, f.install(s))
	if err == nil || !strings.Contains(err.Error(), "/bin/sh") {
		t.Fatalf("err = %v, want a refusal naming /bin/sh", err)
	}
	if got := f.snapshot(); got != before {
		t.Errorf("root changed:\n%s", got)
	}
}

// tmpfsFixture is a fixture whose root is a 2 MiB tmpfs; it skips the
// test where mounting is not allowed.
func tmpfsFixture(t *testing.T) *fixture {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	os.MkdirAll(root, 0o755)
	if err := syscall.Mount("tmpfs", root, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(root, syscall.MNT_DETACH) })
	f := &fixture{t: t, root: root, dir: filepath.Join(filepath.Dir(root), "debs"), log: filepath.Join(filepath.Dir(root), "scripts.log")}
	os.MkdirAll(f.dir, 0o755)
	d, err := db.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	f.d = d
	if f.e, err = New(root, d); err != nil {
		t.Fatal(err)
	}
	f.e.Scripts, _ = hooks.NewRunner(root, true)
	return f
}

func TestFullDisk(t *testing.T) {
	f := tmpfsFixture(t)
	f.mustRun(f.install(spec{name: "small", version: "1", files: map[string]string{"/opt/small": "s"}}))
	before := f.snapshot()
	big := map[string]string{"/opt/big/a": strings.Repeat("a", 1<<20), "/opt/big/b": strings.Repeat("b", 1<<20),
		"/opt/big/c": strings.Repeat("c", 1<<20)}

	// Honest Installed-Size: refused before anything changes.
	_, err := f.run(false, f.install(spec{name: "big", version: "1", files: big, fields: "Installed-Size: 3072\n"}))
	var se *SpaceError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "more needed") {
		t.Fatalf("err = %v, want a space error", err)
	}
	// A package that understates its size fills the disk while
	// unpacking: everything is rolled back and the error says how much
	// space was missing.
	_, err = f.run(false, f.install(spec{name: "big", version: "2", files: big, fields: "Installed-Size: 1\n"}))
	if !errors.Is(err, syscall.ENOSPC) || !errors.As(err, &se) || !strings.Contains(err.Error(), "more needed") {
		t.Fatalf("err = %v, want ENOSPC explained as a space error", err)
	}
	if got := f.snapshot(); got != before {
		t.Errorf("root after a full disk:\n%s\nwant:\n%s", got, before)
	}
	if _, err := f.d.Installed("big", ""); err == nil {
		t.Error("big recorded as installed")
	}
	f.checkConsistent()
	f.mustRun(Change{Action: Remove, Name: "small"}) // still writable
}
