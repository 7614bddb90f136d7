package resolver_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"aim/deb"
	"aim/resolver"
	"aim/resolver/resolvertest"
)

// randomStanzas returns a random repository of n packages with up to
// three versions each, built for amd64, i386 or all with a random
// Multi-Arch, random dependencies (with alternatives, versions and
// architecture qualifiers), conflicts, breaks and provides.
func randomStanzas(r *rand.Rand, n int) string {
	var b strings.Builder
	name := func() string { return fmt.Sprintf("p%d", r.IntN(n)) }
	rel := func() string {
		s := name()
		if r.IntN(6) == 0 {
			s += []string{":any", ":i386", ":amd64", ":native"}[r.IntN(4)]
		}
		if r.IntN(4) == 0 {
			s += fmt.Sprintf(" (%s %d)", []string{">=", "<<", "="}[r.IntN(3)], 1+r.IntN(3))
		}
		if r.IntN(8) == 0 {
			s = fmt.Sprintf("v%d", r.IntN(5))
		}
		return s
	}
	list := func(max int, alts bool) string {
		var parts []string
		for k := r.IntN(max + 1); k > 0; k-- {
			p := rel()
			if alts && r.IntN(3) == 0 {
				p += " | " + rel()
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, ", ")
	}
	for i := 0; i < n; i++ {
		archs := [][]string{{"amd64"}, {"all"}, {"amd64", "i386"}, {"i386"}}[r.IntN(4)]
		ma := []string{"", "same", "foreign", "allowed"}[r.IntN(4)]
		if len(archs) == 2 && r.IntN(2) == 0 {
			ma = "same"
		}
		for v := 1; v <= 1+r.IntN(3); v++ {
			arch := archs[r.IntN(len(archs))]
			if r.IntN(2) == 0 {
				arch = strings.Join(archs, " ") // every build of the version
			}
			for _, a := range strings.Fields(arch) {
				stanza(&b, r, i, v, a, ma, list)
			}
		}
	}
	return b.String()
}

// stanza writes one random stanza of package pI at version v for arch.
func stanza(b *strings.Builder, r *rand.Rand, i, v int, arch, ma string, list func(int, bool) string) {
	fmt.Fprintf(b, "Package: p%d\nVersion: %d\nArchitecture: %s\n", i, v, arch)
	if ma != "" && !(ma == "same" && arch == "all") {
		fmt.Fprintf(b, "Multi-Arch: %s\n", ma)
	}
	if r.IntN(3) == 0 {
		b.WriteString("Section: user/games\n")
	}
	for _, f := range []struct {
		name string
		max  int
		alts bool
	}{{"Depends", 3, true}, {"Conflicts", 1, false}, {"Breaks", 1, false}, {"Recommends", 1, false}} {
		if s := list(f.max, f.alts); s != "" {
			fmt.Fprintf(b, "%s: %s\n", f.name, s)
		}
	}
	if r.IntN(4) == 0 {
		fmt.Fprintf(b, "Provides: v%d\n", r.IntN(5))
	}
	b.WriteString("\n")
}

// TestRandomUniverses checks, over random universes and installed sets,
// that every plan is valid (the test's own checker) and never removes a
// package it was not allowed to, and that locked packages do not change.
func TestRandomUniverses(t *testing.T) {
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	solved, coinstalled := 0, 0
	for seed := uint64(1); seed <= uint64(rounds); seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		repo, err := deb.ParseParagraphs([]byte(randomStanzas(r, 12)))
		if err != nil {
			t.Fatal(err)
		}
		inst := installedSubset(t, r, repo)
		u, installed, err := resolvertest.NewUniverse(repo, inst)
		if err != nil {
			t.Fatal(err)
		}
		req := randomRequest(r, u, installed)
		plan, err := resolver.Solve(u, req)
		var ce *resolver.ConflictError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("seed %d: error is not a *ConflictError: %v", seed, err)
		}
		if err != nil {
			continue
		}
		solved++
		coinstalled += coinstalls(plan, installed)
		if msg := check(u, installed, plan, req); msg != "" {
			t.Errorf("seed %d: invalid plan: %s", seed, msg)
		}
	}
	t.Logf("%d of %d solved; %d plans install a name for two architectures", solved, rounds, coinstalled)
	if coinstalled == 0 && !testing.Short() {
		t.Error("no plan co-installs two architectures of a name; the universes do not exercise Multi-Arch: same")
	}
	if solved < rounds/5 {
		t.Errorf("only %d of %d random requests solved", solved, rounds)
	}
}

// installedSubset picks a consistent installed set: a few packages whose
// installation the resolver finds, so that the installed set is valid.
func installedSubset(t *testing.T, r *rand.Rand, repo []*deb.Paragraph) []*deb.Paragraph {
	u, _, err := resolvertest.NewUniverse(repo, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := &resolver.Request{Arch: "amd64"}
	for k := r.IntN(4); k > 0; k-- {
		req.Install = append(req.Install, deb.Relation{Name: fmt.Sprintf("p%d", r.IntN(12))})
	}
	plan, err := resolver.Solve(u, req)
	if err != nil {
		return nil
	}
	var out []*deb.Paragraph
	for _, q := range plan.Install {
		out = append(out, u.Paragraph(q))
	}
	return out
}

// twoArchNames returns the names with Multi-Arch: same builds for amd64
// and i386.
func twoArchNames(u *resolvertest.Universe) []string {
	var out []string
	for i := 0; i < 12; i++ {
		name := fmt.Sprintf("p%d", i)
		archs := map[string]bool{}
		for _, q := range u.Packages(name) {
			if rel, err := u.Relations(q); err == nil && rel.MultiArch == resolver.MultiArchSame {
				archs[q.Arch] = true
			}
		}
		if archs["amd64"] && archs["i386"] {
			out = append(out, name)
		}
	}
	return out
}

func randomRequest(r *rand.Rand, u *resolvertest.Universe, inst []*resolver.Package) *resolver.Request {
	req := &resolver.Request{Arch: "amd64", Installed: inst, Recommends: r.IntN(2) == 0}
	name := fmt.Sprintf("p%d", r.IntN(12))
	req.Install = append(req.Install, deb.Relation{Name: name, Arch: []string{"", "", "i386"}[r.IntN(3)]})
	if both := twoArchNames(u); len(both) > 0 && r.IntN(3) == 0 { // both architectures' builds of one name
		name = both[r.IntN(len(both))]
		req.Install = []deb.Relation{{Name: name, Arch: "amd64"}, {Name: name, Arch: "i386"}}
	}
	for _, q := range inst {
		switch r.IntN(6) {
		case 0:
			req.MayRemove = append(req.MayRemove, q.Name)
		case 1:
			req.Lock = append(req.Lock, q.Name)
		}
	}
	return req
}

// coinstalls returns 1 when the set after plan has a name installed for
// two architectures, else 0.
func coinstalls(plan *resolver.Plan, inst []*resolver.Package) int {
	archs := map[string]map[string]bool{}
	add := func(q *resolver.Package) {
		if archs[q.Name] == nil {
			archs[q.Name] = map[string]bool{}
		}
		archs[q.Name][q.Arch] = true
	}
	for _, q := range inst {
		add(q)
	}
	for _, q := range plan.Install {
		add(q)
	}
	for _, a := range archs {
		if len(a) > 1 {
			return 1
		}
	}
	return 0
}
