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
// three versions each, random dependencies (with alternatives and
// versions), conflicts, breaks and provides.
func randomStanzas(r *rand.Rand, n int) string {
	var b strings.Builder
	name := func() string { return fmt.Sprintf("p%d", r.IntN(n)) }
	rel := func() string {
		s := name()
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
		for v := 1; v <= 1+r.IntN(3); v++ {
			fmt.Fprintf(&b, "Package: p%d\nVersion: %d\n", i, v)
			if r.IntN(3) == 0 {
				b.WriteString("Section: user/games\n")
			}
			for field, s := range map[string]string{"Depends": list(3, true), "Conflicts": list(1, false),
				"Breaks": list(1, false), "Recommends": list(1, false)} {
				if s != "" {
					fmt.Fprintf(&b, "%s: %s\n", field, s)
				}
			}
			if r.IntN(4) == 0 {
				fmt.Fprintf(&b, "Provides: v%d\n", r.IntN(5))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// TestRandomUniverses checks, over random universes and installed sets,
// that every plan is valid (the test's own checker) and never removes a
// package it was not allowed to, and that locked packages do not change.
func TestRandomUniverses(t *testing.T) {
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	solved := 0
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
		req := randomRequest(r, installed)
		plan, err := resolver.Solve(u, req)
		var ce *resolver.ConflictError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("seed %d: error is not a *ConflictError: %v", seed, err)
		}
		if err != nil {
			continue
		}
		solved++
		if msg := check(u, installed, plan, req); msg != "" {
			t.Errorf("seed %d: invalid plan: %s", seed, msg)
		}
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

func randomRequest(r *rand.Rand, inst []*resolver.Package) *resolver.Request {
	req := &resolver.Request{Arch: "amd64", Installed: inst, Recommends: r.IntN(2) == 0}
	req.Install = append(req.Install, deb.Relation{Name: fmt.Sprintf("p%d", r.IntN(12))})
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
