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
	os.Exit(m.Run())
}

// runCrashChild upgrades or installs the archives in ROOT/../debs.
func runCrashChild(root string) int {
	d, err := db.Open(root)
	if err != nil {
		return 2
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
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for i := 0; i < trials; i++ {
		gen := strconv.Itoa(1 + i%2)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChild+"="+f.root, "AIM_TEST_CRASH_GEN="+gen)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Intn(120)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := Recover(f.root, f.d); err != nil {
			t.Fatalf("trial %d: recover: %v", i, err)
		}
		f.checkConsistent()
		f.checkNoLeftovers()
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
