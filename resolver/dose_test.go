package resolver_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"aim/deb"
	"aim/resolver"
	"aim/resolver/resolvertest"
)

// doseVerdict is one package dose-debcheck calls broken, with the names
// its explanation mentions (unsatisfied dependencies and conflicting
// packages).
type doseVerdict struct {
	name, version, arch string
	blamed              []string
}

// runDose runs dose-debcheck over the index files with the native and
// foreign architectures and returns the packages it calls broken. The
// answer is cached beside the first index, keyed by the indexes' sizes and
// times and the options, since dose takes about a minute. The test skips
// when dose-debcheck is not installed.
func runDose(tb testing.TB, native string, foreign []string, indexes ...string) []doseVerdict {
	tb.Helper()
	if _, err := exec.LookPath("dose-debcheck"); err != nil {
		tb.Skip("dose-debcheck not installed (apt-get install dose-distcheck)")
	}
	args := []string{"--deb-native-arch=" + native, "-f", "-e"}
	if len(foreign) > 0 {
		args = append(args, "--deb-foreign-archs="+strings.Join(foreign, ","))
	}
	h := sha256.New()
	fmt.Fprintln(h, args)
	for _, ix := range indexes {
		st, err := os.Stat(ix)
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintln(h, ix, st.Size(), st.ModTime().UnixNano())
	}
	cache := filepath.Join(filepath.Dir(indexes[0]), fmt.Sprintf("dose-%x.yaml", h.Sum(nil)[:8]))
	out, err := os.ReadFile(cache)
	if err != nil {
		out, err = exec.Command("dose-debcheck", append(args, indexes...)...).Output()
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
			tb.Fatalf("dose-debcheck: %v", err)
		}
		if !bytes.Contains(out, []byte("\nbroken-packages:")) {
			tb.Fatalf("dose-debcheck printed no summary:\n%.2000s", out)
		}
		if err := os.WriteFile(cache+".tmp", out, 0o644); err == nil {
			_ = os.Rename(cache+".tmp", cache)
		}
	}
	return parseDose(tb, out)
}

// parseDose reads dose's YAML report: items start with " -" at the top
// level of "report:", with "  package:", "  version:", "  architecture:"
// and nested reasons.
func parseDose(tb testing.TB, out []byte) []doseVerdict {
	var res []doseVerdict
	var cur *doseVerdict
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		key, val, _ := strings.Cut(strings.TrimSpace(line), ": ")
		switch {
		case line == " -":
			res = append(res, doseVerdict{})
			cur = &res[len(res)-1]
		case cur == nil:
		case strings.HasPrefix(line, "  package: "):
			cur.name = val
		case strings.HasPrefix(line, "  version: "):
			cur.version = val
		case strings.HasPrefix(line, "  architecture: "):
			cur.arch = val
		case key == "unsat-dependency" || key == "unsat-conflict" || key == "package":
			n, _, _ := strings.Cut(val, " ")
			n, _, _ = strings.Cut(n, ":")
			if !slices.Contains(cur.blamed, n) {
				cur.blamed = append(cur.blamed, n)
			}
		}
	}
	for _, v := range res {
		if v.name == "" || v.version == "" {
			tb.Fatalf("dose report item without package or version: %+v", v)
		}
	}
	return res
}

// doseSample returns the names the agreement test plans: n drawn by seed
// from the installable names, nq drawn by seed from those with an
// architecture-qualified relation, and the multilib family. With
// AIM_DOSE_ALL set it returns every installable name with a qualifier.
func doseSample(u *resolvertest.Universe, names []string, broken map[string]bool, seed uint64, n, nq int) []string {
	var ok, qualified []string
	for _, name := range names {
		if broken[name] {
			continue
		}
		ok = append(ok, name)
		if hasQualifier(u, name) {
			qualified = append(qualified, name)
		}
	}
	if os.Getenv("AIM_DOSE_ALL") != "" {
		return qualified
	}
	r := rand.New(rand.NewPCG(seed, 14))
	out := []string{"gcc-multilib", "g++-multilib", "gfortran-multilib", "libc6-dev-x32"}
	for _, pool := range []struct {
		names []string
		n     int
	}{{ok, n}, {qualified, nq}} {
		for _, i := range r.Perm(len(pool.names))[:min(pool.n, len(pool.names))] {
			if !slices.Contains(out, pool.names[i]) {
				out = append(out, pool.names[i])
			}
		}
	}
	return out
}

