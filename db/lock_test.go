package db

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// lockChildEnv names the environment variable that turns the test binary
// into a process that takes the lock of the root it names and waits.
const lockChildEnv = "AIM_DB_TEST_LOCK_CHILD"

func TestMain(m *testing.M) {
	if root := os.Getenv(lockChildEnv); root != "" {
		lockChild(root)
		return
	}
	if root := os.Getenv(installChildEnv); root != "" {
		installChild(root)
		return
	}
	os.Exit(m.Run())
}

func lockChild(root string) {
	if _, err := AcquireLock(root, 0); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
	os.Exit(0)
}

// startLockHolder runs a child process that holds root's lock.
func startLockHolder(t *testing.T, root string) *exec.Cmd {
	t.Helper()
	return startChild(t, lockChildEnv, root, "locked")
}

// startChild runs this test binary as a child with env set to root and
// waits for the line it prints once it did its part (want); the child
// is killed at the end of the test.
func startChild(t *testing.T, env, root, want string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != want+"\n" {
		t.Fatalf("child: %q, want %q", line, want)
	}
	return cmd
}

func TestLockHeldByAnotherProcess(t *testing.T) {
	root := t.TempDir()
	child := startLockHolder(t, root)
	_, err := AcquireLock(root, 0)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("AcquireLock while a child holds it: %v, want a *LockedError", err)
	}
	want := fmt.Sprintf("another aim process (pid %d) holds the lock", child.Process.Pid)
	if le.PID != child.Process.Pid || !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to say %q", err, want)
	}
	start := time.Now()
	_, err = AcquireLock(root, 150*time.Millisecond)
	if !errors.Is(err, ErrLocked) || time.Since(start) < 150*time.Millisecond {
		t.Errorf("AcquireLock with a timeout: %v after %v", err, time.Since(start))
	}

	// kill -9: the kernel releases the flock, nothing is left held.
	child.Process.Kill()
	child.Wait()
	l, err := AcquireLock(root, 0)
	if err != nil {
		t.Fatalf("AcquireLock after the holder was killed: %v", err)
	}
	l.Release()
}

func TestLockWaitsForHolderToDie(t *testing.T) {
	root := t.TempDir()
	child := startLockHolder(t, root)
	go func() {
		time.Sleep(100 * time.Millisecond)
		child.Process.Kill()
	}()
	l, err := AcquireLock(root, 10*time.Second)
	if err != nil {
		t.Fatalf("AcquireLock waiting for a dying holder: %v", err)
	}
	defer l.Release()
	if pid := readPID(l.Path()); pid != os.Getpid() {
		t.Errorf("lock file names pid %d, want %d", pid, os.Getpid())
	}
}

func TestLockInProcess(t *testing.T) {
	root := t.TempDir()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Lock(0); err != nil {
		t.Fatal(err)
	}
	if err := d.Lock(0); err != nil {
		t.Errorf("second Lock on the same DB: %v", err)
	}
	_, err = AcquireLock(root, 0)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "this process") {
		t.Errorf("AcquireLock while this process holds it: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := AcquireLock(root, 0)
	if err != nil {
		t.Fatalf("lock not released by Close: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Error(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	var nilLock *Lock
	if err := nilLock.Release(); err != nil {
		t.Errorf("Release of nil: %v", err)
	}
}
