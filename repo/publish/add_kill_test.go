package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestAddChild is the add TestAddKilledAtEveryStep runs in a process of
// its own, which kills itself (SIGKILL) at the step it is told; it does
// nothing in a normal run.
func TestAddChild(t *testing.T) {
	dir := os.Getenv("AIM_ADD_CHILD_DIR")
	if dir == "" {
		t.Skip("run by TestAddKilledAtEveryStep")
	}
	killAt, _ := strconv.Atoi(os.Getenv("AIM_ADD_CHILD_STEP"))
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	r.fault = func(step string) error {
		if n++; n == killAt {
			fmt.Println("killed at", step)
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
		return nil
	}
	files := filepath.SplitList(os.Getenv("AIM_ADD_CHILD_FILES"))
	if _, err := r.Add(files, AddOptions{Link: os.Getenv("AIM_ADD_CHILD_LINK") != ""}); err != nil {
		t.Fatal(err)
	}
}

// TestAddKilledAtEveryStep kills an add of several packages (new ones,
// one already in the dist, one whose pool file is there but not in the
// database) at each of its steps in turn: what is left is consistent
// (every package the database names is in the pool whole; every other
// pool file is a complete package), the next add completes it without
// staging files left over, and a publish leaves no pool file the
// database does not name. It does so copying the package files, and
// hard-linking them (Link).
func TestAddKilledAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process per step")
	}
	t.Run("copy", func(t *testing.T) { testAddKilledAtEveryStep(t, AddOptions{}) })
	t.Run("link", func(t *testing.T) { testAddKilledAtEveryStep(t, AddOptions{Link: true}) })
}

func testAddKilledAtEveryStep(t *testing.T, opts AddOptions) {
	src := t.TempDir()
	base := buildTestDeb(t, src, "base", "1.0", "all", "utils", nil)
	orphan := buildTestDeb(t, src, "orphan", "1.0", "all", "utils", nil)
	files := []string{base, orphan}
	for i := range 4 {
		files = append(files, buildTestDeb(t, src, fmt.Sprintf("new%d", i), "1.0", "all", "utils", nil))
	}
	sums := map[string]bool{}
	for _, f := range files {
		sums[fileSum(t, f)] = true
	}
	steps := 0
	for k := 1; ; k++ {
		if k > 50 {
			t.Fatal("add did not finish in 50 steps")
		}
		r := newTestRepo(t, false)
		if _, err := r.Add([]string{base}, AddOptions{}); err != nil {
			t.Fatal(err)
		}
		orphanPath := filepath.Join(r.Dir, "pool/main/o/orphan/orphan_1.0_all.deb")
		os.MkdirAll(filepath.Dir(orphanPath), 0o755)
		copyFile(t, orphan, orphanPath)
		r.Close()
		cmd := exec.Command(os.Args[0], "-test.run", "^TestAddChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "AIM_ADD_CHILD_DIR="+r.Dir, "AIM_ADD_CHILD_STEP="+strconv.Itoa(k),
			"AIM_ADD_CHILD_FILES="+strings.Join(files, string(os.PathListSeparator)))
		if opts.Link {
			cmd.Env = append(cmd.Env, "AIM_ADD_CHILD_LINK=1")
		}
		out, err := cmd.CombinedOutput()
		if err == nil {
			steps = k - 1
			break
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("step %d: the add failed instead of being killed: %v\n%s", k, err, out)
		}
		when, _, _ := strings.Cut(string(out), "\n")
		r2, err := Open(r.Dir)
		if err != nil {
			t.Fatal(err)
		}
		checkPoolConsistent(t, r2, sums, when)
		if _, err := r2.Add(files, opts); err != nil {
			t.Fatalf("%s: the next add: %v", when, err)
		}
		if opts.Link {
			checkLinked(t, r2, files[2:], when+", then added")
		}
		checkPoolConsistent(t, r2, sums, when+", then added")
		if pkgs, _ := r2.Packages(""); len(pkgs) != len(files) {
			t.Fatalf("%s, then added: %d packages, want %d", when, len(pkgs), len(files))
		}
		if left, _ := filepath.Glob(filepath.Join(r2.Dir, "pool", stagePrefix+"*")); len(left) > 0 {
			t.Fatalf("%s, then added: staging files left: %v", when, left)
		}
		publish(t, r2, testNow, 0)
		checkPoolConsistent(t, r2, nil, when+", then published")
		r2.Close()
	}
	t.Logf("add has %d steps; each was killed once", steps)
	if steps < 7 {
		t.Errorf("only %d steps: the fault hook is not reached", steps)
	}
}

// checkPoolConsistent checks that every package of the default dist is
// in the pool with its recorded hash, and that every other pool file
// holds the bytes of one of complete (a hash set); with complete nil,
// that there is no other pool file.
func checkPoolConsistent(t *testing.T, r *Repo, complete map[string]bool, when string) {
	t.Helper()
	pkgs, err := r.Packages("")
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	named := map[string]bool{}
	for _, p := range pkgs {
		named[p.Filename] = true
		if got := fileSum(t, filepath.Join(r.Dir, p.Filename)); got != p.SHA256 {
			t.Fatalf("%s: %s has SHA256 %s, the database says %s", when, p.Filename, got, p.SHA256)
		}
	}
	filepath.WalkDir(filepath.Join(r.Dir, "pool"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".deb") {
			return err
		}
		rel, _ := filepath.Rel(r.Dir, p)
		if !named[filepath.ToSlash(rel)] && !complete[fileSum(t, p)] {
			t.Fatalf("%s: pool file %s is neither in the database nor a complete package", when, rel)
		}
		return nil
	})
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkLinked checks that the pool files of files (new packages added
// with Link) are those files' inodes.
func checkLinked(t *testing.T, r *Repo, files []string, when string) {
	t.Helper()
	pkgs, err := r.Packages("")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range pkgs {
			if pi, err := os.Stat(filepath.Join(r.Dir, p.Filename)); err == nil && os.SameFile(fi, pi) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %s was not linked into the pool", when, f)
		}
	}
}
