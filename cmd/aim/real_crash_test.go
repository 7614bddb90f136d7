package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"aim/deb"
	"aim/install/debiantest"
)

// realCrashPkgs are the real packages the crash test installs and purges
// in one transaction each: programs whose postinst and prerm run
// update-alternatives (nano, less), man-db with its debconf questions,
// its trigger and its libraries, and libraries their programs need.
var realCrashPkgs = []string{"nano", "less", "libncursesw6", "bc", "libreadline8", "readline-common",
	"jq", "libjq1", "libonig5", "hello", "tree", "ed", "man-db", "groff-base", "bsdextrautils",
	"libgdbm6", "libpipeline1", "libuchardet0"}

// realCrashProgs are the commands that must run whenever their package
// is installed.
var realCrashProgs = map[string][]string{
	"nano": {"nano", "--version"}, "less": {"less", "--version"}, "bc": {"bc", "--version"},
	"jq": {"jq", "--version"}, "hello": {"hello", "--version"}, "tree": {"tree", "--version"},
	"ed": {"ed", "--version"}, "man-db": {"man", "--version"},
}

// Kill modes of one trial: the signal, and whether it waits for a
// maintainer script to be running (else a random time into the
// transaction).
var realCrashModes = []struct {
	name     string
	sig      syscall.Signal
	inScript bool
}{
	{"kill -9 during a script", syscall.SIGKILL, true},
	{"SIGINT during a script", syscall.SIGINT, true},
	{"kill -9 at a random time", syscall.SIGKILL, false},
	{"SIGINT at a random time", syscall.SIGINT, false},
}

// realCrash is the state of TestRealCrash.
type realCrash struct {
	t        *testing.T
	root     string
	debs     []string
	files    map[string][]string        // package -> its archive's non-directory paths
	conf     map[string]map[string]bool // package -> its conffiles
	dangling map[string]bool            // dangling links of the untouched root
	problems []string                   // what the current trial found wrong
}

// TestRealCrash interrupts real multi-package transactions in a minbase
// root: even trials install realCrashPkgs, odd ones purge them, each
// killed with kill -9 (aim and its scripts, as a crash) or SIGINT (aim
// alone, as Ctrl-C on a terminal: the scripts run in sessions of their
// own and finish), during a maintainer script (postinst for installs,
// prerm or postrm for purges) or at a random time. After each kill the
// next command (aim configure --pending) must succeed, and then verify
// is clean, nothing is pending, installed packages have every file and
// removed ones none, no staging file or new dangling link is left and
// the installed programs run. The transaction is then finished
// uninterrupted and checked again. AIM_REAL_CRASH_TRIALS sets the number
// of trials (2 by default; bench/crash.sh runs 100).
func TestRealCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("real packages: not in -short")
	}
	trials := 2
	if n, err := strconv.Atoi(os.Getenv("AIM_REAL_CRASH_TRIALS")); err == nil {
		trials = n
	}
	debs := debiantest.Debs(t, realCrashPkgs...)
	c := &realCrash{t: t, root: debiantest.MinbaseRoot(t), files: map[string][]string{}, conf: map[string]map[string]bool{}}
	for _, name := range realCrashPkgs {
		c.debs = append(c.debs, debs[name])
		c.readArchive(name, debs[name])
	}
	c.dangling = map[string]bool{}
	for _, l := range c.danglingLinks() {
		c.dangling[l] = true
	}
	// Time one whole install and purge, counting their scripts, so that
	// the kills land anywhere inside them.
	installSpan, postinsts := c.measure(c.installArgs(), "postinst")
	c.check("after the measured install")
	purgeSpan, removals := c.measure(c.purgeArgs(), "prerm", "postrm")
	c.check("after the measured purge")
	if len(c.problems) > 0 {
		t.Fatalf("uninterrupted:\n%s", strings.Join(c.problems, "\n"))
	}
	t.Logf("uninterrupted: install %v with %d postinsts, purge %v with %d prerm/postrm",
		installSpan.Round(time.Millisecond), postinsts, purgeSpan.Round(time.Millisecond), removals)
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	counts := map[string]int{}
	for i := 0; i < trials; i++ {
		mode := realCrashModes[(i/2)%len(realCrashModes)]
		args, span, scripts, kinds := c.installArgs(), installSpan, postinsts, []string{"postinst"}
		what := "install"
		if i%2 == 1 {
			args, span, scripts, kinds = c.purgeArgs(), purgeSpan, removals, []string{"prerm", "postrm"}
			what = "purge"
		}
		outcome := c.interrupt(args, mode.sig, mode.inScript, span, scripts, kinds, rng)
		counts[what+", "+mode.name+": "+outcome]++
		label := "trial " + strconv.Itoa(i) + " (" + what + ", " + mode.name + ", " + outcome + ")"
		c.problems = nil
		c.aimChild(label+": configure --pending", "configure", "--pending")
		c.check(label)
		if what == "purge" {
			args = nil
			if left := c.present(); len(left) > 0 {
				args = c.purgeArgs(left...)
			}
		}
		if args != nil {
			c.aimChild(label+": finishing the "+what, args...)
		}
		c.check(label + " finished")
		if len(c.problems) > 0 {
			// Report, and go on in a fresh root.
			t.Errorf("%s:\n%s", label, strings.Join(c.problems, "\n"))
			counts["inconsistent"]++
			c.root = debiantest.MinbaseRoot(t)
			if i%2 == 0 {
				c.problems = nil
				c.aimChild("installing in the fresh root", c.installArgs()...)
				if len(c.problems) > 0 {
					t.Fatal(strings.Join(c.problems, "\n"))
				}
			}
		}
	}
	var lines []string
	for k, n := range counts {
		lines = append(lines, fmt.Sprintf("%3d × %s", n, k))
	}
	sort.Strings(lines)
	t.Logf("%d trials, each checked after the next command and after finishing:\n%s", trials, strings.Join(lines, "\n"))
}