// hasQualifier reports whether a version of name has a relation with an
// architecture qualifier.
func hasQualifier(u *resolvertest.Universe, name string) bool {
	for _, q := range u.Packages(name) {
		rel, err := u.Relations(q)
		if err != nil {
			continue
		}
		for _, f := range []deb.Relations{rel.PreDepends, rel.Depends, rel.Conflicts, rel.Breaks, rel.Provides} {
			for _, alts := range f {
				for _, r := range alts {
					if r.Arch != "" {
						return true
					}
				}
			}
		}
	}
	return false
}

// doseSeed is the sample's seed: AIM_DOSE_SEED, or 14.
func doseSeed(tb testing.TB) uint64 {
	s := os.Getenv("AIM_DOSE_SEED")
	if s == "" {
		return 14
	}
	seed, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		tb.Fatalf("AIM_DOSE_SEED: %v", err)
	}
	return seed
}

// TestDoseAgreement checks installability against Debian QA's
// dose-debcheck on the real index: every package dose calls broken is
// refused with an explanation naming what dose blames, and a sample of
// installable packages (by seed, with qualifiers, and the multilib
// family) gets a plan that the tests' own checker accepts.
func TestDoseAgreement(t *testing.T) {
	u, names, path := loadReal(t)
	verdicts := runDose(t, "amd64", nil, path)
	broken := map[string]bool{}
	refused := 0
	for _, v := range verdicts {
		broken[v.name] = true
		if checkRefused(t, u, v) {
			refused++
		}
	}
	if len(verdicts) == 0 {
		t.Error("dose-debcheck calls nothing broken; the comparison proves nothing")
	}
	seed := doseSeed(t)
	sample := doseSample(u, names, broken, seed, 500, 200)
	var failed int
	for _, name := range sample {
		if !planChecked(t, u, name) {
			failed++
		}
	}
	t.Logf("dose-debcheck: %d broken, %d refused with an explanation; seed %d: %d installable packages, %d without a checked plan",
		len(verdicts), refused, seed, len(sample), failed)
}

// checkRefused asks for exactly the version dose calls broken and wants a
// *ConflictError whose explanation names the package and one of the
// packages dose blames. It reports whether that holds.
func checkRefused(t *testing.T, u resolver.Universe, v doseVerdict) bool {
	t.Helper()
	ver, err := deb.ParseVersionLax(v.version)
	if err != nil {
		t.Fatal(err)
	}
	req := &resolver.Request{Arch: "amd64", Install: []deb.Relation{{Name: v.name, Op: deb.OpEQ, Version: ver}}}
	_, err = resolver.Solve(u, req)
	var ce *resolver.ConflictError
	if !errors.As(err, &ce) {
		t.Errorf("%s %s: dose-debcheck calls it broken, aim answers %v", v.name, v.version, err)
		return false
	}
	msg := err.Error()
	named := slices.ContainsFunc(v.blamed, func(n string) bool { return n != v.name && strings.Contains(msg, n) })
	if !strings.Contains(msg, v.name) || !named {
		t.Errorf("%s %s: explanation %q names none of dose's %v", v.name, v.version, msg, v.blamed)
		return false
	}
	return true
}

// planChecked plans installing name without recommendations, as dose
// checks installability, and reports whether the plan exists and passes
// the tests' own checker.
func planChecked(t *testing.T, u *resolvertest.Universe, name string) bool {
	t.Helper()
	req := &resolver.Request{Arch: "amd64", Install: []deb.Relation{{Name: name}}}
	plan, err := resolver.Solve(u, req)
	if err != nil {
		t.Errorf("install %s: dose-debcheck calls it installable, aim answers: %v", name, err)
		return false
	}
	if msg := check(u, nil, plan, req); msg != "" {
		t.Errorf("install %s: invalid plan: %s", name, msg)
		return false
	}
	return true
}
