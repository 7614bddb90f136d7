package resolver_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aim/deb"
	"aim/resolver"
	"aim/resolver/resolvertest"
)

// realIndex is the real Debian index, loaded once per test binary.
var realIndex struct {
	once  sync.Once
	path  string
	u     *resolvertest.Universe
	names []string
	err   error
}

// loadReal returns the universe of the real Debian index (amd64 and all),
// skipping the test when the index is not available.
func loadReal(tb testing.TB) (*resolvertest.Universe, []string, string) {
	tb.Helper()
	realIndex.once.Do(func() {
		path := os.Getenv("AIM_DEBIAN_INDEX")
		if path == "" {
			out, err := exec.Command("../../shared/bin/debian-index").Output()
			if err != nil {
				realIndex.err = fmt.Errorf("debian-index: %w", err)
				return
			}
			path = strings.TrimSpace(string(out))
		}
		realIndex.path = path
		realIndex.u, realIndex.names, realIndex.err = readIndex(path)
	})
	if realIndex.err != nil {
		tb.Skipf("no real Debian index: %v", realIndex.err)
	}
	return realIndex.u, realIndex.names, realIndex.path
}

func readIndex(path string) (*resolvertest.Universe, []string, error) {
	return readIndexes([]string{"amd64", "all"}, path)
}

// readIndexes reads the packages of the given architectures from index
// files into one universe and returns it with the sorted names.
func readIndexes(archs []string, paths ...string) (*resolvertest.Universe, []string, error) {
	var paras []*deb.Paragraph
	seen := map[string]bool{}
	var names []string
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		r := deb.NewParagraphReader(bufio.NewReaderSize(f, 1<<20))
		for {
			p, err := r.Next()
			if err != nil {
				break
			}
			if !slices.Contains(archs, p.Get("Architecture")) {
				continue
			}
			paras = append(paras, p)
			if n := p.Get("Package"); !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
		f.Close()
	}
	sort.Strings(names)
	u, _, err := resolvertest.NewUniverse(paras, nil)
	return u, names, err
}

// sample returns n names spread evenly over the sorted list, always with
// libreoffice.
func sample(names []string, n int) []string {
	out := []string{"libreoffice"}
	step := max(len(names)/n, 1)
	for i := step / 2; i < len(names) && len(out) < n; i += step {
		out = append(out, names[i])
	}
	return out
}

// TestRealIndex solves installing a sample of real packages from an empty
// installed set, checks every plan with the test's own checker, and
// compares with libsolv when it is available.
func TestRealIndex(t *testing.T) {
	u, names, path := loadReal(t)
	n := 500
	if testing.Short() {
		n = 100
	}
	names = sample(names, n)
	sizes := map[string]int{}
	start := time.Now()
	var slow []string
	for _, name := range names {
		req := &resolver.Request{Arch: "amd64", Install: []deb.Relation{{Name: name}}, Recommends: true}
		t0 := time.Now()
		plan, err := resolver.Solve(u, req)
		if d := time.Since(t0); d > 100*time.Millisecond {
			slow = append(slow, fmt.Sprintf("%s %v", name, d))
		}
		if err != nil {
			sizes[name] = -1
			continue
		}
		if msg := check(u, nil, plan, req); msg != "" {
			t.Errorf("install %s: invalid plan: %s", name, msg)
		}
		sizes[name] = len(plan.Install)
	}
	t.Logf("%d requests solved in %v; slower than 100 ms: %v", len(names), time.Since(start), slow)
	compareLibsolv(t, path, names, sizes)
}

// compareLibsolv runs libsolv-solve on the same requests: aim must find a
// plan whenever libsolv does, and the total plan size must agree within
// a few percent.
func compareLibsolv(t *testing.T, index string, names []string, sizes map[string]int) {
	script, _ := filepath.Abs("../../shared/bin/libsolv-solve")
	cmd := exec.Command("/usr/bin/python3", append([]string{script, index}, names...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("libsolv-solve unavailable (apt-get install python3-solv): %v", err)
	}
	var aimTotal, solvTotal, both, differ int
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[1] != "new" && f[1] != "problems" {
			continue
		}
		got, ok := sizes[f[0]]
		if !ok {
			continue
		}
		if f[1] == "problems" {
			continue
		}
		want, _ := strconv.Atoi(f[2])
		if got < 0 {
			t.Errorf("install %s: libsolv finds a plan (%d new), aim does not", f[0], want)
			continue
		}
		both++
		aimTotal += got
		solvTotal += want
		if got != want {
			differ++
		}
	}
	if both == 0 {
		t.Fatal("libsolv-solve printed no results")
	}
	ratio := float64(aimTotal) / float64(solvTotal)
	t.Logf("libsolv: %d plans, %d of different size; total new packages aim %d, libsolv %d (ratio %.3f)",
		both, differ, aimTotal, solvTotal, ratio)
	if ratio < 0.95 || ratio > 1.05 {
		t.Errorf("plan sizes differ from libsolv's by more than 5%%: ratio %.3f", ratio)
	}
}

// BenchmarkInstallLibreoffice solves installing libreoffice, with its
// recommendations, from an empty installed set on the real index.
func BenchmarkInstallLibreoffice(b *testing.B) {
	u, _, _ := loadReal(b)
	req := &resolver.Request{Arch: "amd64", Install: []deb.Relation{{Name: "libreoffice"}}, Recommends: true}
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for b.Loop() {
		plan, err := resolver.Solve(u, req)
		if err != nil {
			b.Fatal(err)
		}
		n = len(plan.Install)
	}
	b.ReportMetric(float64(n), "packages")
}

// TestRealMultilib plans the multilib family on the real index: their
// libc6-i386 declares "Conflicts: libc6-x32:i386", which names the i386
// build of libc6-x32 only, so the amd64 libc6-x32 they also need is no
// conflict.
func TestRealMultilib(t *testing.T) {
	u, _, _ := loadReal(t)
	for _, name := range []string{"gcc-multilib", "g++-multilib", "gfortran-multilib", "libc6-dev-x32", "libc6-i386", "libc6-x32"} {
		req := &resolver.Request{Arch: "amd64", Install: []deb.Relation{{Name: name}}, Recommends: true}
		plan, err := resolver.Solve(u, req)
		if err != nil {
			t.Errorf("install %s: %v", name, err)
			continue
		}
		if msg := check(u, nil, plan, req); msg != "" {
			t.Errorf("install %s: invalid plan: %s", name, msg)
		}
	}
}