func (c *realCrash) installArgs() []string {
	return append([]string{"--root", c.root, "-y", "--no-progress", "install"}, c.debs...)
}

// purgeArgs purges names, by default every package of the test.
func (c *realCrash) purgeArgs(names ...string) []string {
	if len(names) == 0 {
		names = realCrashPkgs
	}
	return append([]string{"--root", c.root, "-y", "--no-progress", "purge"}, names...)
}

// readArchive records the non-directory paths and conffiles of a .deb.
func (c *realCrash) readArchive(name, path string) {
	f, err := os.Open(path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	ar, err := deb.NewArchiveReader(f)
	if err != nil {
		c.t.Fatalf("%s: %v", path, err)
	}
	defer ar.Close()
	c.conf[name] = map[string]bool{}
	for _, p := range ar.Control().Conffiles() {
		c.conf[name][p] = true
	}
	data, err := ar.Data()
	if err != nil {
		c.t.Fatal(err)
	}
	for {
		h, err := data.Next()
		if err != nil {
			break
		}
		if h.Typeflag != '5' {
			c.files[name] = append(c.files[name], "/"+data.Name())
		}
	}
}

// start starts aim with args in a process group of its own.
func (c *realCrash) start(args []string) (*exec.Cmd, *bytes.Buffer, chan error) {
	argv, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "AIM_TEST_MAIN="+string(argv))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, &out, done
}

// measure runs args to the end and returns how long it took and how
// many processes named like kinds ran below aim.
func (c *realCrash) measure(args []string, kinds ...string) (time.Duration, int) {
	start := time.Now()
	cmd, out, done := c.start(args)
	n, err := watchScripts(cmd.Process.Pid, kinds, -1, done)
	if err != nil {
		c.t.Fatalf("aim %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return time.Since(start), n
}

// watchScripts polls the processes below pid until the k-th process
// named like kinds appears (returning with it still running) or, when k
// is negative or not reached, until done says aim ended. It returns how
// many such processes it saw and, when aim ended, its error.
func watchScripts(pid int, kinds []string, k int, done chan error) (int, error) {
	seen := map[int]bool{}
	for {
		select {
		case err := <-done:
			done <- err
			return len(seen), err
		default:
		}
		for _, p := range descendants(pid) {
			for _, kind := range kinds {
				// Scripts run from the info directory as PKG.SCRIPT.
				if (p.comm == kind || strings.HasSuffix(p.comm, "."+kind)) && !seen[p.pid] {
					seen[p.pid] = true
					if len(seen) == k {
						return k, nil
					}
				}
			}
		}
		time.Sleep(3 * time.Millisecond)
	}
}

// interrupt runs args and interrupts it with sig, in the k-th script
// named like kinds (k random up to scripts) or at a random time up to
// span, and says what happened: "killed", or "finished first" when the
// transaction ended before the signal.
func (c *realCrash) interrupt(args []string, sig syscall.Signal, inScript bool, span time.Duration, scripts int, kinds []string, rng *rand.Rand) string {
	cmd, out, done := c.start(args)
	pid := cmd.Process.Pid
	if inScript && scripts > 0 {
		watchScripts(pid, kinds, 1+rng.Intn(scripts), done)
	} else {
		select {
		case <-time.After(time.Duration(rng.Int63n(int64(span) + 1))):
		case err := <-done:
			done <- err
		}
	}
	below := descendants(pid)
	if sig == syscall.SIGKILL {
		killTree(pid)
	} else {
		syscall.Kill(pid, sig)
	}
	err := <-done
	var exit *exec.ExitError
	switch {
	case err == nil:
		return "finished first"
	case !errors.As(err, &exit):
		c.t.Fatalf("aim: %v", err)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		c.fail("aim %s failed by itself (%v) before the signal:\n%s", args[4], err, out)
		return "failed"
	}
	// After Ctrl-C the scripts aim started go on in their own sessions;
	// the next command starts once they are done.
	if !waitGone(below, 2*time.Minute) {
		c.t.Fatalf("the scripts of the interrupted aim are still running after 2 minutes")
	}
	return "killed"
}

// aimChild runs aim with args in a process of its own and fails the
// test unless it succeeds.
func (c *realCrash) aimChild(what string, args ...string) {
	c.t.Helper()
	if args[0] != "--root" {
		args = append([]string{"--root", c.root, "-y", "--no-progress"}, args...)
	}
	_, out, done := c.start(args)
	if err := <-done; err != nil {
		c.fail("%s: %v\n%s", what, err, out)
	}
}
