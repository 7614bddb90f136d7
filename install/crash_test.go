package install

import (
	"context"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"aim/db"
	"aim/hooks"
)

// crashChild, when set, makes the test binary run one transaction
// described by the environment and exit; the parent kills it.
const crashChild = "AIM_TEST_CRASH_ROOT"

// crashKillAt, when set in a crash child, names the fault point (e.g.
// "preinst p1") at which it kills itself with SIGKILL.
const crashKillAt = "AIM_TEST_CRASH_KILL_AT"

func TestMain(m *testing.M) {
	if root := os.Getenv(crashChild); root != "" {
		os.Exit(runCrashChild(root))
	}
	if p := os.Getenv(lockChild); p != "" {
		os.Exit(holdLock(p))
	}
	if p := os.Getenv(installChild); p != "" {
		os.Exit(runInstallChild(p))
	}
	if p := os.Getenv(realKillChild); p != "" {
		os.Exit(runRealKillChild(p))
	}
	// The tests run scripts as aim does for a user who has not chosen a
	// debconf frontend (see TestRealDebconfOwnsAndPurges).
	os.Unsetenv("DEBIAN_FRONTEND")
	os.Exit(m.Run())
}

// crashRecover, when set in a crash child, makes it only recover.
const crashRecover = "AIM_TEST_CRASH_RECOVER"

// runCrashChild upgrades or installs the archives in ROOT/../debs, or
// recovers.
func runCrashChild(root string) int {
	d, err := db.Open(root)
	if err != nil {
		return 2
	}
	if os.Getenv(crashRecover) != "" {
		if _, err := Recover(root, d); err != nil {
			return 1
		}
		return 0
	}
	e, _ := New(root, d)
	e.Scripts, _ = hooks.NewRunner(root, true)
	if at := os.Getenv(crashKillAt); at != "" {
		e.fault = func(point string) error {
			if point == at {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
			return nil
		}
	}
	var changes []Change
	gen := os.Getenv("AIM_TEST_CRASH_GEN")
	for i := 0; i < 8; i++ {
		name := "p" + strconv.Itoa(i)
		changes = append(changes, Change{Action: Install, Name: name, Version: gen,
			Path: filepath.Join(root, "..", "debs", name+"_"+gen+".deb")})
	}
	if _, err := e.Run(context.Background(), NewTask("install", "", nil), &Transaction{Changes: changes}); err != nil {
		return 1
	}
	return 0
}

func TestCrashRecovery(t *testing.T) {
	f := newFixture(t)
	for _, gen := range []string{"1", "2"} {
		for i := 0; i < 8; i++ {
			files := map[string]string{}
			for j := 0; j < 20; j++ {
				files["/usr/share/p"+strconv.Itoa(i)+"/f"+strconv.Itoa(j)] = gen + "-" + strconv.Itoa(j)
			}
			files["/usr/share/p"+strconv.Itoa(i)+"/only"+gen] = gen
			s := f.scripted("p"+strconv.Itoa(i), gen, files)
			f.build(s)
		}
	}
	trials := 12
	if n, err := strconv.Atoi(os.Getenv("AIM_CRASH_TRIALS")); err == nil {
		trials = n
	}
	// AIM_CRASH_DOUBLE=1 also kills the recovery, in a child of its own,
	// 0-250 ms in, before the test recovers for good.
	double := os.Getenv("AIM_CRASH_DOUBLE") != ""
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	child := func(gen string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChild+"="+f.root, "AIM_TEST_CRASH_GEN="+gen)
		return cmd
	}
	// Time one whole transaction, so that kills land anywhere inside one
	// whatever the speed of the machine.
	start := time.Now()
	if err := child("1").Run(); err != nil {
		t.Fatalf("uninterrupted transaction: %v", err)
	}
	span := time.Since(start)
	interrupted, killedRecoveries := 0, 0
	for i := 0; i < trials; i++ {
		cmd := child(strconv.Itoa(2 - i%2))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int63n(int64(span) + 1)))
		cmd.Process.Kill()
		cmd.Wait()
		if double {
			rec := child("")
			rec.Env = append(rec.Env, crashRecover+"=1")
			if err := rec.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(rng.Int63n(int64(250*time.Millisecond) + 1)))
			rec.Process.Kill()
			rec.Wait()
			if ws, ok := rec.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				killedRecoveries++
			}
		}
		r, err := Recover(f.root, f.d)
		if err != nil {
			t.Fatalf("trial %d: recover: %v", i, err)
		}
		if len(r.RolledBack)+len(r.RolledForward) > 0 {
			interrupted++
		}
		f.checkConsistent()
		f.checkNoLeftovers()
	}
	t.Logf("%d kills within a %v transaction, %d of them interrupted it and were recovered", trials, span.Round(time.Millisecond), interrupted)
	if double {
		t.Logf("double crash: %d of %d recoveries were killed before they exited", killedRecoveries, trials)
	}
	if trials >= 10 && interrupted < trials/5 {
		t.Errorf("only %d of %d kills interrupted a transaction: the test is not exercising recovery", interrupted, trials)
	}
}

// checkNoLeftovers fails when staging or backup files remain.
func (f *fixture) checkNoLeftovers() {
	f.t.Helper()
	filepath.Walk(filepath.Join(f.root, "usr"), func(p string, _ os.FileInfo, err error) error {
		if err == nil && (filepath.Ext(p) == tmpSuffix || filepath.Ext(p) == oldSuffix) {
			f.t.Errorf("left over: %s", p)
		}
		return nil
	})
}
