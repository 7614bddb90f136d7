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

// doseSample returns what the agreement test plans, as requests
// "name" or "name:arch" (for an architecture other than native): n drawn
// by seed from the installable packages, nq drawn by seed from those with
// an architecture-qualified relation, and the multilib family. With
// AIM_DOSE_ALL set it returns every installable package with a qualifier.
func doseSample(u *resolvertest.Universe, names []string, archs []string, broken map[string]bool, seed uint64, n, nq int) []deb.Relation {
	var ok, qualified []deb.Relation
	for _, name := range names {
		for i, a := range archs {
			r := deb.Relation{Name: name}
			if i > 0 {
				r.Arch = a
			}
			if broken[r.String()] || !builtFor(u, name, a) {
				continue
			}
			ok = append(ok, r)
			if hasQualifier(u, name) {
				qualified = append(qualified, r)
			}
		}
	}
	if os.Getenv("AIM_DOSE_ALL") != "" {
		return qualified
	}
	r := rand.New(rand.NewPCG(seed, 14))
	var out []deb.Relation
	for _, n := range []string{"gcc-multilib", "g++-multilib", "gfortran-multilib", "libc6-dev-x32"} {
		out = append(out, deb.Relation{Name: n})
	}
	for _, pool := range []struct {
		rels []deb.Relation
		n    int
	}{{ok, n}, {qualified, nq}} {
		for _, i := range r.Perm(len(pool.rels))[:min(pool.n, len(pool.rels))] {
			if !slices.ContainsFunc(out, func(r deb.Relation) bool { return r.String() == pool.rels[i].String() }) {
				out = append(out, pool.rels[i])
			}
		}
	}
	return out
}

// builtFor reports whether name has a version for arch (the native one
// counting "all" builds too).
func builtFor(u *resolvertest.Universe, name, arch string) bool {
	for _, q := range u.Packages(name) {
		if q.Arch == arch || q.Arch == "all" && arch == "amd64" {
			return true
		}
	}
	return false
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
// refused with an explanation naming it and what dose blames, and a sample of
// installable packages (by seed, with qualifiers, and the multilib
// family) gets a plan that the tests' own checker accepts.
func TestDoseAgreement(t *testing.T) {
	u, names, path := loadReal(t)
	doseAgree(t, u, names, []string{"amd64"}, true, path)
}

// TestDoseAgreementI386 is TestDoseAgreement with i386 added as a
// foreign architecture: dose-debcheck reads the amd64 and i386 indexes
// together, and the sample takes packages of both architectures. The
// i386 index comes from bench/debian-index-arch.sh (apt in a sandbox) or
// AIM_DEBIAN_INDEX_I386. dose-debcheck over two architectures takes many
// CPU minutes, so the test runs only with AIM_DOSE_I386 set, as
// bench/dose.sh sets it.
func TestDoseAgreementI386(t *testing.T) {
	if os.Getenv("AIM_DOSE_I386") == "" {
		t.Skip("AIM_DOSE_I386 not set: dose-debcheck over amd64 and i386 takes many CPU minutes (bench/dose.sh runs it)")
	}
	_, _, path := loadReal(t)
	i386 := os.Getenv("AIM_DEBIAN_INDEX_I386")
	if i386 == "" {
		out, err := exec.Command("../bench/debian-index-arch.sh", "i386").Output()
		if err != nil {
			t.Skipf("no i386 index: %v", err)
		}
		i386 = strings.TrimSpace(string(out))
	}
	u, names, err := readIndexes([]string{"amd64", "i386", "all"}, path, i386)
	if err != nil {
		t.Fatal(err)
	}
	doseAgree(t, u, names, []string{"amd64", "i386"}, false, path, i386)
}

// doseAgree runs dose-debcheck on the indexes (archs[0] native, the rest
// foreign) and compares: every broken package refused with an
// explanation naming it, a sample of installable ones planned and
// checked. With strictBlame the explanation must also name a package
// dose blames; otherwise how many do is logged (with a foreign
// architecture dose often blames another of several causes).
func doseAgree(t *testing.T, u *resolvertest.Universe, names, archs []string, strictBlame bool, indexes ...string) {
	verdicts := runDose(t, archs[0], archs[1:], indexes...)
	broken := map[string]bool{}
	refused, blamed := 0, 0
	for _, v := range verdicts {
		r := v.relation(archs[0])
		broken[r.String()] = true
		ok, named := checkRefused(t, u, v, r)
		if ok {
			refused++
		}
		if named {
			blamed++
		} else if ok && strictBlame {
			t.Errorf("%s %s: the explanation names none of dose's %v", v.name, v.version, v.blamed)
		}
	}
	if len(verdicts) == 0 {
		t.Error("dose-debcheck calls nothing broken; the comparison proves nothing")
	}
	seed := doseSeed(t)
	sample := doseSample(u, names, archs, broken, seed, 500, 200)
	var failed int
	for _, r := range sample {
		if !planChecked(t, u, r) {
			failed++
		}
	}
	t.Logf("dose-debcheck (%s): %d broken, %d refused with an explanation, %d of them naming a package dose blames; seed %d: %d installable packages, %d without a checked plan",
		strings.Join(archs, "+"), len(verdicts), refused, blamed, seed, len(sample), failed)
}

// relation is the request for the package dose judged, without version:
// "name", or "name:arch" for a foreign architecture.
func (v doseVerdict) relation(native string) deb.Relation {
	r := deb.Relation{Name: v.name}
	if v.arch != native && v.arch != "all" {
		r.Arch = v.arch
	}
	return r
}

// checkRefused asks for exactly the version dose calls broken and wants a
// *ConflictError whose explanation names the package. It reports whether
// the request was refused so, and whether the explanation also names one
// of the packages dose blames.
func checkRefused(t *testing.T, u resolver.Universe, v doseVerdict, r deb.Relation) (refused, blamed bool) {
	t.Helper()
	ver, err := deb.ParseVersionLax(v.version)
	if err != nil {
		t.Fatal(err)
	}
	r.Op, r.Version = deb.OpEQ, ver
	req := &resolver.Request{Arch: "amd64", Install: []deb.Relation{r}}
	_, err = resolver.Solve(u, req)
	var ce *resolver.ConflictError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), v.name) {
		t.Errorf("%s %s: dose-debcheck calls it broken, aim answers %v", v.name, v.version, err)
		return false, false
	}
	msg := err.Error()
	return true, slices.ContainsFunc(v.blamed, func(n string) bool { return n != v.name && strings.Contains(msg, n) })
}

// planChecked plans installing r without recommendations, as dose
// checks installability, and reports whether the plan exists and passes
// the tests' own checker.
func planChecked(t *testing.T, u *resolvertest.Universe, r deb.Relation) bool {
	t.Helper()
	req := &resolver.Request{Arch: "amd64", Install: []deb.Relation{r}}
	plan, err := resolver.Solve(u, req)
	if err != nil {
		t.Errorf("install %s: dose-debcheck calls it installable, aim answers: %v", r, err)
		return false
	}
	if msg := check(u, nil, plan, req); msg != "" {
		t.Errorf("install %s: invalid plan: %s", r, msg)
		return false
	}
	return true
}
